import t from 'tap';
import { audioFrame, dbfs, sineWave, stageRefs, whiteNoise, type AudioFrame } from '@vapi-cn/sdk-plugin-api';
import { setupPlugin, VirtualClock } from '@vapi-cn/sdk-plugin-api/testkit';
import pacerPlugin from '../../../plugins/stage-pacer/src/index.js';
import resamplerPlugin from '../../../plugins/stage-resample-speex/src/index.js';
import mixerPlugin from '../../../plugins/stage-mixer/src/index.js';
import { BotVoice } from '../../src/call/bot-voice.js';

const clock = new VirtualClock();
const pacers = (await setupPlugin(pacerPlugin, { deps: { 'core.clock': clock } })).registry(stageRefs.pacers).get('default')!;
const resamplers = (await setupPlugin(resamplerPlugin)).registry(stageRefs.resamplers).get('speex')!;
const mixers = (await setupPlugin(mixerPlugin)).registry(stageRefs.mixers).get('default')!;

/** A TTS stream: `ms` of a tone at 22.05 kHz in 100 ms chunks, as espeak would deliver it. */
async function* tts(ms: number): AsyncIterable<AudioFrame> {
  const tone = sineWave(400, 22050, ms, 0.3);
  for (let i = 0; i < tone.length; i += 2205) yield audioFrame(tone.slice(i, i + 2205), 22050);
}

function fakeLeg(outputSampleRate = 8000) {
  const sent: Int16Array[] = [];
  return {
    sent,
    outputSampleRate,
    sendAudio: (frame: AudioFrame) => void sent.push(frame.samples.slice()),
    clearAudio: () => 0,
  };
}

t.test('TTS audio goes out resampled, one 20 ms frame per tick, and reports the first frame', async (t) => {
  const leg = fakeLeg();
  const voice = new BotVoice({ leg, pacers, resamplers, clock });
  t.teardown(() => voice.close());
  let firstAt = -1;
  const began = clock.monotonic();
  voice.startTurn((at) => (firstAt = at));
  await voice.say('Hello there. ', tts(400));
  await voice.say('How can I help?', tts(600));
  t.equal(voice.queuedMs, 980, 'a second of audio queued at 8 kHz, its first frame sent at once');
  t.equal(firstAt, began, 'the first frame left without waiting for a tick');
  const drained = voice.drained();
  await clock.advance(1100);
  await drained;
  t.equal(leg.sent.length, 50);
  t.ok(leg.sent.every((f) => f.length === 160), '20 ms frames at 8 kHz');
  t.ok(firstAt >= began && firstAt - began <= 20, 'first audio on the first tick');
  t.equal(voice.playedMs, 1000);
  t.ok(dbfs(leg.sent[25]!) > -15, 'the tone is there');
});

t.test('interrupt takes back what was not played and reports what was heard', async (t) => {
  const leg = fakeLeg();
  const voice = new BotVoice({ leg, pacers, resamplers, clock });
  t.teardown(() => voice.close());
  voice.startTurn();
  await voice.say('Your table is booked. ', tts(1000));
  await voice.say('We look forward to seeing you.', tts(1000));
  await clock.advance(1490);
  const cut = voice.interrupt();
  t.equal(cut.playedMs, 1500);
  t.equal(cut.droppedMs, 500);
  t.equal(cut.heardText, 'Your table is booked. We look forward');
  const sentBefore = leg.sent.length;
  await clock.advance(500);
  t.equal(leg.sent.length, sentBefore, 'nothing more goes out after the interruption');
  await voice.drained();
});

t.test('with a mixer the background plays between turns and ducks under the voice', async (t) => {
  const leg = fakeLeg(8000);
  const mixer = mixers.create({ sampleRate: 8000 });
  mixer.addSource('room', { samples: whiteNoise(8000, 1000, 0.2, 5), gainDb: 0 });
  const voice = new BotVoice({ leg, pacers, resamplers, clock, mixer });
  t.teardown(() => voice.close());
  await clock.advance(200);
  t.equal(leg.sent.length, 11, 'frames flow with no one speaking (ticks at 0, 20 ... 200 ms)');
  const quiet = dbfs(leg.sent[10]!);
  voice.startTurn();
  await voice.say('Hi.', tts(400));
  await clock.advance(400);
  t.equal(leg.sent.length, 31);
  t.ok(dbfs(leg.sent[29]!) > quiet, 'voice over the background');
  t.equal(voice.playedMs, 400, 'background frames are not counted as speech');
});

