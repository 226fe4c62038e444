/**
 * The main thread's side of a peer hosted in a media worker: an RtcPeer whose calls become
 * messages. Bot audio is sent ahead of real time (`playoutBufferMs`) and paced by the worker;
 * `clearAudio()` answers at once from what was sent and not yet due to play, and tells the worker
 * to drop it. Caller audio arrives as transferred buffers and is stamped on this thread's clock.
 */
import {
  audioFrame,
  FRAME_MS,
  samplesPerFrame,
  VapiError,
  type AudioFrame,
  type Clock,
  type Logger,
  type RtcIceCandidate,
  type RtcPeer,
  type RtcPeerState,
} from '@vapi-cn/sdk-plugin-api';
import { checkBotFrame, stateError } from '../peer-misuse.js';
import { fromPlainError, type FromWorker, type ToWorker } from './protocol.js';

/** How a WorkerPeer reaches its worker (MediaWorkers provides it). */
export interface WorkerLink {
  post(message: ToWorker, transfer?: ArrayBuffer[]): void;
  /** The worker no longer hosts this peer (it closed, or the worker died). */
  release(id: number): void;
}

type StateListener = (state: RtcPeerState, error?: Error) => void;

export class WorkerPeer implements RtcPeer {
  private currentState: RtcPeerState = 'new';
  private readonly audioListeners = new Set<(frame: AudioFrame) => void>();
  private readonly candidateListeners = new Set<(candidate: RtcIceCandidate | null) => void>();
  private readonly stateListeners = new Set<StateListener>();
  private readonly pending = new Map<number, { resolve(sdp: string | undefined): void; reject(error: Error): void }>();
  private readonly frameSize: number;
  private nextReq = 1;
  /** Monotonic time at which the worker will have played everything sent (this thread's model). */
  private playoutEnd = 0;
  private closing: Promise<void> | undefined;
  private resolveClosed: () => void = () => {};
  private readonly closed = new Promise<void>((resolve) => (this.resolveClosed = resolve));

  private readonly link: WorkerLink;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly inputRate: number;
  private readonly outputRate: number;
  readonly playoutBufferMs: number;
  private listenerErrors = 0;
  private readonly incoming: AudioFrame;

  constructor(
    readonly id: number,
    options: { link: WorkerLink; clock: Clock; log: Logger; inputSampleRate: number; outputSampleRate: number; playoutBufferMs: number },
  ) {
    this.link = options.link;
    this.clock = options.clock;
    this.log = options.log;
    this.inputRate = options.inputSampleRate;
    this.outputRate = options.outputSampleRate;
    this.playoutBufferMs = options.playoutBufferMs;
    this.frameSize = samplesPerFrame(this.outputRate);
    this.incoming = audioFrame(new Int16Array(0), this.inputRate);
    this.link.post({ op: 'create', id });
  }

  get state(): RtcPeerState {
    return this.currentState;
  }

  async answer(offerSdp: string): Promise<string> {
    if (this.currentState !== 'new') throw stateError(this.closing ? 'answer() on a closed peer' : 'answer() was already called on this peer');
    this.currentState = 'connecting';
    return (await this.request((req) => ({ op: 'answer', id: this.id, req, sdp: offerSdp })))!;
  }

  async addIceCandidate(candidate: RtcIceCandidate | null): Promise<void> {
    if (this.closing) return;
    await this.request((req) => ({ op: 'candidate', id: this.id, req, candidate }));
  }

  sendFrame(frame: AudioFrame): boolean {
    checkBotFrame(frame, this.outputRate, this.frameSize);
    if (this.currentState !== 'connected') return false;
    const now = this.clock.monotonic();
    this.playoutEnd = Math.max(this.playoutEnd, now) + FRAME_MS;
    // A copy: the sender reuses its frame; the copy's buffer moves to the worker without another.
    const samples = frame.samples.slice();
    this.link.post({ op: 'frame', id: this.id, samples }, [samples.buffer as ArrayBuffer]);
    return true;
  }

  clearAudio(): number {
    const held = Math.max(0, this.playoutEnd - this.clock.monotonic());
    this.playoutEnd = 0;
    if (!this.closing) this.link.post({ op: 'clear', id: this.id });
    return held;
  }

  onAudio(listener: (frame: AudioFrame) => void): () => void {
    this.audioListeners.add(listener);
    return () => this.audioListeners.delete(listener);
  }

  onIceCandidate(listener: (candidate: RtcIceCandidate | null) => void): () => void {
    this.candidateListeners.add(listener);
    return () => this.candidateListeners.delete(listener);
  }

  onStateChange(listener: StateListener): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Closes the worker's peer; resolves once it reports `closed` (or its worker is gone). */
  close(): Promise<void> {
    if (!this.closing) {
      this.link.post({ op: 'close', id: this.id });
      this.closing = this.closed;
    }
    return this.closing;
  }

  // ---- from the worker (MediaWorkers routes messages here by id) ----

  receive(message: FromWorker): void {
    switch (message.op) {
      case 'audio':
        // One frame object, reused: listeners copy what they keep (the RtcPeer contract).
        this.incoming.samples = message.samples;
        this.incoming.timestamp = this.clock.monotonic();
        this.emitAudio(this.incoming);
        return;
      case 'local-candidate':
        for (const listener of this.candidateListeners) this.safely(() => listener(message.candidate));
        return;
      case 'state':
        this.setState(message.state, message.error ? fromPlainError(message.error) : undefined);
        return;
      case 'reply': {
        const waiter = this.pending.get(message.req);
        this.pending.delete(message.req);
        if (message.error) waiter?.reject(fromPlainError(message.error));
        else waiter?.resolve(message.sdp);
        this.releaseIfDone();
        return;
      }
    }
  }

  /** The worker died: the peer fails (its call ends) and counts as closed. */
  workerLost(error: VapiError): void {
    if (this.currentState === 'closed') return;
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
    if (this.currentState !== 'failed') this.setState('failed', error);
    this.setState('closed');
  }

  /**
   * The worker answers every request, even after its peer closed (an offer it rejected closes the
   * peer before the reply comes): replies are routed here until the last one is in.
   */
  private releaseIfDone(): void {
    if (this.currentState === 'closed' && this.pending.size === 0) this.link.release(this.id);
  }

  private request(message: (req: number) => Extract<ToWorker, { req: number }>): Promise<string | undefined> {
    const req = this.nextReq++;
    return new Promise((resolve, reject) => {
      this.pending.set(req, { resolve, reject });
      this.link.post(message(req));
    });
  }

  private setState(state: RtcPeerState, error?: Error): void {
    if (state === this.currentState) return;
    this.currentState = state;
    if (state === 'closed') {
      this.releaseIfDone();
      this.resolveClosed();
    }
    for (const listener of this.stateListeners) this.safely(() => listener(state, error));
  }

  private emitAudio(frame: AudioFrame): void {
    for (const listener of this.audioListeners) this.safely(() => listener(frame));
  }

  /** A listener that throws must not break the worker's message pump (as in WebRtcPeer). */
  private safely(call: () => void): void {
    try {
      call();
    } catch (error) {
      if (++this.listenerErrors === 1) this.log.error({ err: error }, 'a WebRTC peer listener threw (further errors are not logged)');
    }
  }
}

