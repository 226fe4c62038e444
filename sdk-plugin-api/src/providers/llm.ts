/**
 * Streaming chat completion with tool calls.
 *
 * Contract a vendor implements:
 * - `chat()` returns an async iterable of events; text arrives as `text-delta` as soon as the
 *   vendor sends it (do not buffer whole sentences: the engine segments for TTS).
 * - Reasoning ("thinking") text goes out as `reasoning-delta`, never as `text-delta`: it must not
 *   be spoken.
 * - Tool calls are assembled by the provider from however the vendor chunks them and emitted once
 *   each, complete, as `tool-call` with the raw JSON argument string.
 * - The last event is `done` with the finish reason; a failure is thrown from the iterator as a
 *   VapiError (auth, rate_limit, quota, timeout, server...). A stream that stalls longer than the
 *   provider's idle timeout fails with category `timeout`.
 * - Aborting `request.signal` ends the iteration promptly (within a few ms) and closes the
 *   connection; it is not an error.
 */

export interface ToolCall {
  id: string;
  name: string;
  /** Raw JSON text as the model produced it; the engine parses and validates it. */
  arguments: string;
}

export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls?: ToolCall[] }
  | { role: 'tool'; toolCallId: string; content: string };

export interface ToolDefinition {
  name: string;
  description: string;
  /** JSON schema of the arguments object. */
  parameters: Record<string, unknown>;
}

export interface LlmRequest {
  messages: ChatMessage[];
  tools?: ToolDefinition[];
  model?: string;
  temperature?: number;
  maxTokens?: number;
  extra?: Record<string, unknown>;
  signal?: AbortSignal;
}

export type FinishReason = 'stop' | 'tool_calls' | 'length' | 'content_filter' | 'aborted';

export type LlmEvent =
  | { type: 'text-delta'; text: string }
  | { type: 'reasoning-delta'; text: string }
  | { type: 'tool-call'; call: ToolCall }
  | { type: 'usage'; promptTokens: number; completionTokens: number }
  | { type: 'done'; finishReason: FinishReason };

export interface LlmCapabilities {
  tools: boolean;
  /** Known model names; an empty list means any name the vendor accepts. */
  models: string[];
}

export interface LlmProvider {
  readonly name: string;
  readonly capabilities: LlmCapabilities;
  chat(request: LlmRequest): AsyncIterable<LlmEvent>;
}
