/**
 * Without a grammar the decoder runs Debian's en-us language model: open vocabulary, slow to load
 * (0.4-3 s, which the warm spare hides) and unreliable on synthetic speech ("yes please" came
 * back as "yes please" and as "you really"), so only the transcript's shape is checked.
 */
import t from 'tap';
import { pocketsphinx, silence, speech, transcribe } from './helpers.js';

const start = performance.now();
const { stt, harness } = await pocketsphinx(t, {});
const setupMs = performance.now() - start;

t.test('the packaged language model is the default search', async (t) => {
  t.match(harness.logs, [{ obj: { search: 'languageModel' } }]);
  t.comment(`setup with the language model: ${setupMs.toFixed(0)} ms`);
});

t.test('a phrase gives one final transcript of dictionary words, timed and scored', async (t) => {
  const { results } = await transcribe(await stt.stream({ sampleRate: 16000 }), [...silence(200), ...(await speech('yes please')), ...silence(300)]);
  t.match(results, [{ kind: 'transcript', text: /^[a-z']+( [a-z']+)*$/, isFinal: true, language: 'en-US', startMs: Number, endMs: Number }]);
  const { confidence } = results[0]!;
  t.ok(confidence! >= 0 && confidence! <= 1, `confidence ${confidence}`);
  t.comment(`'yes please' -> '${results[0]!.text}'`);
});
