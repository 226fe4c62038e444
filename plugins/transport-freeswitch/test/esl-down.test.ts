/**
 * Calls whose events were missed while the Event Socket was down: a call that hung up meanwhile
 * is ended once the transport reconnects, and a parked call that arrived meanwhile is taken.
 */
import t from 'tap';
import { ended, heardRms, logLines, startWithFreeswitch, until } from './helpers.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

t.test('a call that hangs up while the Event Socket is down is ended after the reconnect', async (t) => {
  const { fs, store, logs, transport } = await startWithFreeswitch(t);
  const call = fs.placeCall({ from: '13800138000', to: '4001234567', variables: { vapi_assistant_id: 'demo' }, dialplan: { type: 'park' } });
  await call.waitFor((c) => c.audioStream?.connected === true, 5000, 'the audio stream');

  await fs.refuseEsl(true);
  fs.dropEslConnections();
  call.hangup('NORMAL_CLEARING');
  // Longer than the grace the transport gives a closed audio socket before it suspects the media.
  await sleep(3000);
  t.equal((await store.calls.get(call.uuid))?.status, 'in-progress', 'nothing is decided while FreeSWITCH cannot be asked');

  const reopenedAt = Date.now();
  await fs.refuseEsl(false);
  const record = await ended(store, call.uuid);
  t.equal(record.endReason, 'caller-hangup', 'ended as the hangup it was');
  t.ok((record.endedAt as Date).getTime() >= reopenedAt, 'closed after the reconnect');
  await until(() => logLines(logs, /Event Socket reconnected/).length > 0, 'the re-attach log line');
  t.equal(transport.activeLegs, 0);
});

t.test('a parked call that arrives while the Event Socket is down is taken after the reconnect', async (t) => {
  const { fs, store, logs } = await startWithFreeswitch(t);
  await fs.refuseEsl(true);
  fs.dropEslConnections();
  const call = fs.placeCall({ from: '13800138000', to: '4001234567', variables: { vapi_assistant_id: 'demo', vapi_var_customer: '张三' }, dialplan: { type: 'park' } });
  await sleep(500);
  t.equal(call.state, 'ringing', 'nobody answers while we cannot see it');

  await fs.refuseEsl(false);
  await call.waitForState('answered', 10_000);
  await call.waitFor((c) => c.audioStream?.connected === true, 5000, 'the audio stream');
  await until(() => heardRms(call, 0, 60_000) > 1000, 'the welcome to be heard');
  t.match(logLines(logs, /Event Socket reconnected/)[0], { kept: 0, adopted: 1 });
  const record = await store.calls.get(call.uuid);
  t.match(record, { assistantId: 'demo', fromNumber: '13800138000', toNumber: '4001234567', status: 'in-progress' }, "the dialplan's variables are honoured");
  call.hangup();
  t.equal((await ended(store, call.uuid)).endReason, 'caller-hangup');
});
