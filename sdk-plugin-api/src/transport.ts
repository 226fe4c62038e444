/**
 * Transports bring calls in and out: WebRTC, WebSocket audio, FreeSWITCH. A transport turns
 * whatever its wire carries into a CallLeg of 20 ms PCM16 frames and hands it to the engine.
 */
import { createCollectionRef } from './refs.js';
import type { AudioFrame, DtmfDigit } from './frames.js';
import type { CallDirection } from './store.js';

/** A value as JSON carries it (a client's tool result). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface CallLegEvents {
  /** Caller audio, PCM16 mono at `leg.inputSampleRate`, 20 ms per frame. */
  audio: (frame: AudioFrame) => void;
  dtmf: (digit: DtmfDigit) => void;
  /** A text message from the client (web transports). */
  text: (text: string) => void;
  /** The far end is gone; `cause` is transport-specific (`NORMAL_CLEARING`, `client-closed`...). */
  hangup: (cause: string) => void;
  /**
   * The client's result of a client tool: the answer to a `function-call` notice with
   * `awaitsResult`, by its `callId`; `result` as the client sent it (undefined: none). Legs with
   * `clientTools` emit it; the engine answers a result it is not waiting for with an `error` notice.
   */
  functionResult: (callId: string, result: JsonValue | undefined) => void;
}

export interface CallLeg {
  /** The call's id, also the CallScope id. */
  readonly id: string;
  readonly direction: CallDirection;
  readonly inputSampleRate: number;
  /** Rate the leg wants bot audio at; the engine resamples to it. */
  readonly outputSampleRate: number;
  /**
   * The far end buffers bot audio and plays it at real time itself (FreeSWITCH playing files):
   * the engine then sends audio as soon as it has it, up to this many ms ahead of real time,
   * and `clearAudio()` must say how much of it was taken back. Default: the engine paces.
   */
  readonly playoutBufferMs?: number;
  on<E extends keyof CallLegEvents>(event: E, listener: CallLegEvents[E]): void;
  off<E extends keyof CallLegEvents>(event: E, listener: CallLegEvents[E]): void;
  /** Queues bot audio for playback; the transport paces it at real time. */
  sendAudio(frame: AudioFrame): void;
  /** Drops bot audio queued but not yet played (barge-in). Returns the milliseconds dropped (not heard). */
  clearAudio(): number;
  /**
   * Sends DTMF tones to the far end: digits `0-9 * # A-D`, and with `dtmfPauses` also `w` (a
   * 500 ms pause) and `W` (1 s). Resolves once the tones are sent. Leave it out where the wire
   * cannot carry DTMF.
   */
  sendDtmf?(digits: string): Promise<void>;
  /** `sendDtmf` takes the pauses `w` and `W`; otherwise the engine waits between runs of digits itself. */
  readonly dtmfPauses?: boolean;
  /**
   * The leg's client runs client tools (the voice WebSocket API): it hears `function-call` notices
   * with `awaitsResult` and answers through the `functionResult` event. Needs `notify`; telephony
   * legs leave it out, and a client tool on such a call fails at once with a clear result.
   */
  readonly clientTools?: boolean;
  /** Blind transfer to a number or SIP URI. */
  transfer?(destination: string): Promise<void>;
  /** Hangs up; idempotent. */
  hangup(cause?: string): Promise<void>;
  /**
   * What happens in the conversation, for transports whose client shows it (a web page, an app):
   * transcripts, the bot's response text, status, tool calls, per-turn latency, errors. Optional;
   * telephony legs leave it out. Called synchronously by the engine: queue, do not block.
   */
  notify?(notice: CallNotice): void;
}

/** Per-turn latencies in ms, as in the end-of-call report. */
export interface TurnLatencyNotice {
  turn: number;
  sttFinalMs?: number;
  llmFirstTokenMs?: number;
  ttsFirstAudioMs?: number;
  voiceToVoiceMs?: number;
  endpointingMs?: number;
  bargeInStopMs?: number;
}

export type CallNotice =
  /** `listening`: the caller's turn; `speaking`: the bot's; `ended` with the reason. */
  | { type: 'status'; status: 'in-progress' | 'listening' | 'speaking' | 'ended'; reason?: string }
  /** What the caller said: interim hypotheses, then the final of each utterance. */
  | { type: 'transcript'; role: 'user'; text: string; isFinal: boolean }
  /** The bot's words, one sentence as it starts to be spoken; `isFinal` closes the turn with its whole text as heard. */
  | { type: 'response'; text: string; isFinal: boolean }
  /**
   * A tool the model called; `arguments` is its JSON text as the model wrote it. With
   * `awaitsResult` it is a client tool: the client runs it and answers with its result
   * (`functionResult`) within `timeoutMs`; otherwise the server runs it and this only informs.
   */
  | { type: 'function-call'; name: string; arguments: string; callId: string; awaitsResult?: boolean; timeoutMs?: number }
  | { type: 'latency'; turn: TurnLatencyNotice }
  | { type: 'error'; code: string; message: string; fix?: string };

/** How far an outbound call got before it was answered, for the call record. */
export type DialProgress = 'ringing' | 'early-media';

/**
 * Why an outbound call was not answered. `dial()` rejects with a VapiError whose
 * `details.outcome` is one of these (codes VAPI_ERR_DIAL_BUSY, VAPI_ERR_DIAL_NO_ANSWER,
 * VAPI_ERR_DIAL_FAILED) and whose `details.cause` is the carrier's cause (e.g. `USER_BUSY`).
 */
export type DialOutcome = 'busy' | 'no-answer' | 'failed';

export interface DialRequest {
  /** The call's id, chosen by the server before dialling; the leg it resolves with carries it. */
  callId: string;
  /** The number to call, as the caller wrote it; the carrier normalises it. */
  to: string;
  from?: string;
  /** Carrier plugin id to route through (telephony transports). */
  carrier?: string;
  assistantId?: string;
  /** Give up ringing after this long (outcome `no-answer`). */
  timeoutMs?: number;
  variables?: Record<string, string>;
  /** Progress before the answer, reported as it happens. */
  onProgress?(progress: DialProgress): void;
  /**
   * Aborted when the call is cancelled before it is answered (`DELETE /v1/calls/:id`, server
   * shutdown): stop ringing, release the channel and reject. A leg that resolves after the abort
   * is hung up by the server.
   */
  signal?: AbortSignal;
}

/** What a transport knows about a new call: which assistant (routing), who calls whom. */
export interface IncomingCall {
  assistantId?: string;
  /** Caller and callee numbers or URIs: stored with the call, never logged. */
  fromNumber?: string;
  toNumber?: string;
  /** Values for the assistant's `{{name}}` placeholders. */
  variables?: Record<string, string>;
  metadata?: Record<string, unknown>;
}

export interface Transport {
  readonly name: string;
  /**
   * Called by the engine once; the transport calls it back for every new leg. The returned
   * promise settles when the engine has taken the call (or refused it: the leg is hung up).
   */
  onCall(handler: (leg: CallLeg, call: IncomingCall) => Promise<void>): void;
  /**
   * Outbound calls, where the transport can place them. Resolves with the answered leg (the
   * server then hands it to the engine itself: the transport does not call its onCall handler
   * for it); rejects with a VapiError carrying a DialOutcome when nobody answers.
   */
  dial?(request: DialRequest): Promise<CallLeg>;
}

export const transportRefs = {
  transports: createCollectionRef<Transport>('transports'),
} as const;
