/**
 * A fixed-capacity FIFO of PCM16 samples. It absorbs any difference between what Speex produces
 * for one input frame and the exact frame size the stage must emit. Allocation-free after
 * construction: samples are copied in loops, not through subarray() views.
 */
export class SampleFifo {
  private readonly buffer: Int16Array;
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.buffer = new Int16Array(capacity);
  }

  /** Samples queued. */
  get length(): number {
    return this.count;
  }

  /**
   * Appends `source[from .. from + count)`. Past capacity the oldest samples are dropped, which
   * bounds the delay even if the producer ran ahead.
   */
  push(source: Int16Array, from: number, count: number): void {
    if (count > this.capacity) {
      from += count - this.capacity;
      count = this.capacity;
    }
    this.makeRoom(count);
    const buffer = this.buffer;
    let at = this.start + this.count;
    for (let i = 0; i < count; i++) buffer[at++] = source[from + i]!;
    this.count += count;
  }

  /** Appends `count` zeros (silence before the first real sample). */
  pushZeros(count: number): void {
    count = Math.min(count, this.capacity);
    this.makeRoom(count);
    const at = this.start + this.count;
    this.buffer.fill(0, at, at + count);
    this.count += count;
  }

  /**
   * Moves the oldest `target.length` samples into `target`; if fewer are queued, the rest of
   * `target` is zero. Returns how many samples came from the queue.
   */
  shift(target: Int16Array): number {
    const n = Math.min(target.length, this.count);
    const buffer = this.buffer;
    const start = this.start;
    for (let i = 0; i < n; i++) target[i] = buffer[start + i]!;
    if (n < target.length) target.fill(0, n);
    this.start += n;
    this.count -= n;
    if (this.count === 0) this.start = 0;
    return n;
  }

  /** Empties the queue. */
  clear(): void {
    this.start = 0;
    this.count = 0;
  }

  // Keeps the queue contiguous: drop the oldest samples beyond capacity, then slide to the front.
  private makeRoom(incoming: number): void {
    const overflow = this.count + incoming - this.capacity;
    if (overflow > 0) {
      this.start += overflow;
      this.count -= overflow;
    }
    if (this.start + this.count + incoming > this.capacity) {
      this.buffer.copyWithin(0, this.start, this.start + this.count);
      this.start = 0;
    }
  }
}
