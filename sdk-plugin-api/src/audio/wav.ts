/**
 * WAV files: read PCM 8/16/24/32-bit and 32-bit float (mono or multi-channel, downmixed to mono)
 * into PCM16; write PCM16 mono. Malformed files are a bad_input VapiError naming what is wrong.
 */
import { badAudioError } from './audio-error.js';

export interface WavAudio {
  samples: Int16Array;
  sampleRate: number;
  /** Channels in the file (the samples are always mono). */
  channels: number;
}

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;

export function readWav(bytes: Uint8Array): WavAudio {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = (offset: number) => String.fromCharCode(bytes[offset]!, bytes[offset + 1]!, bytes[offset + 2]!, bytes[offset + 3]!);
  if (bytes.byteLength < 12 || text(0) !== 'RIFF' || text(8) !== 'WAVE') {
    throw badAudioError('VAPI_ERR_AUDIO_WAV_INVALID', 'not a WAV file (no RIFF/WAVE header)', 'give a .wav file, PCM or float');
  }
  let format = 0;
  let channels = 0;
  let sampleRate = 0;
  let bits = 0;
  let data: Uint8Array | undefined;
  let offset = 12;
  while (offset + 8 <= bytes.byteLength) {
    const id = text(offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > bytes.byteLength) throw badAudioError('VAPI_ERR_AUDIO_WAV_INVALID', 'WAV fmt chunk is truncated');
      format = view.getUint16(body, true);
      channels = view.getUint16(body + 2, true);
      sampleRate = view.getUint32(body + 4, true);
      bits = view.getUint16(body + 14, true);
      if (format === FORMAT_EXTENSIBLE && size >= 40) format = view.getUint16(body + 24, true);
    } else if (id === 'data') {
      // A streamed WAV may declare a larger size than was written: take what is there.
      data = bytes.subarray(body, Math.min(body + size, bytes.byteLength));
      break;
    }
    offset = body + size + (size % 2);
  }
  if (!format) throw badAudioError('VAPI_ERR_AUDIO_WAV_INVALID', 'WAV file has no fmt chunk');
  if (!data) throw badAudioError('VAPI_ERR_AUDIO_WAV_INVALID', 'WAV file has no data chunk');
  if (channels < 1 || sampleRate < 1) throw badAudioError('VAPI_ERR_AUDIO_WAV_INVALID', `WAV header declares ${channels} channels at ${sampleRate} Hz`);
  const supported = (format === FORMAT_PCM && [8, 16, 24, 32].includes(bits)) || (format === FORMAT_FLOAT && bits === 32);
  if (!supported) throw badAudioError('VAPI_ERR_AUDIO_WAV_UNSUPPORTED', `WAV format ${format} with ${bits}-bit samples is not supported`, 'convert to 16-bit PCM');
  const bytesPerSample = bits / 8;
  const frames = Math.floor(data.byteLength / (bytesPerSample * channels));
  const dataView = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const read = (i: number): number => {
    const at = i * bytesPerSample;
    if (format === FORMAT_FLOAT) {
      const v = dataView.getFloat32(at, true);
      return v !== v ? 0 : Math.max(-1, Math.min(1, v)) * 32767;
    }
    switch (bits) {
      case 8:
        return (dataView.getUint8(at) - 128) << 8;
      case 16:
        return dataView.getInt16(at, true);
      case 24:
        return ((dataView.getUint8(at) | (dataView.getUint8(at + 1) << 8) | (dataView.getInt8(at + 2) << 16)) >> 8);
      default:
        return dataView.getInt32(at, true) >> 16;
    }
  };
  const samples = new Int16Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += read(f * channels + c);
    samples[f] = Math.max(-32768, Math.min(32767, Math.round(sum / channels)));
  }
  return { samples, sampleRate, channels };
}

export function writeWav(samples: Int16Array, sampleRate: number): Uint8Array {
  const out = new Uint8Array(44 + samples.length * 2);
  const view = new DataView(out.buffer);
  const ascii = (offset: number, s: string) => {
    for (let i = 0; i < 4; i++) out[offset + i] = s.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + samples.length * 2, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, FORMAT_PCM, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii(36, 'data');
  view.setUint32(40, samples.length * 2, true);
  for (let i = 0; i < samples.length; i++) view.setInt16(44 + i * 2, samples[i]!, true);
  return out;
}
