/**
 * The LlmProvider: streams the dialogue's reply the way a model would, word by word (character by
 * character for CJK) at a configurable pace, then the tool call, then `done`. Aborting the
 * request's signal ends the stream at once, with no further events; it is not an error.
 */
import { randomUUID } from 'node:crypto';
import type { LlmCapabilities, LlmEvent, LlmProvider, LlmRequest } from '@vapi-cn/sdk-plugin-api';
import type { Dialogue } from './dialogue.js';
import type { Timing } from './real-time.js';
import { streamTokens } from './tokens.js';

export interface ScriptedLlmSettings {
  dialogue: Dialogue;
  /** Pause before the first event. */
  firstTokenMs: number;
  /** Pause before each later text or tool-call event. */
  tokenIntervalMs: number;
  time: Timing;
}

export class ScriptedLlm implements LlmProvider {
  readonly name = 'scripted';
  readonly capabilities: LlmCapabilities = { tools: true, models: [] };

  constructor(private readonly settings: ScriptedLlmSettings) {}

  chat(request: LlmRequest): AsyncIterable<LlmEvent> {
    return this.stream(request);
  }

  private async *stream(request: LlmRequest): AsyncGenerator<LlmEvent> {
    const { dialogue, firstTokenMs, tokenIntervalMs, time } = this.settings;
    const reply = dialogue.reply(request, time.now());
    const events: LlmEvent[] = streamTokens(reply.text).map((text) => ({ type: 'text-delta', text }));
    if (reply.toolCall) events.push({ type: 'tool-call', call: { id: `call_${randomUUID()}`, ...reply.toolCall } });
    events.push({ type: 'done', finishReason: reply.toolCall ? 'tool_calls' : 'stop' });
    for (const [i, event] of events.entries()) {
      const pause = i === 0 ? firstTokenMs : event.type === 'done' ? 0 : tokenIntervalMs;
      if (!(await this.pause(pause, request.signal))) return;
      yield event;
    }
  }

  /** Waits `ms`; false once the signal is aborted (checked again after each yield resumes). */
  private async pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
    if (ms > 0 && !signal?.aborted) {
      try {
        await this.settings.time.sleep(ms, signal);
      } catch (error) {
        if (!signal?.aborted) throw error;
      }
    }
    return !signal?.aborted;
  }
}
