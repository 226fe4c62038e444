/** Level meters. dBFS is relative to a full-scale square wave (a full-scale sine is -3 dBFS). */

export function rms(samples: Int16Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]! * samples[i]!;
  return Math.sqrt(sum / samples.length);
}

/** RMS level in dBFS; silence is -Infinity. */
export function dbfs(samples: Int16Array): number {
  const level = rms(samples);
  return level === 0 ? -Infinity : 20 * Math.log10(level / 32768);
}

export function peak(samples: Int16Array): number {
  let max = 0;
  for (let i = 0; i < samples.length; i++) {
    const v = Math.abs(samples[i]!);
    if (v > max) max = v;
  }
  return max;
}

/** Gain factor for a change in decibels. */
export function dbToGain(db: number): number {
  return Math.pow(10, db / 20);
}
