/**
 * Inbound calls are routed by the called number: config routes (`numbers:`), store routes from
 * /v1/phone-numbers before them, a trunk's concurrent-call limit for calls the dialplan tagged
 * with `vapi_carrier`, and a refusal for numbers nothing routes.
 */
import t from 'tap';
import { CARRIER_PLUGINS } from './carriers.js';
import { ended, restClient, startWithFreeswitch, until } from './helpers.js';

const ASSISTANT = { stt: { provider: 'fake' }, llm: { provider: 'fake' }, tts: { provider: 'fake' }, firstMessageMode: 'assistant-first' };

async function server(t: Parameters<typeof startWithFreeswitch>[0], numbers: Record<string, string>) {
  const started = await startWithFreeswitch(t, {}, { plugins: { 'carrier-ronglian': CARRIER_PLUGINS['carrier-ronglian'] }, top: { numbers } });
  for (const id of ['sales', 'support']) {
    await started.store.assistants.create({ id, name: id, config: { ...ASSISTANT, firstMessage: `This is ${id}.` } });
  }
  /** The assistant the call was handed to, once its record says so. */
  const answeredBy = async (uuid: string): Promise<string | null | undefined> => {
    let record: { assistantId: string | null; status: string } | undefined;
    await until(async () => {
      record = await started.store.calls.get(uuid);
      return record?.status === 'in-progress' || record?.status === 'ended';
    }, `call ${uuid} to be taken`);
    return record!.assistantId;
  };
  return { ...started, api: restClient(started.kernel.url), answeredBy };
}

t.test('config routes, then a store route that wins over them', async (t) => {
  const { fs, store, api, answeredBy } = await server(t, { '4001234567': 'sales', '*': 'support' });
  const cases: Array<[string, string]> = [
    ['4001234567', 'sales'],
    ['+864001234567', 'sales'],
    ['13800138000', 'support'],
  ];
  for (const [to, expected] of cases) {
    const call = fs.placeCall({ from: '13900139000', to, dialplan: { type: 'park' } });
    t.equal(await answeredBy(call.uuid), expected, `${to} → ${expected}`);
    await call.waitForState('answered');
    call.hangup();
    t.equal((await ended(store, call.uuid)).endReason, 'caller-hangup');
  }

  const created = await api('/v1/phone-numbers', { method: 'POST', body: { pattern: '+86 400-123-4567', assistantId: 'support' } });
  t.equal(created.status, 201);
  const call = fs.placeCall({ from: '13900139000', to: '4001234567', dialplan: { type: 'park' } });
  t.equal(await answeredBy(call.uuid), 'support', 'the store route beats the config route for the same number');
  call.hangup();
  await ended(store, call.uuid);

  // The dialplan's own choice (vapi_assistant_id) beats routing.
  const chosen = fs.placeCall({ from: '13900139000', to: '4001234567', variables: { vapi_assistant_id: 'sales' }, dialplan: { type: 'park' } });
  t.equal(await answeredBy(chosen.uuid), 'sales');
  chosen.hangup();
  await ended(store, chosen.uuid);
});

t.test("a call tagged with a trunk at its limit is refused USER_BUSY and recorded carrier-limit", async (t) => {
  const { fs, store, answeredBy } = await server(t, { '*': 'support' });
  const tagged = { vapi_carrier: 'ronglian' };
  const first = fs.placeCall({ from: '13900139000', to: '075588886666', variables: tagged, dialplan: { type: 'park' } });
  t.equal(await answeredBy(first.uuid), 'support');
  t.match((await store.calls.get(first.uuid))!.metadata, { carrier: 'ronglian' });

  const over = fs.placeCall({ from: '13900139001', to: '075588886666', variables: tagged, dialplan: { type: 'park' } });
  await over.waitForState('hungup', 5000);
  t.equal(over.hangupCause, 'USER_BUSY');
  t.match(await ended(store, over.uuid), { direction: 'inbound', endReason: 'carrier-limit', metadata: { carrier: 'ronglian' } });

  // Untagged calls are not the trunk's: they go through.
  const untagged = fs.placeCall({ from: '13900139002', to: '075588886666', dialplan: { type: 'park' } });
  t.equal(await answeredBy(untagged.uuid), 'support');

  first.hangup();
  await ended(store, first.uuid);
  const again = fs.placeCall({ from: '13900139003', to: '075588886666', variables: tagged, dialplan: { type: 'park' } });
  t.equal(await answeredBy(again.uuid), 'support', 'the trunk takes calls again once one ended');
  again.hangup();
  untagged.hangup();
  await ended(store, again.uuid);
  await ended(store, untagged.uuid);
});

t.test('an untagged call to a number nothing routes is hung up UNALLOCATED_NUMBER', async (t) => {
  const { fs, store } = await server(t, { '4001234567': 'sales' });
  const call = fs.placeCall({ from: '13900139000', to: '13800138000', dialplan: { type: 'park' } });
  await call.waitForState('hungup', 5000);
  t.equal(call.hangupCause, 'UNALLOCATED_NUMBER');
  t.match(await ended(store, call.uuid), { endReason: 'assistant-not-found', toNumber: '13800138000' });
  t.equal(call.audioStream, undefined, 'no audio stream was started for it');
});
