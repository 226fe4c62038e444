import type { AudioStreamParams, StreamMix } from './audio-streamer.js';
import type { EmulatedCall } from './emulated-call.js';
import { separateString } from './separate-string.js';

/**
 * `uuid_audio_stream` (mod_audio_stream's API), argument handling as in its stream_function:
 * at most 6 arguments (the metadata gets the rest of the line), the mix type compared exactly,
 * the rate `8k`, `16k` or a number divisible by 8000, a ws:// or wss:// URL whose host has only
 * letters, digits, `-` and `.`. Output: `+OK Success\n`, `-ERR Operation Failed\n` or `-USAGE: ...`.
 */
export const AUDIO_STREAM_USAGE =
  '-USAGE: <uuid> [start | stop | send_text | pause | resume | graceful-shutdown ] [wss-url | path] [mono | mixed | stereo] [8000 | 16000] [metadata]\n';
const OK = '+OK Success\n';
const FAILED = '-ERR Operation Failed\n';
const URL_SHAPE = /^wss?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/\S*)?$/;

export function uuidAudioStream(args: string | undefined, findCall: (uuid: string) => EmulatedCall | undefined): string {
  const argv = args ? separateString(args, 6) : [];
  if (argv.length < 2 || (argv[1] === 'start' && argv.length < 4)) return AUDIO_STREAM_USAGE;
  const call = findCall(argv[0]);
  if (!call || call.hangupCause !== undefined) return FAILED;
  const stream = call.streaming;
  switch (argv[1].toLowerCase()) {
    case 'stop':
    case 'graceful-shutdown':
      if (!stream) return FAILED;
      stream.stop(argv[1].toLowerCase() === 'stop' ? argv[2] : undefined);
      return OK;
    case 'pause':
      return stream?.setPaused(true) ? OK : FAILED;
    case 'resume':
      return stream?.setPaused(false) ? OK : FAILED;
    case 'send_text':
      if (argv.length < 3) return FAILED;
      return stream?.sendText(argv[2]) ? OK : FAILED;
    case 'start':
      return start(call, argv) ? OK : FAILED;
    default:
      return FAILED;
  }
}

function start(call: EmulatedCall, argv: string[]): boolean {
  const mix = argv[3] as StreamMix;
  if (mix !== 'mono' && mix !== 'mixed' && mix !== 'stereo') return false;
  let rate = 8000;
  if (argv.length > 4) rate = argv[4] === '16k' ? 16000 : argv[4] === '8k' ? 8000 : Number.parseInt(argv[4], 10) || 0;
  if (!URL_SHAPE.test(argv[2]) || rate <= 0 || rate % 8000 !== 0 || rate > 64000) return false;
  const params: AudioStreamParams = {
    url: argv[2],
    mix,
    rate,
    metadata: argv.length > 5 ? argv[5] : undefined,
    bufferMs: bufferMs(call.getVariable('STREAM_BUFFER_SIZE')),
    heartbeatSec: Math.max(0, Number.parseInt(call.getVariable('STREAM_HEART_BEAT') ?? '0', 10) || 0),
    extraHeaders: extraHeaders(call.getVariable('STREAM_EXTRA_HEADERS')),
  };
  return call.startAudioStream(params);
}

/** STREAM_BUFFER_SIZE: milliseconds per binary frame, a multiple of 20 (else the default 20). */
function bufferMs(value: string | undefined): number {
  const ms = Number.parseInt(value ?? '', 10);
  return Number.isFinite(ms) && ms >= 20 && ms % 20 === 0 ? ms : 20;
}

/** STREAM_EXTRA_HEADERS: a JSON object of header names to string values (anything else is ignored). */
function extraHeaders(value: string | undefined): Record<string, string> {
  if (!value) return {};
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
    const out: Record<string, string> = {};
    for (const [name, v] of Object.entries(parsed)) {
      if (/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name) && (typeof v === 'string' || typeof v === 'number')) out[name] = String(v).replace(/[\r\n]/g, '');
    }
    return out;
  } catch {
    return {};
  }
}
