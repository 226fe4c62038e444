/**
 * Outbound pacing: bot audio leaves at real time, one 20 ms frame per tick, scheduled against the
 * clock's monotonic time (tick n at start + n x 20 ms), so timer lateness never accumulates into
 * drift. Queued audio is what barge-in can still take back: `flush()` drops it at once.
 */
import type { Clock } from '../clock.js';
import type { WorkerPortable } from '../worker-recipe.js';
import type { AudioFrame } from '../frames.js';

export interface AudioPacerOptions {
  clock: Clock;
  sampleRate: number;
  /** Receives each frame when it is due. The frame may be reused after the callback. */
  onFrame(frame: AudioFrame): void;
  /** Send silence when the queue is empty, for transports that need a continuous stream. */
  fillSilence?: boolean;
  /** Frames sent at most in one tick to catch up after the process stalled (default 5). */
  maxCatchUpFrames?: number;
  /**
   * For far ends that buffer bot audio and play it at real time themselves (FreeSWITCH playing
   * files): audio is sent as soon as it is queued, up to this many ms ahead of real time, instead
   * of one frame per tick. Frames carry the time they will start playing. Default 0 (no lead).
   */
  leadMs?: number;
}

export interface PacerStats {
  framesSent: number;
  silenceFramesSent: number;
  /** Ticks that fired later than their due time, and the worst lateness seen. */
  lateTicks: number;
  maxLateMs: number;
}

export interface AudioPacer {
  /** Milliseconds of audio queued and not yet sent. */
  readonly queuedMs: number;
  readonly stats: Readonly<PacerStats>;
  /** Queues audio of any length (re-framed to 20 ms). */
  enqueue(frame: AudioFrame): void;
  /** Drops everything queued (barge-in); returns the milliseconds dropped. */
  flush(): number;
  /**
   * Starts the clock: tick 0 is now, so a frame already queued (or silence, with fillSilence) goes
   * out before start() returns, without waiting for a timer. Idempotent while running.
   */
  start(): void;
  /** Stops the clock; queued audio is kept unless flushed. Idempotent. */
  stop(): void;
}

export interface AudioPacerFactory extends WorkerPortable {
  readonly name: string;
  create(options: AudioPacerOptions): AudioPacer;
}
