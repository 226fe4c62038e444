import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { coreRefs } from '@vapi-cn/sdk-plugin-api';
import { openStore } from '../../src/store/open-store.js';
import { startKernel, testConfig } from '../helpers.js';
import { callCounterRef } from '../fixtures/refs.js';

t.test('each call has its own scope, record and per-call services, closed at hangup', async (t) => {
  const { kernel, logs } = await startKernel(t, testConfig({ plugins: { greeter: {} } }));
  const calls = kernel.resolve(coreRefs.calls);
  const store = kernel.resolve(coreRefs.store);
  const a = await calls.open({ transport: 'test', direction: 'inbound', fromNumber: '13800138000', toNumber: '4001234567' });
  const b = await calls.open({ transport: 'test', direction: 'outbound' });
  const counterA = a.resolve(callCounterRef);
  t.equal(counterA.callId, a.id);
  t.equal(counterA.count(), 1);
  t.equal(a.resolve(callCounterRef).count(), 2, 'same instance within a call');
  t.equal(b.resolve(callCounterRef).count(), 1, 'separate instance per call');
  t.throws(() => kernel.resolve(callCounterRef), { code: 'VAPI_ERR_PLUGIN_MISSING_REF', fix: /call\.resolve/ });
  t.equal(a.resolve(coreRefs.store), store, 'server-wide refs resolve through the call');
  t.same(calls.active().map((c) => c.id).sort(), [a.id, b.id].sort());

  await a.answered();
  await a.event('transcript', { role: 'user', text: '你好' });
  let heard = '';
  a.onEnd((reason) => {
    heard = reason;
  });
  await a.end('caller-hangup');
  await a.end('again');
  t.equal(heard, 'caller-hangup');
  t.ok(counterA.closed, 'per-call service closed');
  t.ok(a.signal.aborted);
  const record = await store.calls.get(a.id);
  t.match(record, { status: 'ended', endReason: 'caller-hangup', fromNumber: '13800138000' });
  t.ok(record!.answeredAt && record!.endedAt);
  t.match(await store.callEvents.list(a.id), [{ type: 'transcript', payload: { text: '你好' } }]);
  t.same(calls.active().map((c) => c.id), [b.id]);
  t.notMatch(JSON.stringify(logs.lines), /13800138000|4001234567/, 'numbers never reach the log');
  t.ok(logs.lines.some((l) => l.callId === a.id && l.msg === 'call ended'), 'call log lines carry the call id');
});

t.test('shutdown drains: new calls are refused, active ones get time, the rest are ended; records survive', async (t) => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'vapi-drain-'));
  const { kernel } = await startKernel(t, testConfig({ server: { host: '127.0.0.1', port: 0, drainTimeoutMs: 300 }, store: { driver: 'pglite', dataDir } }));
  const calls = kernel.resolve(coreRefs.calls);
  const quick = await calls.open({ transport: 'test', direction: 'inbound' });
  const stubborn = await calls.open({ transport: 'test', direction: 'inbound' });
  const stopping = kernel.stop('SIGTERM');
  t.equal(calls.draining, true);
  await t.rejects(calls.open({ transport: 'test', direction: 'inbound' }), { code: 'VAPI_ERR_CALL_DRAINING', retryable: true });
  setTimeout(() => void quick.end('caller-hangup'), 50);
  await new Promise((r) => setTimeout(r, 120));
  t.equal(quick.ended, true);
  t.equal(stubborn.ended, false, 'still within the drain timeout');
  await stopping;
  t.equal(stubborn.ended, true);

  const store = await openStore({ driver: 'pglite', dataDir });
  t.teardown(() => store.close());
  t.match(await store.calls.get(quick.id), { status: 'ended', endReason: 'caller-hangup' });
  t.match(await store.calls.get(stubborn.id), { status: 'ended', endReason: 'server-shutdown' });
});
