/**
 * Realtime speech-to-speech (OpenAI Realtime, StepFun realtime...): one session carries audio in,
 * audio out, transcripts and tool calls, with the vendor doing turn detection.
 *
 * Contract a vendor implements:
 * - `connect()` resolves when the session is configured and ready for audio.
 * - `sendAudio()` never blocks; `interrupt()` cancels the response in progress (barge-in) and the
 *   session stops yielding its audio at once.
 * - `events` yields everything the session produces until `close()`; a failure is thrown from it
 *   as a VapiError. `close()` is idempotent.
 */
import type { AudioFrame } from '../frames.js';
import type { ToolCall, ToolDefinition } from './llm.js';

export interface RealtimeOptions {
  instructions: string;
  voice?: string;
  model?: string;
  tools?: ToolDefinition[];
  inputSampleRate: number;
  extra?: Record<string, unknown>;
  signal?: AbortSignal;
}

export type RealtimeEvent =
  | { type: 'audio'; frame: AudioFrame }
  | { type: 'transcript'; role: 'user' | 'assistant'; text: string; isFinal: boolean }
  | { type: 'speech-started' }
  | { type: 'speech-stopped' }
  | { type: 'tool-call'; call: ToolCall }
  | { type: 'response-done' };

export interface RealtimeSession {
  readonly events: AsyncIterable<RealtimeEvent>;
  sendAudio(frame: AudioFrame): void;
  sendText(text: string): void;
  sendToolResult(callId: string, result: string): void;
  interrupt(): void;
  close(): Promise<void>;
}

export interface RealtimeCapabilities {
  inputSampleRates: number[];
  outputSampleRate: number;
  voices: string[];
  tools: boolean;
}

export interface RealtimeProvider {
  readonly name: string;
  readonly capabilities: RealtimeCapabilities;
  connect(options: RealtimeOptions): Promise<RealtimeSession>;
}
