/** Keyphrase spotting: only the phrase is reported, wherever it occurs in what the caller says. */
import t from 'tap';
import { pocketsphinx, silence, speech, transcribe } from './helpers.js';

const { stt } = await pocketsphinx(t, { keyphrase: 'agent' });

t.test('the keyphrase is spotted inside a sentence, with its time', async (t) => {
  const { results } = await transcribe(await stt.stream({ sampleRate: 16000 }), [...silence(200), ...(await speech('i want to speak to an agent')), ...silence(300)]);
  t.match(results, [{ text: 'agent', isFinal: true, startMs: Number, endMs: Number }]);
  t.ok(results[0]!.startMs! > 1000, `'agent' at ${results[0]!.startMs} ms, at the end of the sentence`);
});

t.test('speech without it yields nothing', async (t) => {
  const frames = [...silence(200)];
  for (const phrase of ['cancel my subscription', 'check my order status', 'transfer me to billing']) frames.push(...(await speech(phrase)), ...silence(800));
  const { results } = await transcribe(await stt.stream({ sampleRate: 16000 }), frames);
  t.same(results, []);
});
