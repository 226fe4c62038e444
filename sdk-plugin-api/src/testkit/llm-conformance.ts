/**
 * Conformance suite for LlmProvider (the rules in providers/llm.ts). Runs against your provider
 * talking to your fake vendor server; see ConformanceOptions for the hooks.
 */
import assert, { AssertionError } from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { isVapiError } from '../errors.js';
import type { LlmEvent, LlmProvider, LlmRequest } from '../providers/llm.js';
import type { ConformanceCase, ConformanceOptions } from './conformance-case.js';
import { completesWithin, within } from './deadline.js';
import { Drain } from './drain.js';
import { bounds, failureCases, induced, inducibleFailures } from './failure-cases.js';
import { assertNoLeakedResources, baselineResources } from './resource-leaks.js';
import { describeThrown } from './thrown.js';

export interface LlmConformanceOptions extends ConformanceOptions {
  /** A fresh provider, configured against your fake vendor server. Called once per case. */
  create(): LlmProvider | Promise<LlmProvider>;
  /** Merged over the default request (a system prompt and a user message asking to count to ten). */
  request?: Omit<Partial<LlmRequest>, 'signal'>;
  /**
   * A request (merged over the default) that offers `tools` and that your vendor answers with tool
   * calls, ideally chunked across several vendor messages. Without it, the tool-call case is skipped.
   */
  toolCallRequest?: Omit<Partial<LlmRequest>, 'signal'>;
}

const DEFAULT_REQUEST: LlmRequest = {
  messages: [
    { role: 'system', content: 'You are a concise assistant.' },
    { role: 'user', content: 'Count from one to ten, in words.' },
  ],
  maxTokens: 100,
};

const EVENT_TYPES = new Set<string>(['text-delta', 'reasoning-delta', 'tool-call', 'usage', 'done']);

