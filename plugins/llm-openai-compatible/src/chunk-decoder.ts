/**
 * Turns parsed `chat.completion.chunk` objects into LlmEvents: text and reasoning as they come,
 * tool calls once each when the answer finishes, then usage and `done` at the end of the stream.
 * Vendors' variations (protocols.md §3.2) are absorbed here: reasoning under `reasoning_content`
 * or `reasoning`, usage at the top level or inside the choice, their own finish reasons.
 */
import type { FinishReason, LlmEvent } from '@vapi-cn/sdk-plugin-api';
import { interruptedError, type ErrorContext } from './errors.js';
import { ToolCallAssembler, type ToolCallDelta } from './tool-call-assembler.js';

interface WireUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
}

interface WireChoice {
  index?: number;
  delta?: {
    content?: string | null;
    reasoning_content?: string | null;
    reasoning?: string | null;
    tool_calls?: ToolCallDelta[] | null;
  } | null;
  finish_reason?: string | null;
  usage?: WireUsage | null;
}

/** The parts of a chunk the decoder reads; everything is optional because vendors differ. */
export interface WireChunk {
  choices?: WireChoice[] | null;
  usage?: WireUsage | null;
}

const FINISH_REASONS: Readonly<Record<string, FinishReason>> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool_calls',
  content_filter: 'content_filter',
  sensitive: 'content_filter', // Zhipu GLM
};

// Reasons meaning the vendor broke off the answer on its side: DeepSeek (protocols.md §3.2)
// and Zhipu GLM (inference failure).
const INTERRUPTED = new Set(['insufficient_system_resource', 'network_error']);

/** Decodes the chunks of one answer; create one per request. */
export class ChunkDecoder {
  private readonly toolCalls = new ToolCallAssembler();
  private finishReason: FinishReason | undefined;
  private sentToolCalls = false;
  private usage: WireUsage | undefined;
  private answering = false;

  constructor(private readonly context: ErrorContext) {}

  /** True once the answer began: text, reasoning or a tool-call fragment arrived. */
  get started(): boolean {
    return this.answering;
  }

  /** True once a finish_reason arrived: the answer is complete even if `[DONE]` never comes. */
  get finished(): boolean {
    return this.finishReason !== undefined;
  }

  /** Appends the events `chunk` carries to `out`; throws a VapiError for an interrupted answer. */
  decode(chunk: WireChunk, out: LlmEvent[]): void {
    if (chunk.usage) this.usage = chunk.usage;
    if (!Array.isArray(chunk.choices)) return; // the usage chunk has `choices: []`
    for (const choice of chunk.choices) {
      if ((choice.index ?? 0) !== 0) continue; // only one choice is ever requested
      if (choice.usage) this.usage = choice.usage; // reported for Kimi
      const delta = choice.delta;
      if (delta) {
        // Thinking models send reasoning first; it must never be spoken, so it gets its own event.
        const reasoning = delta.reasoning_content ?? delta.reasoning;
        if (typeof reasoning === 'string' && reasoning !== '') {
          this.answering = true;
          out.push({ type: 'reasoning-delta', text: reasoning });
        }
        if (typeof delta.content === 'string' && delta.content !== '') {
          this.answering = true;
          out.push({ type: 'text-delta', text: delta.content });
        }
        if (Array.isArray(delta.tool_calls)) {
          for (const call of delta.tool_calls) this.toolCalls.add(call);
          this.answering = true;
        }
      }
      if (choice.finish_reason) this.finish(choice.finish_reason, out);
    }
  }

  /** Ends the stream (`[DONE]`, or the body ended after a finish_reason): usage, then `done`. */
  end(out: LlmEvent[]): void {
    if (this.finishReason === undefined) this.finish('stop', out);
    if (this.usage) {
      out.push({ type: 'usage', promptTokens: this.usage.prompt_tokens ?? 0, completionTokens: this.usage.completion_tokens ?? 0 });
    }
    out.push({ type: 'done', finishReason: this.finishReason ?? 'stop' });
  }

  private finish(vendorReason: string, out: LlmEvent[]): void {
    if (this.finishReason !== undefined) return;
    if (INTERRUPTED.has(vendorReason)) throw interruptedError(this.context, vendorReason);
    for (const call of this.toolCalls.take()) {
      out.push({ type: 'tool-call', call });
      this.sentToolCalls = true;
    }
    const reason = FINISH_REASONS[vendorReason] ?? 'stop';
    // Some servers end a tool-calling turn with 'stop'; the engine should still run the tools.
    this.finishReason = reason === 'stop' && this.sentToolCalls ? 'tool_calls' : reason;
  }
}
