/** What comes out: 20 ms PCM16 frames at 22.05 kHz, of plausible duration and level, per language. */
import t from 'tap';
import { concatPcm, dbfs, FRAME_MS, samplesPerFrame } from '@vapi-cn/sdk-plugin-api';
import { ENGLISH, espeak, frames, MANDARIN, sameRendering, seconds, speak } from './helpers.js';

const tts = await espeak(t);

/** RMS of the frames within 40 dB of the loudest: the level of the speech, not of the pauses. */
function speechDbfs(samples: Int16Array): number {
  const size = samplesPerFrame(22050);
  const levels: Array<[number, Int16Array]> = [];
  for (let i = 0; i + size <= samples.length; i += size) levels.push([dbfs(samples.subarray(i, i + size)), samples.subarray(i, i + size)]);
  const loudest = Math.max(...levels.map(([level]) => level));
  return dbfs(concatPcm(levels.filter(([level]) => level > loudest - 40).map(([, frame]) => frame)));
}

t.test('frames are 20 ms of PCM16 at 22.05 kHz with running timestamps, whatever rate is asked', async (t) => {
  const out = await frames(tts, ENGLISH, { sampleRate: 16000 });
  t.ok(out.length > 50);
  t.ok(out.every((f) => f.kind === 'audio' && f.sampleRate === 22050 && f.samples instanceof Int16Array && f.samples.length === 441));
  t.same(out.map((f) => f.timestamp), out.map((_, i) => i * FRAME_MS));
  t.not(out[0]!.samples.buffer, out[1]!.samples.buffer, 'each frame owns its samples');
});

t.test('English: about 3 s at 175 words per minute, speech level about -20 dBFS, no clipping', async (t) => {
  const samples = await speak(tts, ENGLISH, { voice: 'en-us' });
  const words = ENGLISH.split(/\s+/).length;
  const expected = words / (175 / 60);
  t.ok(seconds(samples) > expected * 0.6 && seconds(samples) < expected * 1.6, `${seconds(samples).toFixed(2)} s for ${words} words`);
  const level = speechDbfs(samples);
  t.ok(level > -30 && level < -10, `speech at ${level.toFixed(1)} dBFS`);
  t.ok(samples.filter((s) => s === 32767 || s === -32768).length < samples.length / 1000, 'no clipping');
});

t.test('Mandarin with voice cmn is spoken as Mandarin, not spelled out as English', async (t) => {
  const mandarin = await speak(tts, MANDARIN, { voice: 'cmn' });
  const characters = [...MANDARIN].filter((c) => /\p{Script=Han}/u.test(c)).length;
  const perCharacter = seconds(mandarin) / characters;
  // A Mandarin syllable per character takes 0.15-0.45 s; English reads each as "Chinese letter".
  t.ok(perCharacter > 0.15 && perCharacter < 0.45, `${perCharacter.toFixed(2)} s per character`);
  const spelled = await speak(tts, MANDARIN, { voice: 'en-us' });
  t.ok(seconds(mandarin) < 0.6 * seconds(spelled), `${seconds(mandarin).toFixed(2)} s as Mandarin, ${seconds(spelled).toFixed(2)} s spelled out`);
  const level = speechDbfs(mandarin);
  t.ok(level > -30 && level < -10, `speech at ${level.toFixed(1)} dBFS`);
  t.ok(sameRendering(await speak(tts, MANDARIN, { language: 'zh-CN' }), mandarin), 'language zh-CN selects the same voice');
});

t.test('empty or blank text yields no frames and no error', async (t) => {
  t.same(await frames(tts, ''), []);
  t.same(await frames(tts, ' \n\t '), []);
});

t.test('the first frame comes long before a long text is synthesized', async (t) => {
  // About a minute of speech: eSpeak streams it clause by clause.
  const text = Array.from({ length: 12 }, (_, i) => `This is sentence number ${i + 1} of a long answer, read out in full.`).join(' ');
  const start = performance.now();
  let first = 0;
  let count = 0;
  for await (const _ of tts.synthesize(text, { sampleRate: 22050 })) if (count++ === 0) first = performance.now() - start;
  const total = performance.now() - start;
  t.ok(count * FRAME_MS > 40_000, `${((count * FRAME_MS) / 1000).toFixed(1)} s of audio`);
  t.ok(first < total / 4, `first frame after ${first.toFixed(1)} ms of ${total.toFixed(0)} ms`);
});