/** The cases every LLM provider must pass. */
export function llmConformance(options: LlmConformanceOptions): ConformanceCase[] {
  const { abortMs, finishMs } = bounds(options);
  const request = (signal?: AbortSignal, more?: Partial<LlmRequest>): LlmRequest => ({
    ...DEFAULT_REQUEST,
    ...options.request,
    ...more,
    ...(signal ? { signal } : {}),
  });

  const fullChat = async (provider: LlmProvider, req: LlmRequest = request()) => {
    const drain = new Drain(provider.chat(req));
    await completesWithin(drain.done, finishMs, 'the chat');
    assertEndsWithOneDone(drain.items);
    return drain.items;
  };

  /** Aborts after the first event and checks that nothing but `done: aborted` follows. */
  const abortMidStream = async (provider: LlmProvider) => {
    const controller = new AbortController();
    const drain = new Drain(provider.chat(request(controller.signal)));
    await within(drain.first, finishMs, 'the first event');
    // Abort from a later event-loop turn, as the engine does (barge-in), not from the microtask that delivered the event.
    await nextTurn();
    drain.mark();
    controller.abort();
    await completesWithin(drain.done, abortMs, 'the end of the iteration after abort');
    assertOnlyAbortedDone(drain.afterMark, 'after abort');
  };

  /** Breaks out of the iteration after the first event, as a consumer that lost interest does. */
  const abandon = async (provider: LlmProvider) => {
    for await (const _event of provider.chat(request())) break;
  };

  const failingSession = async (provider: LlmProvider) => {
    for await (const _event of provider.chat(request()));
  };

  return [
    {
      name: 'lifecycle: declares capabilities, serves sequential and concurrent chats',
      run: async () => {
        const provider = await options.create();
        assert.ok(typeof provider.name === 'string' && provider.name !== '', 'name must be a non-empty string');
        assert.equal(typeof provider.capabilities.tools, 'boolean', 'capabilities.tools must be a boolean');
        assert.ok(Array.isArray(provider.capabilities.models), 'capabilities.models must be an array');
        await fullChat(provider);
        await fullChat(provider);
        await Promise.all([fullChat(provider), fullChat(provider)]);
      },
    },
    {
      name: 'order: text-delta events, then exactly one done, last',
      run: async () => {
        const events = await fullChat(await options.create());
        const texts = events.filter((e) => e.type === 'text-delta');
        assert.ok(texts.some((e) => e.text !== ''), 'no non-empty text-delta');
        const req = request();
        if (!req.tools?.length) assert.ok(!events.some((e) => e.type === 'tool-call'), 'a tool-call although the request offers no tools');
        const done = events.at(-1) as Extract<LlmEvent, { type: 'done' }>;
        assert.ok(done.finishReason === 'stop' || done.finishReason === 'length', `finishReason '${done.finishReason}', expected 'stop' or 'length'`);
      },
    },
    options.toolCallRequest
      ? {
          name: 'tool calls: each complete, once, before done with finishReason tool_calls',
          run: async () => {
            const provider = await options.create();
            const req = request(undefined, options.toolCallRequest);
            const offered = new Set((req.tools ?? []).map((t) => t.name));
            assert.ok(offered.size > 0, 'toolCallRequest must offer tools');
            assert.equal(provider.capabilities.tools, true, 'the provider calls tools but capabilities.tools is false');
            const events = await fullChat(provider, req);
            const calls = events.flatMap((e) => (e.type === 'tool-call' ? [e.call] : []));
            assert.ok(calls.length > 0, 'no tool-call event for toolCallRequest');
            for (const call of calls) {
              assert.ok(typeof call.id === 'string' && call.id !== '', `a tool call without an id: ${JSON.stringify(call)}`);
              assert.ok(offered.has(call.name), `a call of '${call.name}', which the request does not offer`);
              assert.equal(typeof call.arguments, 'string', `arguments must be the raw JSON string: ${JSON.stringify(call)}`);
              let parsed: unknown;
              assert.doesNotThrow(() => (parsed = JSON.parse(call.arguments)), `arguments are not complete JSON: ${call.arguments}`);
              assert.ok(typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed), `arguments must be a JSON object: ${call.arguments}`);
            }
            const ids = calls.map((c) => c.id);
            assert.equal(new Set(ids).size, ids.length, `a tool call was emitted more than once: ${ids.join(', ')}`);
            const done = events.at(-1) as Extract<LlmEvent, { type: 'done' }>;
            assert.equal(done.finishReason, 'tool_calls', 'finishReason after tool calls');
          },
        }
      : { name: 'tool calls: each complete, once, before done with finishReason tool_calls', skip: 'no toolCallRequest given', run: async () => undefined },
    {
      name: 'abort mid-stream ends the iteration promptly, without error or further events',
      run: async () => abortMidStream(await options.create()),
    },
    {
      name: 'an already aborted signal ends the iteration promptly, without error or events',
      run: async () => {
        const provider = await options.create();
        const drain = new Drain(provider.chat(request(AbortSignal.abort())));
        await completesWithin(drain.done, abortMs, 'the iteration with an aborted signal');
        assertOnlyAbortedDone(drain.items, 'for an aborted signal');
      },
    },
    {
      name: 'empty input: no messages completes, or throws a VapiError invalid_request or bad_input',
      run: async () => {
        const provider = await options.create();
        const drain = new Drain(provider.chat(request(undefined, { messages: [] })));
        try {
          await within(drain.done, finishMs, 'the chat without messages');
        } catch (error) {
          if (error instanceof AssertionError) throw error;
          assert.ok(isVapiError(error) && (error.category === 'invalid_request' || error.category === 'bad_input'), `a chat without messages threw ${describeThrown(error)}`);
          return;
        }
        assertEndsWithOneDone(drain.items);
      },
    },
    {
      name: 'no handles left open after aborted, abandoned, failed and complete chats',
      run: async () => {
        const provider = await options.create();
        const before = await baselineResources(options.leaks);
        await abortMidStream(provider);
        await abandon(provider);
        for (const failure of inducibleFailures(options)) await induced(options, provider, failure, failingSession);
        // Last, so the provider is shown to work after all that, and whatever a completed session keeps open is counted.
        await fullChat(provider);
        await assertNoLeakedResources(before, options.leaks);
      },
    },
    ...failureCases(options, () => options.create(), failingSession),
  ];
}

function assertEndsWithOneDone(events: readonly LlmEvent[]): void {
  for (const e of events) assert.ok(EVENT_TYPES.has(e.type), `unknown event type '${e.type}'`);
  const dones = events.filter((e) => e.type === 'done').length;
  assert.equal(dones, 1, `${dones} done events, expected exactly one`);
  assert.equal(events.at(-1)!.type, 'done', `events after done: ${JSON.stringify(events.slice(events.findIndex((e) => e.type === 'done') + 1))}`);
  for (const e of events) {
    if (e.type === 'usage') {
      assert.ok(Number.isInteger(e.promptTokens) && e.promptTokens >= 0 && Number.isInteger(e.completionTokens) && e.completionTokens >= 0, `malformed usage: ${JSON.stringify(e)}`);
    }
  }
}

function assertOnlyAbortedDone(events: readonly LlmEvent[], when: string): void {
  const extra = events.filter((e) => !(e.type === 'done' && e.finishReason === 'aborted'));
  assert.equal(extra.length, 0, `events ${when} (only done with finishReason 'aborted' may follow): ${JSON.stringify(extra)}`);
}
