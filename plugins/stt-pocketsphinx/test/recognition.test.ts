/**
 * The local loop: phrases spoken by the tts-espeak plugin, resampled to 16 kHz by the speex
 * plugin, recognised through a JSGF grammar, one stream per phrase as a caller's utterance.
 */
import t from 'tap';
import { GRAMMAR, PHRASES, pocketsphinx, silence, speech, transcribe } from './helpers.js';

const { stt } = await pocketsphinx(t, { grammar: GRAMMAR });

t.test('every phrase comes back exactly, as one final transcript with timings', async (t) => {
  const latencies: number[] = [];
  let exact = 0;
  for (const phrase of PHRASES) {
    const audio = await speech(phrase);
    // A caller's utterance as the engine's VAD cuts it: a little silence either side.
    const { results, endToFinalMs } = await transcribe(await stt.stream({ sampleRate: 16000, language: 'en-US' }), [...silence(200), ...audio, ...silence(300)]);
    latencies.push(endToFinalMs);
    if (results.length === 1 && results[0]!.text === phrase) exact++;
    t.match(results, [{ kind: 'transcript', text: phrase, isFinal: true, language: 'en-US', confidence: Number }], phrase);
    const [result] = results;
    if (!result) continue;
    t.ok(Math.abs(result.startMs! - 200) < 300, `starts at ${result.startMs} ms (speech from 200 ms)`);
    const speechEnd = 200 + audio.length * 20;
    t.ok(Math.abs(result.endMs! - speechEnd) < 300, `ends at ${result.endMs} ms (speech to ${speechEnd} ms)`);
  }
  t.equal(exact, PHRASES.length);
  latencies.sort((a, b) => a - b);
  t.comment(`exact ${exact}/${PHRASES.length}; end() to final: median ${latencies[latencies.length >> 1]!.toFixed(0)} ms, max ${latencies.at(-1)!.toFixed(0)} ms (whole utterance written at once)`);
});

t.test('one stream across several utterances yields a final per utterance, in order', async (t) => {
  const chosen = [PHRASES[4]!, PHRASES[0]!, PHRASES[5]!];
  const frames: Int16Array[] = [...silence(200)];
  for (const phrase of chosen) frames.push(...(await speech(phrase)), ...silence(800));
  const { results } = await transcribe(await stt.stream({ sampleRate: 16000 }), frames);
  t.same(results.map((r) => r.text), chosen);
  t.ok(results.every((r, i) => i === 0 || r.startMs! > results[i - 1]!.endMs!), 'offsets grow through the stream');
});
