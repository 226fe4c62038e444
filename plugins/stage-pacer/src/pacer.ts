/**
 * Real-time pacing of outbound audio. Tick n is due at start + n x 20 ms and each timer is set
 * for the next due time measured on the monotonic clock, so timer lateness never accumulates.
 * Ticks allocate nothing of their own (the clock's setTimeout is the only allocation).
 */
import {
  assertSampleRate,
  audioFrame,
  FRAME_MS,
  FrameChunker,
  VapiError,
  type AudioFrame,
  type AudioPacer,
  type AudioPacerOptions,
  type Clock,
  type PacerStats,
  type TimerHandle,
} from '@vapi-cn/sdk-plugin-api';
import { FrameQueue } from './frame-queue.js';

/** Node timers have millisecond granularity: firing less than this late is on time. */
const LATE_TOLERANCE_MS = 1;

/** Settings the pacer runs with: the contract's options with every default filled in. */
export type PacerSettings = Required<AudioPacerOptions>;

/**
 * See AudioPacer for the contract. Also:
 * - When the queue runs dry, audio shorter than a frame still waiting is sent padded with silence.
 * - After a stall, at most maxCatchUpFrames frames go out at once; the slots missed beyond that
 *   are skipped (their audio is delayed, not dropped), so the far end is not flooded.
 * - Frames carry their slot's due time as timestamp; `framesSent` counts every frame delivered,
 *   silence included, and `silenceFramesSent` the silence among them.
 */
export class RealtimePacer implements AudioPacer {
  private readonly clock: Clock;
  private readonly sampleRate: number;
  private readonly onFrame: (frame: AudioFrame) => void;
  private readonly fillSilence: boolean;
  private readonly maxCatchUpFrames: number;
  private readonly leadMs: number;
  /** Lead mode: monotonic time at which the far end will have played everything sent. */
  private playoutEnd = 0;
  private readonly chunker: FrameChunker;
  private readonly queue: FrameQueue;
  private readonly out: AudioFrame;
  private readonly counters: PacerStats = { framesSent: 0, silenceFramesSent: 0, lateTicks: 0, maxLateMs: 0 };
  private timer: TimerHandle | undefined;
  private running = false;
  /** Monotonic time of tick 0. */
  private origin = 0;
  /** Index of the next tick to serve. */
  private slot = 0;

  constructor(settings: PacerSettings) {
    assertSampleRate(settings.sampleRate);
    this.clock = settings.clock;
    this.sampleRate = settings.sampleRate;
    this.onFrame = settings.onFrame;
    this.fillSilence = settings.fillSilence;
    this.maxCatchUpFrames = Math.max(1, Math.floor(settings.maxCatchUpFrames));
    this.leadMs = Math.max(0, settings.leadMs);
    this.chunker = new FrameChunker(settings.sampleRate);
    this.queue = new FrameQueue(this.chunker.frameSize);
    this.out = audioFrame(new Int16Array(this.chunker.frameSize), settings.sampleRate);
  }

  get queuedMs(): number {
    return ((this.queue.length * this.chunker.frameSize + this.chunker.pending) * 1000) / this.sampleRate;
  }

  get stats(): Readonly<PacerStats> {
    return this.counters;
  }

  enqueue(frame: AudioFrame): void {
    if (frame.sampleRate !== this.sampleRate) {
      throw new VapiError(`pacer runs at ${this.sampleRate} Hz, got audio at ${frame.sampleRate} Hz`, {
        code: 'VAPI_ERR_PACER_SAMPLE_RATE',
        category: 'bad_input',
        fix: `resample to ${this.sampleRate} Hz before queueing`,
      });
    }
    this.chunker.push(frame.samples, this.store);
    // With a lead the far end paces: whole frames go out at once while the lead allows.
    if (this.leadMs > 0 && this.running) this.sendAhead(this.clock.monotonic(), false);
  }

  flush(): number {
    const dropped = this.queuedMs;
    this.queue.clear();
    this.chunker.reset();
    return dropped;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.origin = this.clock.monotonic();
    this.slot = 0;
    this.playoutEnd = this.origin;
    // Tick 0 is due now: served here, not after a timer hop that a busy event loop would delay.
    this.tick();
  }

  stop(): void {
    if (!this.running) return;
    this.running = false;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  // Bound once, so neither enqueue() nor a tick creates a closure.
  private readonly store = (samples: Int16Array): void => this.queue.push(samples);

  private readonly tick = (): void => {
    this.timer = undefined;
    const now = this.clock.monotonic();
    const late = now - (this.origin + this.slot * FRAME_MS);
    if (late > LATE_TOLERANCE_MS) {
      this.counters.lateTicks++;
      if (late > this.counters.maxLateMs) this.counters.maxLateMs = late;
    }
    if (this.leadMs > 0) {
      this.slot = Math.floor((now - this.origin) / FRAME_MS) + 1;
      this.sendAhead(now, true);
      if (this.running && this.timer === undefined) this.schedule();
      return;
    }
    // Slots whose time has come (none if the timer fired early), this one included.
    const due = Math.floor((now - this.origin) / FRAME_MS) + 1 - this.slot;
    const send = Math.min(due, this.maxCatchUpFrames);
    const first = this.slot + due - send;
    if (due > 0) this.slot += due;
    // Stop as soon as onFrame stops (or restarts) the pacer.
    for (let k = 0; k < send && this.running && this.timer === undefined; k++) this.send(first + k);
    if (this.running && this.timer === undefined) this.schedule();
  };

  private send(slot: number): void {
    if (this.queue.length === 0) this.chunker.flush(this.store);
    this.emit(this.origin + slot * FRAME_MS);
  }

  /** Sends the next frame (or silence, or nothing) stamped `timestamp`; false when nothing went. */
  private emit(timestamp: number): boolean {
    const stats = this.counters;
    if (!this.queue.shift(this.out.samples)) {
      if (!this.fillSilence) return false;
      this.out.samples.fill(0);
      stats.silenceFramesSent++;
    }
    stats.framesSent++;
    this.out.timestamp = timestamp;
    this.onFrame(this.out);
    return true;
  }

  /**
   * Lead mode: sends while what the far end holds stays under the lead. A partial frame is
   * padded only from the timer (`padPartial`), once no more audio came within a tick.
   */
  private sendAhead(now: number, padPartial: boolean): void {
    if (this.playoutEnd < now) this.playoutEnd = now;
    while (this.running && this.playoutEnd - now < this.leadMs) {
      if (padPartial && this.queue.length === 0) this.chunker.flush(this.store);
      if (!this.emit(this.playoutEnd)) return;
      this.playoutEnd += FRAME_MS;
    }
  }

  private schedule(): void {
    const delay = this.origin + this.slot * FRAME_MS - this.clock.monotonic();
    this.timer = this.clock.setTimeout(this.tick, Math.max(0, delay));
  }
}
