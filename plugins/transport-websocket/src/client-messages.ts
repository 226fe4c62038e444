/**
 * Client → server JSON messages of the voice WebSocket API, parsed and checked: what a client
 * sends wrong gets a message that says what was expected, never an exception.
 */
import { protocolError } from './errors.js';
import type { JsonValue, VapiError } from '@vapi-cn/sdk-plugin-api';

export type AudioEncoding = 'pcm' | 'opus';

export interface StartMessage {
  type: 'start';
  assistantId: string;
  sampleRate: number;
  encoding: AudioEncoding;
  variables: Record<string, string>;
  /** WebRTC: the client's SDP offer; audio then flows over WebRTC, not this socket. */
  sdpOffer?: string;
}

export type ClientMessage =
  | StartMessage
  | { type: 'text'; text: string }
  | { type: 'function_result'; callId: string; result: JsonValue | undefined }
  | { type: 'ice_candidate'; candidate: Record<string, unknown> | null }
  | { type: 'stop' };

export const PCM_SAMPLE_RATES = [8000, 16000, 24000, 48000] as const;
export const OPUS_SAMPLE_RATES = [8000, 12000, 16000, 24000, 48000] as const;
const MAX_TEXT = 4000;
/** Models' tool call ids are a few dozen characters. */
const MAX_CALL_ID = 256;

export function parseClientMessage(data: string): ClientMessage | VapiError {
  let raw: unknown;
  try {
    raw = JSON.parse(data);
  } catch {
    return protocolError('a text message that is not JSON', 'send JSON objects such as {"type":"start","assistant_id":"…"}');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return protocolError('a message that is not a JSON object', 'send JSON objects with a "type"');
  }
  const message = raw as Record<string, unknown>;
  switch (message.type) {
    case 'start':
      return parseStart(message);
    case 'text':
      if (typeof message.text !== 'string' || !message.text.trim() || message.text.length > MAX_TEXT) {
        return protocolError('text.text must be a non-empty string', `send {"type":"text","text":"…"} of at most ${MAX_TEXT} characters`);
      }
      return { type: 'text', text: message.text };
    case 'function_result':
      if (typeof message.call_id !== 'string' || !message.call_id || message.call_id.length > MAX_CALL_ID) {
        return protocolError('function_result needs the call_id of the function_call it answers', 'send {"type":"function_result","call_id":"…","result":…}');
      }
      // Parsed from JSON, so a JSON value (or absent).
      return { type: 'function_result', callId: message.call_id, result: message.result as JsonValue | undefined };
    case 'ice_candidate': {
      const candidate = message.candidate;
      if (candidate !== null && (typeof candidate !== 'object' || Array.isArray(candidate))) {
        return protocolError('ice_candidate.candidate must be an RTCIceCandidateInit object or null', 'send the candidate from onicecandidate as JSON');
      }
      return { type: 'ice_candidate', candidate: candidate as Record<string, unknown> | null };
    }
    case 'stop':
      return { type: 'stop' };
    default:
      return protocolError(`unknown message type ${JSON.stringify(message.type ?? null)}`, 'use one of start, text, function_result, ice_candidate, stop', {
        type: message.type ?? null,
      });
  }
}

function parseStart(message: Record<string, unknown>): StartMessage | VapiError {
  const assistantId = message.assistant_id;
  if (typeof assistantId !== 'string' || !assistantId) {
    return protocolError('start needs an assistant_id', 'send {"type":"start","assistant_id":"<id of an assistant>"}');
  }
  const config = (message.config ?? {}) as Record<string, unknown>;
  if (typeof config !== 'object' || config === null || Array.isArray(config)) return protocolError('start.config must be an object', 'send config: {"sampleRate":16000,"encoding":"pcm"}');
  const encoding = config.encoding ?? 'pcm';
  if (encoding !== 'pcm' && encoding !== 'opus') return protocolError(`start.config.encoding ${JSON.stringify(encoding)} is not supported`, 'use "pcm" (16-bit little-endian mono) or "opus"');
  const rates: readonly number[] = encoding === 'pcm' ? PCM_SAMPLE_RATES : OPUS_SAMPLE_RATES;
  const sampleRate = config.sampleRate ?? 16000;
  if (typeof sampleRate !== 'number' || !rates.includes(sampleRate)) {
    return protocolError(`start.config.sampleRate ${JSON.stringify(sampleRate)} is not supported for ${encoding}`, `use one of ${rates.join(', ')}`);
  }
  const variables: Record<string, string> = {};
  if (message.variables !== undefined) {
    if (typeof message.variables !== 'object' || message.variables === null || Array.isArray(message.variables)) {
      return protocolError('start.variables must be an object of strings', 'send variables: {"name":"Li"}');
    }
    for (const [key, value] of Object.entries(message.variables)) variables[key] = String(value);
  }
  const sdpOffer = message.sdp_offer;
  if (sdpOffer !== undefined && (typeof sdpOffer !== 'string' || !sdpOffer.trim())) {
    return protocolError('start.sdp_offer must be an SDP string', 'send the offer from RTCPeerConnection.createOffer()');
  }
  return { type: 'start', assistantId, sampleRate, encoding, variables, ...(sdpOffer ? { sdpOffer } : {}) };
}
