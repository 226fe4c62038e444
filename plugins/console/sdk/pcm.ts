/** PCM helpers with no browser dependency: a streaming resampler, Float32 <-> PCM16LE, 20 ms framing. */

/**
 * Streaming sample-rate converter for speech: a box low-pass (when going down) and linear
 * interpolation. Cheap and stateful across calls, so chunk boundaries do not click.
 */
export class StreamResampler {
  private buffer = new Float32Array(0);
  /** Position of the next output sample, in input samples from the start of `buffer`. */
  private position = 0;
  private readonly step: number;
  private readonly half: number;

  constructor(
    readonly inputRate: number,
    readonly outputRate: number,
  ) {
    if (!(inputRate > 0 && outputRate > 0)) throw new RangeError('sample rates must be positive');
    this.step = inputRate / outputRate;
    this.half = this.step > 1 ? Math.floor(this.step / 2) : 0;
  }

  process(input: Float32Array): Float32Array {
    if (this.inputRate === this.outputRate) return input.slice();
    const buffer = new Float32Array(this.buffer.length + input.length);
    buffer.set(this.buffer);
    buffer.set(input, this.buffer.length);
    const count = Math.max(0, Math.ceil((buffer.length - this.half - 1 - this.position) / this.step));
    const out = new Float32Array(count);
    let n = 0;
    while (n < count && this.position + this.half + 1 < buffer.length) {
      const i = Math.floor(this.position);
      const a = this.smooth(buffer, i);
      const b = this.smooth(buffer, i + 1);
      out[n++] = a + (b - a) * (this.position - i);
      this.position += this.step;
    }
    const keep = Math.max(0, Math.floor(this.position) - this.half);
    this.buffer = buffer.slice(keep);
    this.position -= keep;
    return n === count ? out : out.subarray(0, n);
  }

  private smooth(buffer: Float32Array, i: number): number {
    if (this.half === 0) return buffer[i]!;
    let sum = 0;
    let count = 0;
    for (let k = Math.max(0, i - this.half); k <= Math.min(buffer.length - 1, i + this.half); k++) {
      sum += buffer[k]!;
      count++;
    }
    return sum / count;
  }
}

export function floatToPcm16(samples: Float32Array): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i]!));
    out[i] = s < 0 ? Math.round(s * 32768) : Math.round(s * 32767);
  }
  return out;
}

/** PCM16LE bytes (as received from the server) to floats in -1..1. */
export function pcm16ToFloat(bytes: ArrayBuffer): Float32Array<ArrayBuffer> {
  const view = new DataView(bytes);
  const count = Math.floor(bytes.byteLength / 2);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = view.getInt16(i * 2, true) / 32768;
  return out;
}

/** Cuts a stream of samples into fixed-size frames (20 ms: rate / 50). */
export class FrameChunker {
  private readonly frame: Int16Array;
  private filled = 0;

  constructor(readonly size: number) {
    this.frame = new Int16Array(size);
  }

  push(samples: Int16Array, emit: (frame: Int16Array) => void): void {
    let offset = 0;
    while (offset < samples.length) {
      const take = Math.min(this.size - this.filled, samples.length - offset);
      this.frame.set(samples.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
      if (this.filled === this.size) {
        emit(this.frame.slice());
        this.filled = 0;
      }
    }
  }
}

/** Root mean square of samples in -1..1. */
export function rms(samples: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]! * samples[i]!;
  return samples.length ? Math.sqrt(sum / samples.length) : 0;
}
