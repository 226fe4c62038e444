/**
 * A FIFO of fixed-size PCM16 frames in a ring of reusable buffers. Buffers are allocated only when
 * the queue grows past its largest size so far; in steady state nothing is allocated.
 */
export class FrameQueue {
  private frames: Int16Array[] = [];
  private head = 0;
  private size = 0;

  constructor(readonly frameSize: number) {}

  /** Frames queued. */
  get length(): number {
    return this.size;
  }

  /** Appends a copy of `samples` (exactly frameSize long). */
  push(samples: Int16Array): void {
    if (this.size === this.frames.length) this.grow();
    this.frames[(this.head + this.size) % this.frames.length]!.set(samples);
    this.size++;
  }

  /** Copies the oldest frame into `into` and removes it; false when empty. */
  shift(into: Int16Array): boolean {
    if (this.size === 0) return false;
    into.set(this.frames[this.head]!);
    this.head = (this.head + 1) % this.frames.length;
    this.size--;
    return true;
  }

  /** Empties the queue, keeping the buffers for reuse. */
  clear(): void {
    this.head = 0;
    this.size = 0;
  }

  private grow(): void {
    const capacity = Math.max(8, this.frames.length * 2);
    const frames: Int16Array[] = [];
    for (let i = 0; i < this.size; i++) frames.push(this.frames[(this.head + i) % this.frames.length]!);
    while (frames.length < capacity) frames.push(new Int16Array(this.frameSize));
    this.frames = frames;
    this.head = 0;
  }
}
