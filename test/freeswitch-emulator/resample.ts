/**
 * The little resampling the emulator needs: the channel runs at 8 kHz (PCMA), mod_audio_stream
 * sends 8000·k Hz, files come at 8/16 kHz or any WAV rate. Linear interpolation is plenty for a
 * test double; streams keep the last sample so 20 ms frames join without clicks.
 */

/** Upsamples 8 kHz frames by an integer factor, keeping state across frames. */
export class StreamUpsampler {
  private last = 0;

  constructor(readonly factor: number) {}

  /** Writes `input.length * factor` samples into `out` starting at `outOffset`. */
  process(input: Readonly<Int16Array>, out: Int16Array, outOffset = 0): void {
    const k = this.factor;
    if (k === 1) {
      out.set(input, outOffset);
      this.last = input.length ? input[input.length - 1] : this.last;
      return;
    }
    let prev = this.last;
    let o = outOffset;
    for (let i = 0; i < input.length; i++) {
      const cur = input[i];
      for (let j = 1; j <= k; j++) out[o++] = Math.round(prev + ((cur - prev) * j) / k);
      prev = cur;
    }
    this.last = prev;
  }
}

/** Whole-buffer conversion of a file's samples to 8 kHz. */
export function resampleTo8k(input: Int16Array, fromRate: number): Int16Array {
  if (fromRate === 8000) return input;
  if (fromRate % 8000 === 0) {
    // Integer decimation: average each group, a crude low-pass that keeps tones clean enough.
    const k = fromRate / 8000;
    const out = new Int16Array(Math.floor(input.length / k));
    for (let i = 0; i < out.length; i++) {
      let sum = 0;
      for (let j = 0; j < k; j++) sum += input[i * k + j];
      out[i] = Math.round(sum / k);
    }
    return out;
  }
  const outLength = Math.floor((input.length * 8000) / fromRate);
  const out = new Int16Array(outLength);
  const step = fromRate / 8000;
  for (let i = 0; i < outLength; i++) {
    const pos = i * step;
    const i0 = Math.floor(pos);
    const i1 = Math.min(i0 + 1, input.length - 1);
    const frac = pos - i0;
    out[i] = Math.round(input[i0] * (1 - frac) + input[i1] * frac);
  }
  return out;
}

/** Adds two frames with saturation (the `mixed` stream mode). */
export function mixInto(target: Int16Array, a: Readonly<Int16Array>, b: Readonly<Int16Array>): void {
  for (let i = 0; i < target.length; i++) {
    const s = a[i] + b[i];
    target[i] = s > 32767 ? 32767 : s < -32768 ? -32768 : s;
  }
}
