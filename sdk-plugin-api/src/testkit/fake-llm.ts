/**
 * A scripted LlmProvider with realistic timing, for engine tests (on a VirtualClock) and the
 * pipeline benchmark (on a RealClock). It follows the LLM contract, so it passes llmConformance().
 */
import type { Clock } from '../clock.js';
import type { FinishReason, LlmCapabilities, LlmEvent, LlmProvider, LlmRequest, ToolCall } from '../providers/llm.js';
import { pause } from './abortable.js';
import { inducedError, type InducedFailure } from './induced-failure.js';
import { RealClock } from './real-clock.js';
import { SessionStats, type FakeStats, type SessionOutcome } from './session-stats.js';
import { textTokens } from './text-tokens.js';

/** A tool call to reply with; `arguments` as an object is JSON-encoded, `id` defaults to `call_<chat number>_<i>`. */
export interface FakeToolCall {
  name: string;
  arguments?: string | Record<string, unknown>;
  id?: string;
}

/** A reply: text, tool calls, or both (text first). */
export type FakeLlmReply = string | { text?: string; toolCalls?: readonly FakeToolCall[] };

/** Replies with `reply` when the last user message contains `when` (a string) or matches it. */
export interface FakeLlmRule {
  when: string | RegExp;
  reply: FakeLlmReply;
}

export interface FakeLlmOptions {
  /** Default `fake`. */
  name?: string;
  /** Default a RealClock. */
  clock?: Clock;
  /** `capabilities.models`; default `[]` (any). */
  models?: string[];
  /** `capabilities.tools`; default true. */
  tools?: boolean;
  /** Checked first, in order, against the last user message. */
  rules?: readonly FakeLlmRule[];
  /**
   * Otherwise: one reply per turn (the last one repeats), or a function of the request and the
   * turn (0-based count of replies the script gave). Default: one friendly sentence.
   */
  script?: readonly FakeLlmReply[] | ((request: LlmRequest, turn: number) => FakeLlmReply);
  /** Time to the first event; default 0. */
  firstTokenMs?: number;
  /** Time between later events; default 0. */
  tokenIntervalMs?: number;
  /** Characters per text-delta; default one word or CJK character per delta. */
  chunkChars?: number;
  /** How long an induced stall lasts before failing with `timeout`; default 1000 ms. */
  idleTimeoutMs?: number;
}

const DEFAULT_SCRIPT: readonly FakeLlmReply[] = ['Hello! How can I help you today?'];

/** Scripted LLM: replies by rule or turn, streamed at the configured pace; honours abort; can be made to fail. */
export class FakeLlmProvider implements LlmProvider {
  readonly name: string;
  readonly capabilities: LlmCapabilities;
  /** Every request, in order. */
  readonly requests: LlmRequest[] = [];
  private readonly sessions = new SessionStats();
  private readonly clock: Clock;
  private turn = 0;
  private failure: InducedFailure | undefined;

  constructor(private readonly options: FakeLlmOptions = {}) {
    this.name = options.name ?? 'fake';
    this.capabilities = { tools: options.tools ?? true, models: options.models ?? [] };
    this.clock = options.clock ?? new RealClock();
  }

  /** Calls, open chats, aborts, failures. */
  get stats(): FakeStats {
    return this.sessions;
  }

  /** Fails every chat from now on as a vendor would (see InducedFailure), until restore(). */
  induce(failure: InducedFailure): void {
    this.failure = failure;
  }

  restore(): void {
    this.failure = undefined;
  }

  chat(request: LlmRequest): AsyncIterable<LlmEvent> {
    return this.run(request);
  }

  private async *run(request: LlmRequest): AsyncGenerator<LlmEvent> {
    const end = this.sessions.start();
    const chatNumber = this.sessions.calls;
    this.requests.push(request);
    const { signal } = request;
    const failure = this.failure;
    let outcome: SessionOutcome = 'aborted';
    try {
      await pause(this.clock, this.options.firstTokenMs ?? 0, signal);
      if (signal?.aborted) return;
      if (failure === 'timeout') {
        await pause(this.clock, this.options.idleTimeoutMs ?? 1000, signal);
        if (signal?.aborted) return;
        throw inducedError(failure, this.name);
      }
      if (failure && failure !== 'disconnect') throw inducedError(failure, this.name);

      const reply = this.replyFor(request);
      const chunks = this.chunk(typeof reply === 'string' ? reply : (reply.text ?? ''));
      const calls: ToolCall[] = (typeof reply === 'string' ? [] : (reply.toolCalls ?? [])).map((call, i) => ({
        id: call.id ?? `call_${chatNumber}_${i}`,
        name: call.name,
        arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments ?? {}),
      }));
      const events: LlmEvent[] = [
        ...chunks.map((text): LlmEvent => ({ type: 'text-delta', text })),
        ...calls.map((call): LlmEvent => ({ type: 'tool-call', call })),
      ];
      for (const [i, event] of events.entries()) {
        await pause(this.clock, i === 0 ? 0 : (this.options.tokenIntervalMs ?? 0), signal);
        if (signal?.aborted) return;
        yield event;
        // A dropped connection: the vendor sent one event, then nothing.
        if (failure === 'disconnect') throw inducedError(failure, this.name);
      }
      if (failure === 'disconnect') throw inducedError(failure, this.name);
      if (signal?.aborted) return;
      const promptChars = request.messages.reduce((n, m) => n + m.content.length, 0);
      yield { type: 'usage', promptTokens: Math.ceil(promptChars / 4), completionTokens: events.length };
      if (signal?.aborted) return;
      const finishReason: FinishReason = calls.length > 0 ? 'tool_calls' : 'stop';
      outcome = 'completed';
      yield { type: 'done', finishReason };
    } catch (error) {
      outcome = 'failed';
      throw error;
    } finally {
      end(outcome);
    }
  }

  private replyFor(request: LlmRequest): FakeLlmReply {
    const lastUser = request.messages.findLast((m) => m.role === 'user')?.content ?? '';
    const rule = this.options.rules?.find(({ when }) => (typeof when === 'string' ? lastUser.includes(when) : when.test(lastUser)));
    if (rule) return rule.reply;
    const turn = this.turn++;
    const script = this.options.script ?? DEFAULT_SCRIPT;
    return typeof script === 'function' ? script(request, turn) : script[Math.min(turn, script.length - 1)]!;
  }

  private chunk(text: string): string[] {
    const size = this.options.chunkChars;
    if (!size) return textTokens(text);
    const chars = [...text];
    const chunks: string[] = [];
    for (let i = 0; i < chars.length; i += size) chunks.push(chars.slice(i, i + size).join(''));
    return chunks;
  }
}
