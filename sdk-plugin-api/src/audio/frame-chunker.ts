/**
 * Re-frames PCM16 of any chunk size into exact frames (20 ms by default), as TTS audio and
 * network packets rarely arrive frame-aligned. One internal buffer, reused: the frame passed to
 * `onFrame` is valid only during the callback (copy it to keep it).
 */
import { FRAME_MS, samplesPerFrame } from '../frames.js';

export class FrameChunker {
  readonly frameSize: number;
  private readonly buffer: Int16Array;
  private filled = 0;

  constructor(readonly sampleRate: number, frameMs: number = FRAME_MS) {
    this.frameSize = samplesPerFrame(sampleRate, frameMs);
    this.buffer = new Int16Array(this.frameSize);
  }

  /** Samples waiting for a full frame. */
  get pending(): number {
    return this.filled;
  }

  push(samples: Int16Array, onFrame: (frame: Int16Array) => void): void {
    let offset = 0;
    while (offset < samples.length) {
      const take = Math.min(this.frameSize - this.filled, samples.length - offset);
      // A plain loop: `set(subarray(...))` would allocate a view per call on the hot path.
      const buffer = this.buffer;
      for (let i = 0; i < take; i++) buffer[this.filled + i] = samples[offset + i]!;
      this.filled += take;
      offset += take;
      if (this.filled === this.frameSize) {
        onFrame(this.buffer);
        this.filled = 0;
      }
    }
  }

  /** Emits what is left, padded with silence to a full frame; does nothing when empty. */
  flush(onFrame: (frame: Int16Array) => void): void {
    if (this.filled === 0) return;
    this.buffer.fill(0, this.filled);
    onFrame(this.buffer);
    this.filled = 0;
  }

  /** Drops what is buffered (barge-in). */
  reset(): void {
    this.filled = 0;
  }
}
