/**
 * Outbound calls nobody answers, calls over a trunk's concurrent-call limit, and a call
 * cancelled with DELETE /v1/calls/:id while it rings.
 */
import t from 'tap';
import type { OriginateAttempt, OriginateScript } from '../../../test/freeswitch-emulator/index.js';
import { CALLEE, CARRIER_PLUGINS } from './carriers.js';
import { ended, restClient, startWithFreeswitch, until } from './helpers.js';

async function server(t: Parameters<typeof startWithFreeswitch>[0]) {
  const started = await startWithFreeswitch(t, {}, { plugins: CARRIER_PLUGINS });
  const api = restClient(started.kernel.url);
  const attempts: OriginateAttempt[] = [];
  let script: OriginateScript = { outcome: 'answer' };
  started.fs.onOriginate((attempt) => {
    attempts.push(attempt);
    return script;
  });
  const place = async (body: Record<string, unknown>): Promise<string> => {
    const placed = await api('/v1/calls', { method: 'POST', body: { assistantId: 'demo', to: CALLEE, ...body } });
    if (placed.status !== 201) throw new Error(`POST /v1/calls answered ${placed.status}: ${JSON.stringify(placed.body)}`);
    return placed.body.id as string;
  };
  const status = async (id: string) => (await started.store.calls.get(id))?.status;
  return { ...started, api, attempts, place, status, script: (next: OriginateScript) => void (script = next) };
}

t.test('busy, no answer and a failed call end with the outcome and the cause in an error event', async (t) => {
  const { store, place, script, attempts } = await server(t);
  const cases: Array<{ script: OriginateScript; body?: Record<string, unknown>; reason: string; code: string; cause: string }> = [
    { script: { outcome: 'busy', ringMs: 300 }, reason: 'busy', code: 'VAPI_ERR_DIAL_BUSY', cause: 'USER_BUSY' },
    // originate_timeout=1: FreeSWITCH gives up ringing after a second.
    { script: { outcome: 'no-answer' }, body: { timeoutMs: 1000 }, reason: 'no-answer', code: 'VAPI_ERR_DIAL_NO_ANSWER', cause: 'NO_ANSWER' },
    { script: { outcome: 'fail', cause: 'CALL_REJECTED' }, reason: 'failed', code: 'VAPI_ERR_DIAL_FAILED', cause: 'CALL_REJECTED' },
  ];
  for (const c of cases) {
    script(c.script);
    const id = await place({ carrier: 'aliyun', ...c.body });
    const record = await ended(store, id);
    t.match(record, { endReason: c.reason, answeredAt: null }, `${c.reason}: the record says how it ended`);
    t.match(await store.callEvents.list(id, { type: 'error' }), [{ payload: { code: c.code, outcome: c.reason, cause: c.cause } }], `${c.reason}: the cause is in an error event`);
  }
  t.equal(attempts[1]!.variables.originate_timeout, '1', 'the ringing time goes to FreeSWITCH in seconds');

  // Refused before FreeSWITCH is asked: a caller ID the trunk may not present, a carrier not enabled.
  const badCallerId = await place({ carrier: 'aliyun', from: '13912345678' });
  t.match(await ended(store, badCallerId), { endReason: 'failed' });
  t.match(await store.callEvents.list(badCallerId, { type: 'error' }), [{ payload: { code: 'VAPI_ERR_CARRIER_CALLER_ID' } }]);
  const noCarrier = await place({ carrier: 'no-such-trunk' });
  t.match(await ended(store, noCarrier), { endReason: 'failed' });
  t.match(await store.callEvents.list(noCarrier, { type: 'error' }), [{ payload: { code: 'VAPI_ERR_FREESWITCH_CARRIER_UNKNOWN', cause: 'NO_CARRIER' } }]);
  t.equal(attempts.length, 3, 'neither reached FreeSWITCH');
});

