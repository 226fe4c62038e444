import { readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { resampleTo8k } from './resample.js';

/**
 * Opens what `playback`/`uuid_broadcast` may play, as 8 kHz mono PCM (the channel's rate):
 * raw s16le `.r8`/`.r16`/`.r24`/`.r32` (mod_sndfile's raw extensions; there is no .r48), PCM
 * `.wav` at any rate, `tone_stream://%(on,off,freq[,freq2])` and `silence_stream://<ms>`.
 */
export type PlaybackSource =
  | { ok: true; samples: Int16Array; fileType?: 'tone_stream' | 'silence_stream' }
  | { ok: false; reason: 'not-found' | 'unsupported'; detail: string };

const RAW_RATES: Record<string, number> = { '.r8': 8000, '.r16': 16000, '.r24': 24000, '.r32': 32000 };
/** FreeSWITCH's tone_stream level measured in the captures: about 7200 RMS. */
const TONE_AMPLITUDE = 10180;

export function openPlaybackSource(path: string): PlaybackSource {
  if (path.startsWith('tone_stream://')) return toneStream(path.slice('tone_stream://'.length));
  if (path.startsWith('silence_stream://')) {
    const ms = Number.parseInt(path.slice('silence_stream://'.length), 10);
    if (!Number.isFinite(ms) || ms < 0) return { ok: false, reason: 'unsupported', detail: `bad silence_stream ${path}` };
    return { ok: true, samples: new Int16Array(Math.round(ms * 8)), fileType: 'silence_stream' };
  }
  let bytes: Buffer;
  try {
    if (!statSync(path).isFile()) return { ok: false, reason: 'not-found', detail: `${path} is not a file` };
    bytes = readFileSync(path);
  } catch {
    return { ok: false, reason: 'not-found', detail: `${path} does not exist` };
  }
  const ext = extname(path).toLowerCase();
  if (RAW_RATES[ext]) return { ok: true, samples: resampleTo8k(s16le(bytes), RAW_RATES[ext]) };
  if (ext === '.wav') return decodeWav(bytes, path);
  return { ok: false, reason: 'unsupported', detail: `no file format for ${ext || 'a file without extension'}` };
}

function s16le(bytes: Buffer, offset = 0, length = bytes.length - offset): Int16Array {
  const count = Math.floor(length / 2);
  const out = new Int16Array(count);
  for (let i = 0; i < count; i++) out[i] = bytes.readInt16LE(offset + i * 2);
  return out;
}

function decodeWav(bytes: Buffer, path: string): PlaybackSource {
  if (bytes.length < 12 || bytes.toString('ascii', 0, 4) !== 'RIFF' || bytes.toString('ascii', 8, 12) !== 'WAVE') {
    return { ok: false, reason: 'unsupported', detail: `${path} is not a RIFF/WAVE file` };
  }
  let offset = 12;
  let format: { channels: number; rate: number; bits: number; tag: number } | undefined;
  while (offset + 8 <= bytes.length) {
    const id = bytes.toString('ascii', offset, offset + 4);
    const size = bytes.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ' && body + 16 <= bytes.length) {
      format = {
        tag: bytes.readUInt16LE(body),
        channels: bytes.readUInt16LE(body + 2),
        rate: bytes.readUInt32LE(body + 4),
        bits: bytes.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!format || format.tag !== 1 || format.bits !== 16 || format.channels < 1 || format.rate < 1000) {
        return { ok: false, reason: 'unsupported', detail: `${path}: only 16-bit PCM WAV is supported` };
      }
      const interleaved = s16le(bytes, body, Math.min(size, bytes.length - body));
      const mono = new Int16Array(Math.floor(interleaved.length / format.channels));
      for (let i = 0; i < mono.length; i++) {
        let sum = 0;
        for (let c = 0; c < format.channels; c++) sum += interleaved[i * format.channels + c];
        mono[i] = Math.round(sum / format.channels);
      }
      return { ok: true, samples: resampleTo8k(mono, format.rate) };
    }
    offset = body + size + (size % 2);
  }
  return { ok: false, reason: 'unsupported', detail: `${path}: WAV without a data chunk` };
}

/** `%(on_ms,off_ms,freq[,freq...])` segments separated by `;`; played once. */
function toneStream(spec: string): PlaybackSource {
  const segments: Int16Array[] = [];
  for (const match of spec.matchAll(/%\(([^)]*)\)?/g)) {
    const [on, off, ...freqs] = match[1].split(',').map((v) => Number.parseFloat(v));
    if (!Number.isFinite(on) || !Number.isFinite(off) || freqs.length === 0 || freqs.some((f) => !Number.isFinite(f))) {
      return { ok: false, reason: 'unsupported', detail: `bad tone_stream segment %(${match[1]})` };
    }
    const tone = new Int16Array(Math.round(on * 8));
    for (let i = 0; i < tone.length; i++) {
      let v = 0;
      for (const f of freqs) v += Math.sin((2 * Math.PI * f * i) / 8000);
      tone[i] = Math.round((TONE_AMPLITUDE * v) / freqs.length);
    }
    segments.push(tone, new Int16Array(Math.round(off * 8)));
  }
  if (segments.length === 0) return { ok: false, reason: 'unsupported', detail: `tone_stream without %(...)` };
  const total = segments.reduce((n, s) => n + s.length, 0);
  const samples = new Int16Array(total);
  let offset = 0;
  for (const s of segments) {
    samples.set(s, offset);
    offset += s.length;
  }
  return { ok: true, samples, fileType: 'tone_stream' };
}
