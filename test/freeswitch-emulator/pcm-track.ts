/** 8 kHz PCM bookkeeping for one call leg: 20 ms = 160 samples. */
export const SAMPLES_PER_TICK = 160;
export const SILENCE_TICK: Readonly<Int16Array> = new Int16Array(SAMPLES_PER_TICK);

/** What the caller says: appended by `say()`, consumed 160 samples per tick once answered. */
export class PcmFifo {
  private readonly chunks: Int16Array[] = [];
  private offset = 0;
  private queued = 0;
  private readonly frame = new Int16Array(SAMPLES_PER_TICK);

  append(pcm: Int16Array): void {
    if (pcm.length === 0) return;
    this.chunks.push(pcm.slice());
    this.queued += pcm.length;
  }

  get pendingSamples(): number {
    return this.queued;
  }

  /** The next 20 ms; silence (zero padding) once the audio has run out. The view is reused. */
  readTick(): Int16Array {
    const frame = this.frame;
    let filled = 0;
    while (filled < SAMPLES_PER_TICK && this.chunks.length > 0) {
      const chunk = this.chunks[0];
      const take = Math.min(SAMPLES_PER_TICK - filled, chunk.length - this.offset);
      frame.set(chunk.subarray(this.offset, this.offset + take), filled);
      filled += take;
      this.offset += take;
      this.queued -= take;
      if (this.offset >= chunk.length) {
        this.chunks.shift();
        this.offset = 0;
      }
    }
    if (filled < SAMPLES_PER_TICK) frame.fill(0, filled);
    return frame;
  }
}

/** What the caller heard, kept in 1 s blocks so a long call does not reallocate one huge array. */
export class PcmRecorder {
  private static readonly BLOCK = 8000;
  private readonly blocks: Int16Array[] = [];
  private length = 0;

  append(frame: Readonly<Int16Array>): void {
    let written = 0;
    while (written < frame.length) {
      const inBlock = this.length % PcmRecorder.BLOCK;
      if (inBlock === 0) this.blocks.push(new Int16Array(PcmRecorder.BLOCK));
      const block = this.blocks[this.blocks.length - 1];
      const take = Math.min(frame.length - written, PcmRecorder.BLOCK - inBlock);
      block.set(frame.subarray(written, written + take), inBlock);
      written += take;
      this.length += take;
    }
  }

  get samples(): number {
    return this.length;
  }

  toInt16Array(): Int16Array {
    const out = new Int16Array(this.length);
    let offset = 0;
    for (const block of this.blocks) {
      const take = Math.min(block.length, this.length - offset);
      out.set(block.subarray(0, take), offset);
      offset += take;
    }
    return out;
  }
}
