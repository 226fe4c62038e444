/**
 * A fixed pool of eSpeak NG worker threads (espeak-worker.js), each with its own wasm instance,
 * taking synthesis jobs first come, first served. The wasm module is single-threaded and keeps
 * global state (the current voice), so one instance runs one job at a time; jobs beyond the pool
 * size wait their turn. A job's audio streams back chunk by chunk as the worker makes it.
 */
import { Worker } from 'node:worker_threads';
import { VapiError } from '@vapi-cn/sdk-plugin-api';

/** What to say and how; `voice` is an eSpeak voice name, `rate` words per minute, `pitch` 0-100. */
export interface SynthesisRequest {
  text: string;
  voice: string;
  rate: number;
  pitch: number;
}

/** Receives one job's audio. Neither is called after the job is cancelled. */
export interface SynthesisListener {
  /** A chunk of PCM16 at 22.05 kHz, owned by the listener. */
  onAudio(samples: Int16Array): void;
  /** The job finished (`error` undefined) or failed. Called once. */
  onEnd(error?: VapiError): void;
}

/** A submitted job; pass it to `cancel()`. */
export interface SynthesisJob {
  readonly id: number;
}

type WorkerMessage =
  | { type: 'ready' }
  | { type: 'audio'; id: number; samples: Int16Array }
  | { type: 'done'; id: number }
  | { type: 'error'; id: number; message: string };

interface Job extends SynthesisJob {
  readonly request: SynthesisRequest;
  readonly listener: SynthesisListener;
  cancelled: boolean;
}

interface Slot {
  readonly worker: Worker;
  /** Id of the job the worker should abandon (read by the worker between chunks). */
  readonly cancel: Int32Array;
  /** `failed`: the worker reported a wasm failure and is exiting; it takes no more jobs. */
  state: 'starting' | 'ready' | 'failed';
  job?: Job;
}

const WORKER_URL = new URL('./espeak-worker.js', import.meta.url);

function engineError(message: string, cause?: unknown): VapiError {
  return new VapiError(message, { code: 'VAPI_ERR_TTS_ENGINE', category: 'server', ...(cause === undefined ? {} : { cause }) });
}

export class EspeakPool {
  private readonly slots = new Set<Slot>();
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  private constructor() {}

  /**
   * Starts `size` workers and waits until each has loaded eSpeak (about 250 ms, in parallel).
   * Throws `VAPI_ERR_TTS_LOAD` when the wasm module cannot be loaded.
   */
  static async start(size: number): Promise<EspeakPool> {
    const pool = new EspeakPool();
    try {
      await Promise.all(Array.from({ length: size }, () => pool.spawn()));
    } catch (error) {
      await pool.close();
      throw new VapiError(`eSpeak NG failed to load: ${error instanceof Error ? error.message : String(error)}`, {
        code: 'VAPI_ERR_TTS_LOAD',
        category: 'invalid_request',
        cause: error,
        fix: 'install the dependencies of plugins/tts-espeak (npm install @echogarden/espeak-ng-emscripten)',
      });
    }
    return pool;
  }

  /** Workers alive or starting. */
  get size(): number {
    return this.slots.size;
  }

  /** Queues a job. Throws `VAPI_ERR_TTS_ENGINE` once the pool is closed or has no worker left. */
  submit(request: SynthesisRequest, listener: SynthesisListener): SynthesisJob {
    if (this.closed) throw engineError('the eSpeak TTS plugin is stopped');
    if (this.slots.size === 0) throw engineError('no eSpeak worker is running (a restart after a crash failed)');
    const job: Job = { id: this.nextId++, request, listener, cancelled: false };
    this.queue.push(job);
    this.dispatch();
    return job;
  }

  /** Drops a queued job, or stops a running one within one chunk. Its listener hears no more. */
  cancel(handle: SynthesisJob): void {
    const job = handle as Job;
    job.cancelled = true;
    const queued = this.queue.indexOf(job);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      return;
    }
    for (const slot of this.slots) if (slot.job === job) Atomics.store(slot.cancel, 0, job.id);
  }

  /** Ends running and queued jobs with an error and terminates the workers. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    const error = engineError('the eSpeak TTS plugin was stopped');
    const slots = [...this.slots];
    this.slots.clear();
    for (const slot of slots) if (slot.job) this.finish(slot, error);
    this.failQueued(error);
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private spawn(): Promise<void> {
    const cancel = new Int32Array(new SharedArrayBuffer(4));
    // No inherited execArgv: the worker is plain JS and needs no loader (under tap, inheriting
    // its loaders made each worker start in 1.5 s instead of 0.3 s).
    const slot: Slot = { worker: new Worker(WORKER_URL, { workerData: { cancel }, execArgv: [] }), cancel, state: 'starting' };
    this.slots.add(slot);
    let crash: unknown;
    return new Promise<void>((resolve, reject) => {
      slot.worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'ready') {
          slot.state = 'ready';
          slot.worker.unref();
          resolve();
          this.dispatch();
        } else {
          this.onMessage(slot, message);
        }
      });
      slot.worker.on('error', (error) => {
        crash = error;
      });
      slot.worker.on('exit', (code) => {
        if (!this.slots.delete(slot)) return; // closed on purpose
        const error = engineError(`eSpeak worker exited with code ${code}`, crash);
        if (slot.state === 'starting') {
          reject(crash ?? error);
          return;
        }
        if (slot.job) this.finish(slot, error);
        // One replacement per crash; if it cannot start either, queued jobs fail rather than wait.
        this.spawn().catch((cause) => {
          if (this.slots.size === 0) this.failQueued(engineError('eSpeak worker could not be restarted', cause));
        });
      });
    });
  }

  private onMessage(slot: Slot, message: Exclude<WorkerMessage, { type: 'ready' }>): void {
    const job = slot.job;
    if (!job || job.id !== message.id) return;
    if (message.type === 'audio') {
      if (!job.cancelled) job.listener.onAudio(message.samples);
    } else if (message.type === 'error') {
      slot.state = 'failed';
      this.finish(slot, engineError(`eSpeak failed: ${message.message}`));
    } else {
      this.finish(slot);
      this.dispatch();
    }
  }

  private finish(slot: Slot, error?: VapiError): void {
    const job = slot.job!;
    slot.job = undefined;
    // Idle workers do not keep the process alive.
    slot.worker.unref();
    if (!job.cancelled) job.listener.onEnd(error);
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.state !== 'ready' || slot.job) continue;
      const job = this.queue.shift()!;
      slot.job = job;
      slot.worker.ref();
      slot.worker.postMessage({ id: job.id, ...job.request });
    }
  }

  private failQueued(error: VapiError): void {
    for (const job of this.queue.splice(0)) job.listener.onEnd(error);
  }
}
