/** Reading pocketsphinx_continuous's stdout: hypotheses, word timings, and reads split anywhere. */
import t from 'tap';
import { HypothesisParser } from '../src/index.js';

const UTTERANCE = ['check my order status', 'check 0.000 0.280 1.000000', 'my 0.290 0.400 0.900000', 'order 0.410 0.720 1.000000', 'status 0.730 1.220 0.800000', '<sil> 1.230 1.710 1.000000', ''].join('\n');
const SECOND = ['yes please', '<sil> 2.130 2.230 1.000000', 'yes 2.240 2.390 1.000000', 'please(2) 2.400 2.750 1.000000', ''].join('\n');

t.test('an utterance read whole: text, offsets of its first and last words, least confidence', async (t) => {
  t.same(new HypothesisParser().push(UTTERANCE), [{ text: 'check my order status', startMs: 0, endMs: 1220, confidence: 0.8 }]);
});

t.test('fillers do not count as words; alternate pronunciations do', async (t) => {
  t.same(new HypothesisParser().push(SECOND), [{ text: 'yes please', startMs: 2240, endMs: 2750, confidence: 1 }]);
});

t.test('two utterances in one read, or one split across reads', async (t) => {
  t.same(new HypothesisParser().push(UTTERANCE + SECOND).map((h) => h.text), ['check my order status', 'yes please']);
  const parser = new HypothesisParser();
  const cut = UTTERANCE.indexOf('order');
  t.same(parser.push(UTTERANCE.slice(0, cut)), [], 'a read ending mid-line waits');
  t.same(parser.push(UTTERANCE.slice(cut)), [{ text: 'check my order status', startMs: 0, endMs: 1220, confidence: 0.8 }]);
});

t.test('a read ending on a line break ends the utterance; later timings alone are ignored', async (t) => {
  const parser = new HypothesisParser();
  t.same(parser.push('cancel my subscription\ncancel 4.920 5.340 1.000000\n'), [{ text: 'cancel my subscription', startMs: 4920, endMs: 5340, confidence: 1 }]);
  t.same(parser.push('my 5.350 5.460 1.000000\n'), []);
});

t.test('empty hypotheses (noise) give nothing; the last line at EOF needs no line break', async (t) => {
  const parser = new HypothesisParser();
  t.same(parser.push('\n<sil> 0.000 0.500 1.000000\n'), []);
  t.same(parser.push('agent'), []);
  t.same(parser.end(), [{ text: 'agent' }]);
  t.same(parser.end(), []);
});
