/** Barge-in: aborting the signal, or leaving the loop, ends the synthesis at once, without error. */
import t from 'tap';
import { ENGLISH, espeak, frames, speak } from './helpers.js';

const tts = await espeak(t);
// Minutes of speech, so that the worker is still synthesizing when the abort comes.
const LONG = Array.from({ length: 40 }, (_, i) => `Sentence ${i + 1} goes on for a while, so that there is plenty left to say.`).join(' ');

t.test('aborting mid-synthesis ends the iteration within a few ms', async (t) => {
  const controller = new AbortController();
  let count = 0;
  let abortedAt = 0;
  let gap = 0;
  for await (const _ of tts.synthesize(LONG, { sampleRate: 22050, signal: controller.signal })) {
    if (abortedAt) gap = performance.now() - abortedAt;
    if (++count === 10) {
      abortedAt = performance.now();
      controller.abort();
    }
  }
  const endedAfter = performance.now() - abortedAt;
  t.equal(count, 10, 'no frame after the abort');
  t.equal(gap, 0);
  // Well under 1 ms on an idle machine; the margin is for a loaded CI runner (the rest of the
  // text would take seconds).
  t.ok(endedAfter < 1000, `iteration ended ${endedAfter.toFixed(2)} ms after the abort`);
});

t.test('an abort while waiting for audio wakes the iteration', async (t) => {
  const controller = new AbortController();
  const iterator = tts.synthesize(LONG, { sampleRate: 22050, signal: controller.signal })[Symbol.asyncIterator]();
  // The first next() waits for eSpeak's first chunk; abort before it can arrive.
  const pending = iterator.next();
  const start = performance.now();
  controller.abort();
  const result = await pending;
  t.ok(result.done || (await iterator.next()).done, 'ends');
  t.ok(performance.now() - start < 1000, `${(performance.now() - start).toFixed(2)} ms`);
});

t.test('an already aborted signal yields nothing', async (t) => {
  t.same(await frames(tts, ENGLISH, { signal: AbortSignal.abort() }), []);
});

t.test('the worker drops an abandoned job: the next synthesis does not wait for it', async (t) => {
  // A reference: the time a full LONG synthesis keeps the single worker busy.
  let start = performance.now();
  await speak(tts, LONG);
  const full = performance.now() - start;
  for await (const _ of tts.synthesize(LONG, { sampleRate: 22050 })) break;
  start = performance.now();
  const next = await speak(tts, ENGLISH);
  const waited = performance.now() - start;
  t.ok(next.length > 0);
  t.ok(waited < full / 2, `next synthesis took ${waited.toFixed(0)} ms; the abandoned one alone takes ${full.toFixed(0)} ms`);
});
