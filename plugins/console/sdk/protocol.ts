/** Messages of the voice WebSocket API (docs/transports.md), as the server sends them. */

export type ServerStatus = 'connected' | 'in-progress' | 'listening' | 'speaking' | 'ended';

/** Per-turn latencies in ms (absent when not measured in that turn). */
export interface TurnLatency {
  turn: number;
  sttFinalMs?: number;
  llmFirstTokenMs?: number;
  ttsFirstAudioMs?: number;
  voiceToVoiceMs?: number;
  endpointingMs?: number;
  bargeInStopMs?: number;
}

export type ServerMessage =
  | { type: 'status'; status: ServerStatus; call_id?: string; sample_rate?: number; encoding?: string; reason?: string }
  | { type: 'transcript'; role: 'user' | 'assistant'; text: string; is_final: boolean }
  | { type: 'response'; text: string; is_final: boolean }
  | { type: 'function_call'; function_name: string; arguments: unknown; call_id: string; awaits_result?: boolean; timeout_ms?: number }
  | { type: 'latency'; turn: TurnLatency }
  | { type: 'clear' }
  | { type: 'error'; code: string; message: string; fix?: string }
  | { type: 'sdp_answer'; sdp: string }
  | { type: 'ice_candidate'; candidate: RTCIceCandidateInit | null };

/** A JSON text message from the server, or undefined when it is not one this SDK knows. */
export function parseServerMessage(data: string): ServerMessage | undefined {
  let message: unknown;
  try {
    message = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof message !== 'object' || message === null || typeof (message as { type?: unknown }).type !== 'string') return undefined;
  return message as ServerMessage;
}

/** `ws(s)://host/path?api_key=…` for an http(s) (or ws(s)) base URL. */
export function voiceSocketUrl(baseUrl: string, path: string, apiKey: string): string {
  const url = new URL(path, baseUrl);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  url.searchParams.set('api_key', apiKey);
  return url.toString();
}
