/**
 * Soft clipping for the mix bus. Summed sources can exceed full scale; wrapping to PCM16 would
 * flip the sign of the loudest samples (a loud crack), and hard clipping adds harsh harmonics.
 */

/** Level (PCM16 units) where the curve starts to bend: -3 dBFS. Below it samples pass unchanged. */
export const SOFT_CLIP_KNEE = 32768 * Math.pow(10, -3 / 20);

const HEADROOM = 32767 - SOFT_CLIP_KNEE;

/**
 * Maps any level to within ±32767, keeping its sign: identity up to the knee, then a tanh curve
 * that meets the identity with the same slope (no corner) and approaches full scale without
 * reaching it.
 */
export function softClip(x: number): number {
  if (x > SOFT_CLIP_KNEE) return SOFT_CLIP_KNEE + HEADROOM * Math.tanh((x - SOFT_CLIP_KNEE) / HEADROOM);
  if (x < -SOFT_CLIP_KNEE) return -SOFT_CLIP_KNEE - HEADROOM * Math.tanh((-x - SOFT_CLIP_KNEE) / HEADROOM);
  return x;
}
