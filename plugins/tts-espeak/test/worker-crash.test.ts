/**
 * A worker that dies mid-synthesis (a wasm abort, an OOM kill) fails that job with a retryable
 * VapiError; a fresh worker takes over and the jobs queued behind it still complete.
 */
import t from 'tap';
import type { Worker } from 'node:worker_threads';
import { VapiError } from '@vapi-cn/sdk-plugin-api';
import { EspeakPool, type SynthesisRequest } from '../src/index.js';

const request = (text: string): SynthesisRequest => ({ text, voice: 'en-us', rate: 175, pitch: 50 });

/** Runs a job to its end: the number of samples, or the error it ended with. */
function run(pool: EspeakPool, text: string, onFirstAudio?: () => void): Promise<number | VapiError> {
  return new Promise((resolve) => {
    let samples = 0;
    pool.submit(request(text), {
      onAudio: (chunk) => {
        if (samples === 0) onFirstAudio?.();
        samples += chunk.length;
      },
      onEnd: (error) => resolve(error ?? samples),
    });
  });
}

t.test('the running job fails, the queued one completes on a replacement worker', async (t) => {
  const pool = await EspeakPool.start(1);
  t.teardown(() => pool.close());
  // The pool's own worker, killed from outside as the OS would.
  const kill = () => void ([...(pool as unknown as { slots: Set<{ worker: Worker }> }).slots][0]!.worker.terminate());
  const long = 'A long answer that takes a while to read out. '.repeat(20);
  const [crashed, queued] = await Promise.all([run(pool, long, kill), run(pool, 'Still here.')]);
  t.match(crashed, { code: 'VAPI_ERR_TTS_ENGINE', category: 'server', retryable: true });
  t.ok(typeof queued === 'number' && queued > 10_000, `queued job made ${String(queued)} samples`);
  t.equal(pool.size, 1, 'one worker again');
  t.ok(((await run(pool, 'And again.')) as number) > 10_000);
});
