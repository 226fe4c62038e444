/**
 * The JSON body of `POST /chat/completions` for an LlmRequest: OpenAI's message and tool shapes,
 * streaming with usage, and the provider's defaults under the request's own values.
 */
import type { ChatMessage, LlmRequest, ToolDefinition } from '@vapi-cn/sdk-plugin-api';
import type { ProviderConfig } from './provider-config.js';

type WireMessage =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string; tool_calls?: WireToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

interface WireToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/**
 * Builds the body. Vendor fields (`extraBody`, then the request's `extra`) go in first, so they
 * can add fields such as Qwen's `enable_thinking` but cannot turn streaming off.
 */
export function buildRequestBody(request: LlmRequest, config: ProviderConfig): Record<string, unknown> {
  const body: Record<string, unknown> = { ...config.extraBody, ...request.extra };
  body.model = request.model ?? config.model;
  body.messages = request.messages.map(toWireMessage);
  body.stream = true;
  body.stream_options = { include_usage: true };
  if (request.tools && request.tools.length > 0) body.tools = request.tools.map(toWireTool);
  const temperature = request.temperature ?? config.temperature;
  if (temperature !== undefined) body.temperature = temperature;
  if (request.maxTokens !== undefined) body.max_tokens = request.maxTokens;
  return body;
}

function toWireMessage(message: ChatMessage): WireMessage {
  switch (message.role) {
    case 'system':
    case 'user':
      return { role: message.role, content: message.content };
    case 'assistant':
      return message.toolCalls && message.toolCalls.length > 0
        ? {
            role: 'assistant',
            content: message.content,
            tool_calls: message.toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } })),
          }
        : { role: 'assistant', content: message.content };
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
  }
}

function toWireTool(tool: ToolDefinition) {
  return { type: 'function', function: { name: tool.name, description: tool.description, parameters: tool.parameters } };
}
