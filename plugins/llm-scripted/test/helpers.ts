import { providerRefs, type ChatMessage, type LlmEvent, type LlmProvider, type LlmRequest, type ToolDefinition } from '@vapi-cn/sdk-plugin-api';
import { setupPlugin, VirtualClock, type PluginHarness } from '@vapi-cn/sdk-plugin-api/testkit';
import plugin from '../src/index.js';

/** The plugin set up with `options`, on a virtual clock (2026-01-01T00:00Z) unless `clock` is null. */
export async function scripted(
  options: Record<string, unknown> = {},
  clock: VirtualClock | null = new VirtualClock(),
): Promise<{ llm: LlmProvider; harness: PluginHarness; clock: VirtualClock | null }> {
  const harness = await setupPlugin(plugin, { options, deps: clock ? { 'core.clock': clock } : {} });
  return { llm: harness.registry(providerRefs.llm).get('scripted')!, harness, clock };
}

/** All events of one chat (with no pauses configured, no clock needs advancing). */
export async function collect(llm: LlmProvider, request: LlmRequest): Promise<LlmEvent[]> {
  const events: LlmEvent[] = [];
  for await (const event of llm.chat(request)) events.push(event);
  return events;
}

export const TOOLS: ToolDefinition[] = ['endCall', 'transferCall', 'lookupOrder'].map((name) => ({ name, description: name, parameters: { type: 'object' } }));

/** A request whose last message is the caller saying `content`, offering TOOLS. */
export function saying(content: string, more: Partial<LlmRequest> = {}): LlmRequest {
  return { messages: [{ role: 'system', content: 'You are helpful.' }, { role: 'user', content }], tools: TOOLS, ...more };
}

/** The conversation after a tool call made for `content`, with the tool's `result`. */
export function afterTool(content: string, name: string, result: string): LlmRequest {
  const messages: ChatMessage[] = [
    { role: 'user', content },
    { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name, arguments: '{}' }] },
    { role: 'tool', toolCallId: 'call_1', content: result },
  ];
  return { messages, tools: TOOLS };
}

export function textOf(events: readonly LlmEvent[]): string {
  return events.map((event) => (event.type === 'text-delta' ? event.text : '')).join('');
}

export function toolCalls(events: readonly LlmEvent[]) {
  return events.flatMap((event) => (event.type === 'tool-call' ? [event.call] : []));
}