t.test('pause holds the audio, resume plays it on, nothing is lost', async (t) => {
  const leg = fakeLeg();
  const voice = new BotVoice({ leg, pacers, resamplers, clock });
  t.teardown(() => voice.close());
  voice.startTurn();
  await voice.say('One two three.', tts(600));
  await clock.advance(190);
  voice.pause();
  const atPause = leg.sent.length;
  await clock.advance(300);
  t.equal(leg.sent.length, atPause, 'nothing goes out while paused');
  voice.resume();
  await clock.advance(600);
  t.equal(voice.playedMs, 600, 'every frame played in the end');
});

t.test('a far end with a playout buffer: audio goes out ahead, drained() waits for it to play, interrupt counts its unheard audio', async (t) => {
  let farEndHolds = 0;
  const sent: Array<{ at: number; timestamp: number }> = [];
  const leg = {
    outputSampleRate: 8000,
    playoutBufferMs: 500,
    sendAudio: (frame: AudioFrame) => void sent.push({ at: clock.monotonic(), timestamp: frame.timestamp }),
    clearAudio: () => farEndHolds,
  };
  const voice = new BotVoice({ leg, pacers, resamplers, clock });
  t.teardown(() => voice.close());
  const began = clock.monotonic();
  voice.startTurn();
  await voice.say('One. ', tts(300));
  t.equal(sent.length, 15, 'all 300 ms went out at once, within the 500 ms lead');
  t.ok(sent.every((f) => f.at === began), 'without waiting for ticks');
  let done = false;
  const drained = voice.drained().then(() => (done = true));
  await clock.advance(250);
  t.notOk(done, 'not drained while the far end still plays');
  await clock.advance(100);
  await drained;
  t.ok(done, 'drained once the far end has played it all');

  voice.startTurn();
  await voice.say('A long sentence that will be cut. ', tts(2000));
  t.equal(sent.length - 15, 25, 'only the lead is sent ahead');
  await clock.advance(200);
  t.equal(sent.length - 15, 35, 'then one frame per 20 ms keeps the lead');
  farEndHolds = 500;
  const cut = voice.interrupt();
  t.equal(cut.playedMs, 200, 'what was sent minus what the far end still held');
  t.equal(cut.droppedMs, 1800, 'the far end\'s 500 ms plus the 1300 ms still queued here');
});

t.test('backpressure: a TTS far ahead of playout is read only as its audio plays', async (t) => {
  const leg = fakeLeg();
  const voice = new BotVoice({ leg, pacers, resamplers, clock });
  t.teardown(() => voice.close());
  let pulled = 0;
  async function* fast(ms: number): AsyncIterable<AudioFrame> {
    for await (const chunk of tts(ms)) {
      pulled++;
      yield chunk;
    }
  }
  voice.startTurn();
  let done = false;
  const saying = voice.say('A very long sentence.', fast(10_000)).then(() => (done = true));
  // The stream's chunks come over promise turns: let them all settle.
  await new Promise((resolve) => setImmediate(resolve));
  t.ok(pulled >= 30 && pulled <= 32, `about 3 s of the 10 s were read at once (${pulled} chunks of 100 ms)`);
  t.ok(voice.queuedMs <= 3100, `the queue stays near 3 s (${voice.queuedMs} ms)`);
  t.notOk(done, 'say() waits for room');
  await clock.advance(2000);
  t.ok(pulled >= 50 && pulled <= 52, `reading goes on as the audio plays (${pulled} chunks after 2 s)`);
  t.ok(voice.queuedMs <= 3100, `and the queue stays near 3 s (${voice.queuedMs} ms)`);
  await clock.advance(7000);
  await saying;
  t.equal(pulled, 100, 'all of it was read in the end');
  const drained = voice.drained();
  await clock.advance(3100);
  await drained;
  t.equal(leg.sent.length, 500, 'and all 10 s went out');
});

t.test('backpressure: barge-in and close release a say() that waits for room', async (t) => {
  const leg = fakeLeg();
  const voice = new BotVoice({ leg, pacers, resamplers, clock, maxQueuedMs: 500 });
  const controller = new AbortController();
  voice.startTurn();
  const saying = voice.say('Long.', tts(5000), controller.signal);
  await clock.advance(100);
  controller.abort();
  const cut = voice.interrupt();
  await saying;
  t.ok(cut.droppedMs > 0 && cut.droppedMs <= 600, `the interrupted turn held at most maxQueuedMs (${cut.droppedMs} ms dropped)`);

  voice.startTurn();
  const again = voice.say('Longer.', tts(5000));
  await clock.advance(100);
  voice.close();
  await again;
  t.pass('close released the waiting say()');
});
