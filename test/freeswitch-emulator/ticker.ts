/**
 * One 20 ms clock for every emulated call (the benchmark runs 200 of them: one timer, not 200).
 * Drift-corrected: each deadline is start + n·20 ms, so timer lateness does not accumulate. When
 * the event loop stalls, missed ticks are replayed at once (up to a cap) so every call still gets
 * 50 frames per second on average, like a real media thread catching up.
 */
export interface TickListener {
  tick(tickIndex: number): void;
}

export const TICK_MS = 20;
const MAX_CATCH_UP_TICKS = 25;

export class SharedTicker {
  private readonly listeners = new Set<TickListener>();
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private ticks = 0;
  /** Ticks skipped because the process stalled longer than the catch-up cap. */
  skippedTicks = 0;
  /** Ticks that ran later than 5 ms after their deadline. */
  lateTicks = 0;

  add(listener: TickListener): void {
    this.listeners.add(listener);
    if (!this.timer) this.begin();
  }

  delete(listener: TickListener): void {
    this.listeners.delete(listener);
    if (this.listeners.size === 0) this.halt();
  }

  get size(): number {
    return this.listeners.size;
  }

  stop(): void {
    this.listeners.clear();
    this.halt();
  }

  private begin(): void {
    this.startedAt = performance.now();
    this.ticks = 0;
    this.schedule();
  }

  private halt(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    const deadline = this.startedAt + (this.ticks + 1) * TICK_MS;
    const delay = Math.max(0, deadline - performance.now());
    this.timer = setTimeout(() => this.run(), delay);
    // Tests that forget stop() must not hang the process on this timer.
    this.timer.unref();
  }

  private run(): void {
    this.timer = undefined;
    const now = performance.now();
    let due = Math.floor((now - this.startedAt) / TICK_MS) - this.ticks;
    if (due < 1) due = 1;
    if (now - (this.startedAt + (this.ticks + 1) * TICK_MS) > 5) this.lateTicks++;
    if (due > MAX_CATCH_UP_TICKS) {
      this.skippedTicks += due - MAX_CATCH_UP_TICKS;
      this.ticks += due - MAX_CATCH_UP_TICKS;
      due = MAX_CATCH_UP_TICKS;
    }
    for (let n = 0; n < due; n++) {
      this.ticks++;
      for (const listener of [...this.listeners]) {
        try {
          listener.tick(this.ticks);
        } catch {
          // One broken call must not stop the clock for the others.
        }
      }
    }
    if (this.listeners.size > 0) this.schedule();
  }
}
