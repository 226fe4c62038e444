/**
 * The three deadlines of one request, each with its own meaning: the response headers within
 * `connectTimeoutMs`; the first text, reasoning or tool-call delta within `firstTokenTimeoutMs`
 * of sending (DeepSeek's keep-alive comments while queued do not count); then no stall longer
 * than `idleTimeoutMs` while waiting for the next chunk. A passed deadline calls `onExpire`,
 * which aborts the request, and is remembered in `expired` to name the failure.
 */
import type { TimeoutPhase } from './errors.js';

/** The limits, in milliseconds (the provider's options of the same names). */
export interface Deadlines {
  connectTimeoutMs: number;
  firstTokenTimeoutMs: number;
  idleTimeoutMs: number;
}

/** Watches one request; dispose() it when the request ends. */
export class Watchdog {
  /** The deadline that passed, if one did. */
  expired: TimeoutPhase | undefined;
  private readonly connectTimer: NodeJS.Timeout;
  private readonly firstTokenTimer: NodeJS.Timeout;
  private idleTimer: NodeJS.Timeout | undefined;
  // The idle clock only runs while the reader waits: time the consumer spends between two
  // next() calls is not the vendor stalling.
  private waitingForChunk = false;

  constructor(
    private readonly deadlines: Deadlines,
    private readonly onExpire: () => void,
  ) {
    this.connectTimer = setTimeout(() => this.expire('connect'), deadlines.connectTimeoutMs);
    this.firstTokenTimer = setTimeout(() => this.expire('first-token'), deadlines.firstTokenTimeoutMs);
  }

  /** The response headers arrived. */
  responded(): void {
    clearTimeout(this.connectTimer);
  }

  /** The answer started: from now on only stalls between chunks count. */
  answering(): void {
    clearTimeout(this.firstTokenTimer);
    this.idleTimer ??= setTimeout(() => {
      if (this.waitingForChunk) this.expire('idle');
    }, this.deadlines.idleTimeoutMs);
  }

  /** About to wait for the next chunk. */
  waiting(): void {
    this.waitingForChunk = true;
    this.idleTimer?.refresh();
  }

  /** A chunk arrived. */
  received(): void {
    this.waitingForChunk = false;
  }

  /** The limit of `phase`, for the error message. */
  limitOf(phase: TimeoutPhase): number {
    return phase === 'connect' ? this.deadlines.connectTimeoutMs : phase === 'first-token' ? this.deadlines.firstTokenTimeoutMs : this.deadlines.idleTimeoutMs;
  }

  dispose(): void {
    clearTimeout(this.connectTimer);
    clearTimeout(this.firstTokenTimer);
    clearTimeout(this.idleTimer);
  }

  private expire(phase: TimeoutPhase): void {
    if (this.expired !== undefined) return;
    this.expired = phase;
    this.onExpire();
  }
}
