/** Shared by the tests that stream from the fake server. */
import type { LlmEvent, VapiError } from '@vapi-cn/sdk-plugin-api';
import { captureLogger, type CapturedLog } from '@vapi-cn/sdk-plugin-api/testkit';
import { OpenAiCompatibleLlm } from '../src/openai-compatible-llm.js';
import type { ProviderOptions } from '../src/options.js';
import { resolveProviderConfig } from '../src/provider-config.js';
import { FAKE_API_KEY, type FakeOpenAiServer } from './fake-openai-server.js';

/** A provider on the fake, with generous timeouts and no retries unless overridden. */
export function fakeProvider(fake: FakeOpenAiServer, options: Partial<ProviderOptions> = {}, logs: CapturedLog[] = []): OpenAiCompatibleLlm {
  const config = resolveProviderConfig('fake', {
    baseUrl: fake.baseUrl(),
    apiKey: FAKE_API_KEY,
    model: 'text',
    connectTimeoutMs: 5000,
    firstTokenTimeoutMs: 5000,
    idleTimeoutMs: 5000,
    maxRetries: 0,
    ...options,
  });
  return new OpenAiCompatibleLlm(config, captureLogger(logs));
}

export interface Outcome {
  events: LlmEvent[];
  error?: VapiError;
}

/** Drains a chat stream, catching what it throws. */
export async function drain(stream: AsyncIterable<LlmEvent>): Promise<Outcome> {
  const events: LlmEvent[] = [];
  try {
    for await (const event of stream) events.push(event);
  } catch (error) {
    return { events, error: error as VapiError };
  }
  return { events };
}

/** The text-delta events joined. */
export function textOf(events: LlmEvent[]): string {
  return events.map((e) => (e.type === 'text-delta' ? e.text : '')).join('');
}

/** Resolves with `fallback` if `promise` has not settled within `ms`. */
export function within<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout;
  return Promise.race([promise, new Promise<F>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)))]).finally(() => clearTimeout(timer));
}
