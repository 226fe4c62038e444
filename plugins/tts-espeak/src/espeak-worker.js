// @ts-check
/**
 * One eSpeak NG instance on a worker thread. eSpeak's emscripten API synthesizes synchronously,
 * handing out ~100 ms chunks through a callback; here each chunk is posted to the main thread as
 * it is made, so the caller hears the first words while the rest is still being synthesized and
 * the server's event loop never stalls on synthesis.
 *
 * Plain JavaScript on purpose: worker threads do not inherit tsx's loader under Node 20, so a
 * .ts worker fails to start. The messages are typed on the main side (espeak-pool.ts).
 *
 * In:  { type: 'synthesize', id, text, voice, rate, pitch }
 * Out: { type: 'ready' } once, then per job { type: 'audio', id, samples } ... and
 *      { type: 'done', id } or { type: 'error', id, message }.
 * `workerData.cancel` (Int32Array on a SharedArrayBuffer) holds the id of a job to stop: the
 * callback reads it between chunks, so a cancelled job stops within one chunk (~1 ms of work).
 */
import { parentPort, workerData } from 'node:worker_threads';
import initEspeak from '@echogarden/espeak-ng-emscripten';

const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);
/** @type {Int32Array} */
const cancel = workerData.cancel;
const espeak = new (await initEspeak()).eSpeakNGWorker();
/** @type {string | undefined} */
let currentVoice;

port.on('message', (/** @type {{ id: number, text: string, voice: string, rate: number, pitch: number }} */ job) => {
  try {
    // Voice changes load voice data (a few ms for Mandarin): only when it changes.
    if (job.voice !== currentVoice) {
      if (espeak.set_voice(job.voice) !== 0) throw new Error(`eSpeak has no voice '${job.voice}'`);
      currentVoice = job.voice;
    }
    espeak.set_rate(job.rate);
    espeak.set_pitch(job.pitch);
    espeak.synthesize(job.text, (/** @type {Int16Array} */ samples) => {
      if (Atomics.load(cancel, 0) === job.id) return 1;
      // The chunk is a fresh copy (HEAP16.slice), so its buffer can be transferred.
      port.postMessage({ type: 'audio', id: job.id, samples }, [samples.buffer]);
      return 0;
    });
    port.postMessage({ type: 'done', id: job.id });
  } catch (error) {
    port.postMessage({ type: 'error', id: job.id, message: error instanceof Error ? error.message : String(error) });
    // After a wasm abort the module is unusable: exit, and the pool starts a fresh worker.
    process.exit(1);
  }
});
port.postMessage({ type: 'ready' });
