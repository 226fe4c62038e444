/**
 * PCM16 helpers. Audio inside the server is signed 16-bit little-endian mono; these convert at the
 * edges and check what comes in.
 */
import { SAMPLE_RATES } from '../frames.js';
import { badAudioError } from './audio-error.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * PCM16 samples from little-endian bytes. Zero-copy when the bytes are aligned (the usual case for
 * a WebSocket Buffer); copies otherwise. Odd lengths are malformed input.
 */
export function bytesToPcm16(bytes: Uint8Array): Int16Array {
  if (bytes.byteLength % 2 !== 0) {
    throw badAudioError('VAPI_ERR_AUDIO_ODD_LENGTH', `PCM16 audio must have an even number of bytes, got ${bytes.byteLength}`, 'send whole 16-bit samples');
  }
  if (LITTLE_ENDIAN && bytes.byteOffset % 2 === 0) return new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
  const out = new Int16Array(bytes.byteLength / 2);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt16(i * 2, true);
  return out;
}

/** Little-endian bytes of PCM16 samples (a view, not a copy, on little-endian machines). */
export function pcm16ToBytes(samples: Int16Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
  const out = new Uint8Array(samples.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < samples.length; i++) view.setInt16(i * 2, samples[i]!, true);
  return out;
}

/** Float samples (-1..1) to PCM16, clipping overflow and turning NaN into silence. */
export function floatToPcm16(input: Float32Array, out: Int16Array = new Int16Array(input.length)): Int16Array {
  for (let i = 0; i < input.length; i++) {
    const v = input[i]!;
    out[i] = v !== v ? 0 : v >= 1 ? 32767 : v <= -1 ? -32768 : Math.round(v * 32767);
  }
  return out;
}

export function pcm16ToFloat(input: Int16Array, out: Float32Array = new Float32Array(input.length)): Float32Array {
  for (let i = 0; i < input.length; i++) out[i] = input[i]! / 32768;
  return out;
}

/** Throws a bad_input VapiError unless `rate` is one of the supported sample rates. */
export function assertSampleRate(rate: number, allowed: readonly number[] = SAMPLE_RATES): void {
  if (!allowed.includes(rate)) {
    throw badAudioError('VAPI_ERR_AUDIO_SAMPLE_RATE', `unsupported sample rate ${rate} Hz`, `use one of ${allowed.join(', ')}`);
  }
}
