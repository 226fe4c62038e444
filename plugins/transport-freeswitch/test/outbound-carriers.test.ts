/**
 * POST /v1/calls through each carrier plugin: the originate FreeSWITCH receives goes to the
 * carrier's gateway with the number and caller ID written the carrier's way and our variables;
 * answered, the record moves queued → ringing → in-progress and the bot speaks into the call.
 */
import t from 'tap';
import type { OriginateAttempt } from '../../../test/freeswitch-emulator/index.js';
import { CALLEE, CARRIER_PLUGINS } from './carriers.js';
import { ended, heardRms, restClient, startWithFreeswitch, until } from './helpers.js';

const CASES = [
  { carrier: 'ct-ims', number: '+8613900139000', callerId: '+862161234567', why: 'E.164 with +, the default caller ID' },
  { carrier: 'aliyun', from: '0571-8888-667', number: '889913900139000', callerId: '05718888667', why: 'the agreed prefix, an allowed caller ID' },
  { carrier: 'tencent', number: '013900139000', callerId: '02161234567', why: 'a 0 before a mobile of another area' },
  { carrier: 'ronglian', from: '0755 8888 6671', number: '13900139000', callerId: '075588886671', why: 'national, a caller ID from an allowed block' },
  { carrier: 'hq', number: '913900139000', callerId: '01066668888', why: "the PBX's outside-line digit" },
];

t.test('an answered outbound call through every carrier plugin', async (t) => {
  const { fs, kernel, store, transport } = await startWithFreeswitch(t, {}, { plugins: CARRIER_PLUGINS });
  const api = restClient(kernel.url);
  const attempts: OriginateAttempt[] = [];
  fs.onOriginate((attempt) => {
    attempts.push(attempt);
    return { outcome: 'answer', ringMs: 1000 };
  });

  for (const c of CASES) {
    const placed = await api('/v1/calls', { method: 'POST', body: { assistantId: 'demo', to: CALLEE, carrier: c.carrier, ...(c.from ? { from: c.from } : {}) } });
    t.equal(placed.status, 201, `${c.carrier}: placed`);
    t.match(placed.body, { status: 'queued', direction: 'outbound', transport: 'freeswitch' });
    const id = placed.body.id as string;
    const statuses = new Set<string>();
    await until(async () => {
      const status = (await store.calls.get(id))?.status;
      if (status) statuses.add(status);
      if (status === 'ended') throw new Error(`${c.carrier}: the call ended before the answer: ${JSON.stringify(await store.callEvents.list(id))}`);
      return status === 'in-progress';
    }, `${c.carrier}: the answer`);
    t.ok(statuses.has('ringing'), `${c.carrier}: the record was ringing before the answer`);

    const attempt = attempts.at(-1)!;
    t.equal(attempt.gateway, c.carrier, `${c.carrier}: its gateway`);
    t.equal(attempt.number, c.number, `${c.carrier}: ${c.why}`);
    t.match(attempt.variables, {
      vapi_carrier: c.carrier,
      origination_caller_id_number: c.callerId,
      origination_uuid: id,
      vapi_call_id: id,
      vapi_assistant_id: 'demo',
    }, `${c.carrier}: caller ID and our variables`);
    t.equal(attempt.destination, '&park()', `${c.carrier}: parked for us on answer`);

    const call = fs.findCall(id)!;
    t.ok(call, `${c.carrier}: the channel carries the call id`);
    await call.waitFor((fsCall) => fsCall.audioStream?.connected === true, 5000, 'the audio stream');
    await until(() => heardRms(call, 0, 60_000) > 1000, `${c.carrier}: the callee to hear the bot`);
    t.equal(transport.leg(id)?.carrier, c.carrier, `${c.carrier}: the leg counts against its trunk`);

    call.hangup('NORMAL_CLEARING');
    const record = await ended(store, id);
    t.match(record, { direction: 'outbound', assistantId: 'demo', endReason: 'caller-hangup' }, `${c.carrier}: ended`);
    t.ok(record.answeredAt, `${c.carrier}: answered`);
    const progress = await store.callEvents.list(id, { type: 'progress' });
    t.ok(progress.length > 0, `${c.carrier}: the ringing is in the record`);
  }
  t.equal(attempts.length, CASES.length);
  t.equal(transport.activeLegs, 0);
});
