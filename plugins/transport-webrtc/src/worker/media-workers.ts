/**
 * The pool of media worker threads that host WebRTC peers. Each new peer goes to the worker with
 * the fewest; workers start with the plugin and are replaced when one dies (its peers fail, and
 * their calls end with `VAPI_ERR_WEBRTC_WORKER`). Worker log lines are written here, through the
 * plugin's logger.
 */
import { Worker } from 'node:worker_threads';
import { VapiError, type Clock, type Logger, type RtcPeer } from '@vapi-cn/sdk-plugin-api';
import { MessageBatch } from './message-batch.js';
import { fromPlainError, type FromWorker, type MediaWorkerSetup, type ToWorker } from './protocol.js';
import { WorkerPeer } from './worker-peer.js';

const BOOT = new URL('./media-worker-boot.mjs', import.meta.url);

export interface MediaWorkersOptions {
  size: number;
  setup: MediaWorkerSetup;
  /** How far ahead of real time bot audio is sent to the worker that paces it. */
  playoutBufferMs: number;
  clock: Clock;
  log: Logger;
}

class MediaWorker {
  readonly thread: Worker;
  readonly peers = new Map<number, WorkerPeer>();
  /** Resolves once the worker has built its factories; rejects if it cannot. */
  readonly ready: Promise<void>;
  alive = true;
  private readonly outbox = new MessageBatch<ToWorker>((messages, transfer) => {
    if (this.alive) this.thread.postMessage(messages, transfer);
  });

  constructor(
    readonly index: number,
    options: MediaWorkersOptions,
    onExit: (worker: MediaWorker, error: VapiError) => void,
  ) {
    const { log } = options;
    this.thread = new Worker(BOOT, { workerData: { setup: options.setup, logLevel: log.level }, name: `vapi-cn-media-${index}` });
    let setReady: () => void = () => {};
    let failSetup: (error: Error) => void = () => {};
    this.ready = new Promise<void>((resolve, reject) => ((setReady = resolve), (failSetup = reject)));
    this.ready.catch(() => {});
    this.thread.on('message', (messages: FromWorker[]) => {
      for (const message of messages) {
        switch (message.op) {
          case 'ready':
            setReady();
            break;
          case 'setup-failed': {
            // A worker without its codecs can host nothing: it goes, and its peers fail (see exit).
            const error = fromPlainError(message.error);
            log.error({ err: error, worker: index }, 'a media worker could not build its codecs and pacer');
            failSetup(error);
            void this.thread.terminate();
            break;
          }
          case 'log':
            (message.id === undefined ? log : log.child({ peer: message.id }))[message.level](message.fields, message.msg);
            break;
          default:
            this.peers.get(message.id)?.receive(message);
        }
      }
    });
    this.thread.on('error', (error) => {
      log.error({ err: error, worker: index }, 'a media worker failed');
      failSetup(error);
    });
    this.thread.on('exit', (code) => {
      this.alive = false;
      const error = new VapiError(`media worker ${index} exited (code ${code}) with ${this.peers.size} WebRTC peers`, {
        code: 'VAPI_ERR_WEBRTC_WORKER',
        category: 'server',
        retryable: true,
        details: { worker: index, exitCode: code },
        fix: 'the call can be retried at once (a new worker takes it); the log line before this one says why the worker failed',
      });
      failSetup(error);
      onExit(this, error);
    });
  }

  post(message: ToWorker, transfer?: ArrayBuffer[]): void {
    this.outbox.push(message, transfer);
  }
}

export class MediaWorkers {
  private readonly workers: Array<MediaWorker | undefined>;
  private nextId = 1;
  private stopping = false;

  constructor(private readonly options: MediaWorkersOptions) {
    this.workers = Array.from({ length: options.size }, () => undefined);
  }

  /** Starts every worker; resolves when they are ready (rejects with the first that cannot start). */
  async start(): Promise<void> {
    for (let i = 0; i < this.workers.length; i++) this.workers[i] ??= this.spawn(i);
    await Promise.all(this.workers.map((worker) => worker!.ready));
  }

  get peerCount(): number {
    return this.workers.reduce((sum, worker) => sum + (worker?.peers.size ?? 0), 0);
  }

  create(): RtcPeer {
    let chosen = 0;
    for (let i = 0; i < this.workers.length; i++) {
      if ((this.workers[i]?.peers.size ?? 0) < (this.workers[chosen]?.peers.size ?? 0)) chosen = i;
    }
    const worker = (this.workers[chosen] ??= this.spawn(chosen));
    const id = this.nextId++;
    const peer = new WorkerPeer(id, {
      link: { post: (message, transfer) => worker.post(message, transfer), release: (peerId) => worker.peers.delete(peerId) },
      clock: this.options.clock,
      log: this.options.log,
      inputSampleRate: this.options.setup.inputSampleRate,
      outputSampleRate: this.options.setup.outputSampleRate,
      playoutBufferMs: this.options.playoutBufferMs,
    });
    worker.peers.set(id, peer);
    return peer;
  }

  /** Terminates every worker (their peers' calls have ended by then; any left fail). */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.workers.map((worker) => worker?.thread.terminate()));
  }

  private spawn(index: number): MediaWorker {
    return new MediaWorker(index, this.options, (worker, error) => {
      for (const peer of [...worker.peers.values()]) peer.workerLost(error);
      worker.peers.clear();
      // A replacement starts on the next create(), not in a loop should every start fail.
      if (this.workers[index] === worker) this.workers[index] = undefined;
      if (!this.stopping) this.options.log.warn({ err: error }, 'media worker exited; its calls were ended');
    });
  }
}
