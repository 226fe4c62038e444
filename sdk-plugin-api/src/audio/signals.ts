/** Test signals and measurements shared by plugin tests and benchmarks. */

/** A sine tone as PCM16. `amplitude` is 0..1 of full scale. */
export function sineWave(frequency: number, sampleRate: number, durationMs: number, amplitude = 0.5, phase = 0): Int16Array {
  const n = Math.round((sampleRate * durationMs) / 1000);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(amplitude * 32767 * Math.sin(phase + (2 * Math.PI * frequency * i) / sampleRate));
  return out;
}

/** Deterministic white noise (xorshift32), so tests are repeatable. */
export function whiteNoise(sampleRate: number, durationMs: number, amplitude = 0.1, seed = 1): Int16Array {
  const n = Math.round((sampleRate * durationMs) / 1000);
  const out = new Int16Array(n);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = Math.round(amplitude * 32767 * ((state >>> 0) / 0xffffffff * 2 - 1));
  }
  return out;
}

/** Signal-to-noise ratio of `measured` against `reference`, in dB (equal lengths). */
export function snrDb(reference: Int16Array, measured: Int16Array): number {
  const n = Math.min(reference.length, measured.length);
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < n; i++) {
    signal += reference[i]! * reference[i]!;
    const d = reference[i]! - measured[i]!;
    noise += d * d;
  }
  return noise === 0 ? Infinity : 10 * Math.log10(signal / noise);
}

/** Dominant frequency by counting upward zero crossings (good enough for a clean tone). */
export function zeroCrossingFrequency(samples: Int16Array, sampleRate: number): number {
  let crossings = 0;
  for (let i = 1; i < samples.length; i++) if (samples[i - 1]! < 0 && samples[i]! >= 0) crossings++;
  return (crossings * sampleRate) / samples.length;
}

/** Concatenates PCM16 chunks. */
export function concatPcm(chunks: readonly Int16Array[]): Int16Array {
  const out = new Int16Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}
