/** A server with the scripted test transport and a `sales` assistant, for the outbound-call tests. */
import { coreRefs, transportRefs, type CallRecord } from '@vapi-cn/sdk-plugin-api';
import { VirtualClock } from '@vapi-cn/sdk-plugin-api/testkit';
import { eventually } from '../bus/wait-for.js';
import type { TestTransport } from '../fixtures/plugins/test-transport/index.js';
import { startKernel, testConfig } from '../helpers.js';

export const stage = (id: string) => ({ from: `../../../plugins/${id}` });

export const SALES = {
  stt: { provider: 'fake' },
  llm: { provider: 'fake' },
  tts: { provider: 'fake' },
  firstMessage: 'Welcome to {{shop}}.',
  vad: { minSpeechMs: 100, minSilenceMs: 200 },
};

export async function outboundServer(t: Parameters<typeof startKernel>[0], plugins: Record<string, unknown> = { 'fake-providers': {}, 'test-transport': {} }) {
  const clock = new VirtualClock();
  const { kernel, logs } = await startKernel(t, testConfig({ plugins }), {}, { clock });
  const store = kernel.resolve(coreRefs.store);
  await store.assistants.create({ id: 'sales', name: 'Sales', config: SALES });
  const transport = kernel.container.collection(transportRefs.transports).get('test') as TestTransport | undefined;
  const api = async (path: string, init: { method?: string; body?: unknown } = {}) => {
    const response = await fetch(`${kernel.url}${path}`, {
      method: init.method ?? 'GET',
      ...(init.body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(init.body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
  const record = async (id: string) => (await store.calls.get(id)) as CallRecord;
  const endedAs = async (id: string) => {
    await eventually(async () => (await record(id)).status === 'ended', `call ${id} to end`);
    return record(id);
  };
  return { kernel, logs, clock, store, transport: transport!, api, record, endedAs };
}