t.test("a trunk at its maxConcurrentCalls refuses further outbound calls until one ends", async (t) => {
  const { fs, store, place, script, attempts, status } = await server(t);
  script({ outcome: 'answer', ringMs: 800 });
  const first = await place({ carrier: 'ronglian' });
  await until(async () => (await status(first)) === 'ringing', 'the first call to ring');

  // Ringing counts: the trunk (maxConcurrentCalls: 1) is full.
  const refused = await place({ carrier: 'ronglian' });
  t.match(await ended(store, refused), { endReason: 'failed' });
  t.match(await store.callEvents.list(refused, { type: 'error' }), [{ payload: { code: 'VAPI_ERR_FREESWITCH_CARRIER_LIMIT', cause: 'CARRIER_LIMIT' } }]);
  t.equal(attempts.length, 1, 'FreeSWITCH was not asked to dial over the limit');

  // Another trunk is not affected.
  const other = await place({ carrier: 'hq' });
  await until(async () => (await status(other)) === 'in-progress', 'the call on another trunk');
  await until(async () => (await status(first)) === 'in-progress', 'the first call to be answered');
  const alsoRefused = await place({ carrier: 'ronglian' });
  t.match(await ended(store, alsoRefused), { endReason: 'failed' }, 'an answered call counts too');

  fs.findCall(first)!.hangup();
  await ended(store, first);
  const next = await place({ carrier: 'ronglian' });
  await until(async () => (await status(next)) === 'in-progress', 'a call once the trunk has room again');
  t.equal(attempts.filter((a) => a.gateway === 'ronglian').length, 2);
  fs.findCall(next)!.hangup();
  fs.findCall(other)!.hangup();
  await ended(store, next);
  await ended(store, other);
});

t.test('DELETE while ringing cancels: FreeSWITCH stops ringing (ORIGINATOR_CANCEL) and the trunk is free again', async (t) => {
  const { fs, api, store, place, script, status, transport } = await server(t);
  script({ outcome: 'answer', ringMs: 20_000 });
  const id = await place({ carrier: 'ronglian' });
  await until(async () => (await status(id)) === 'ringing', 'the call to ring');
  const channel = fs.findCall(id)!;
  t.equal(channel.state === 'ringing' || channel.state === 'early', true, 'the far end rings');

  const cancelled = await api(`/v1/calls/${id}`, { method: 'DELETE' });
  t.equal(cancelled.status, 200);
  t.match(cancelled.body, { status: 'ended', endReason: 'cancelled' });
  await channel.waitForState('hungup', 5000);
  t.equal(channel.hangupCause, 'ORIGINATOR_CANCEL', 'the channel was killed as a cancel, not left to ring');
  t.same(await store.callEvents.list(id, { type: 'error' }), [], 'a cancel is not an error');

  // The cancelled dial no longer holds the trunk's only slot.
  script({ outcome: 'answer' });
  const next = await place({ carrier: 'ronglian' });
  await until(async () => (await status(next)) === 'in-progress', 'the next call on the trunk');
  fs.findCall(next)!.hangup();
  await ended(store, next);
  t.equal(transport.activeLegs, 0);
});

t.test('server shutdown while a call rings: the dial is aborted and FreeSWITCH stops ringing', async (t) => {
  const { fs, kernel, place, script, status } = await server(t);
  script({ outcome: 'answer', ringMs: 20_000 });
  const id = await place({ carrier: 'hq' });
  await until(async () => (await status(id)) === 'ringing', 'the call to ring');
  const channel = fs.findCall(id)!;
  const reasons: string[] = [];
  kernel.calls.get(id)!.onEnd((reason) => void reasons.push(reason));
  await kernel.stop('test');
  t.same(reasons, ['server-shutdown']);
  await channel.waitForState('hungup', 5000);
  t.equal(channel.hangupCause, 'ORIGINATOR_CANCEL', 'the ringing channel was cancelled, not left ringing');
});
