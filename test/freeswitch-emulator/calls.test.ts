/** Call control over inbound ESL: channel events, DTMF, answer, transfer, kill, variables, filters, myevents. */
import t, { type Test } from 'tap';
import { FreeSwitchEmulator } from './index.js';
import { describe, eventBody, eventHeader, eventHeaders, header, RawEslClient, type Frame } from './test-support.js';

async function setup(t: Test, subscribe = 'event json ALL') {
  const fs = await FreeSwitchEmulator.start({ heartbeatIntervalMs: 0 });
  const esl = await RawEslClient.login(fs.eslPort);
  t.teardown(async () => {
    esl.close();
    await fs.stop();
  });
  if (subscribe) await esl.command(subscribe);
  return { fs, esl };
}

const ofCall = (esl: RawEslClient, uuid: string) => esl.events().filter((f) => eventHeader(f, 'Unique-ID') === uuid);
const names = (frames: Frame[]) => frames.map((f) => eventHeader(f, 'Event-Subclass') ?? eventHeader(f, 'Event-Name'));

t.test('a parked inbound call: its lifecycle events, answered only when the app answers, caller hangup', async (t) => {
  const { fs, esl } = await setup(t);
  const call = fs.placeCall({ from: '13800138000', to: '4001', dialplan: { type: 'park' } });
  await esl.event('CHANNEL_PARK');
  t.same(names(ofCall(esl, call.uuid)), [
    'CHANNEL_STATE', 'CHANNEL_STATE', 'CHANNEL_CREATE', 'CHANNEL_CALLSTATE', 'CHANNEL_STATE', 'CHANNEL_STATE', 'CHANNEL_EXECUTE', 'CHANNEL_PARK',
  ]);
  const create = Object.fromEntries(eventHeaders(esl.events('CHANNEL_CREATE')[0]));
  t.match(create, {
    'Channel-State': 'CS_INIT', 'Call-Direction': 'inbound', 'Answer-State': 'ringing', 'Caller-Caller-ID-Number': '13800138000',
    'Caller-Destination-Number': '4001', 'Channel-Read-Codec-Name': 'PCMA', 'Channel-Read-Codec-Rate': '8000', variable_sip_from_user: '13800138000',
  });
  const seq = esl.events().map((f) => Number(eventHeader(f, 'Event-Sequence')));
  t.ok(seq.every((n, i) => i === 0 || n > seq[i - 1]), 'Event-Sequence increases');
  t.equal(call.state, 'ringing');
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.equal(call.state, 'ringing', 'a parked call is not answered by the switch');

  t.equal(await esl.api(`uuid_answer ${call.uuid}`), '+OK\n');
  t.equal(call.state, 'answered');
  t.equal(eventHeader(await esl.event('CHANNEL_ANSWER'), 'Answer-State'), 'answered');
  t.equal(await esl.api('uuid_answer 00000000-0000-0000-0000-000000000000'), '-ERROR\n');

  call.hangup('NORMAL_CLEARING');
  await esl.event('CHANNEL_DESTROY');
  const tail = names(ofCall(esl, call.uuid));
  t.same(tail.slice(tail.indexOf('CHANNEL_HANGUP')), [
    'CHANNEL_HANGUP', 'CHANNEL_UNPARK', 'CHANNEL_EXECUTE_COMPLETE', 'CHANNEL_STATE', 'CHANNEL_CALLSTATE', 'CHANNEL_STATE',
    'CHANNEL_HANGUP_COMPLETE', 'CHANNEL_DESTROY', 'CHANNEL_STATE',
  ]);
  const complete = Object.fromEntries(eventHeaders(esl.events('CHANNEL_HANGUP_COMPLETE')[0]));
  t.match(complete, { 'Hangup-Cause': 'NORMAL_CLEARING', 'Answer-State': 'hangup', variable_hangup_cause_q850: '16', variable_billsec: /^\d+$/ });
  t.equal(call.hangupCause, 'NORMAL_CLEARING');
  t.equal(await esl.api(`uuid_exists ${call.uuid}`), 'false', 'gone once destroyed');
});

t.test('DTMF: one event per digit with DTMF-Digit, DTMF-Duration, DTMF-Source; uuid_send_dtmf is recorded', async (t) => {
  const { fs, esl } = await setup(t, 'event plain DTMF');
  const call = fs.placeCall({ from: '1001', to: '1001', dialplan: { type: 'park' } });
  await esl.api(`uuid_answer ${call.uuid}`);
  await call.pressDigits('15#*', { intervalMs: 30 });
  await esl.until(() => esl.events('DTMF').length === 4, 3000, 'four DTMF events');
  t.same(esl.events('DTMF').map((f) => [eventHeader(f, 'DTMF-Digit'), eventHeader(f, 'DTMF-Duration'), eventHeader(f, 'DTMF-Source')]),
    [['1', '960', 'RTP'], ['5', '960', 'RTP'], ['#', '960', 'RTP'], ['*', '960', 'RTP']]);
  t.match(esl.events('DTMF')[2].body!.toString(), /\nDTMF-Digit: %23\n/, '# is URL-encoded in plain');
  t.notOk(eventHeaders(esl.events('DTMF')[0]).some(([n]) => n.startsWith('variable_')), 'DTMF events carry no variables');
  await t.rejects(call.pressDigits('12x'), /not DTMF/);
  t.equal(await esl.api(`uuid_send_dtmf ${call.uuid} 90#`), `+OK ${call.uuid} sent DTMF 90#.\n`);
  t.equal(call.dtmfSent, '90#');
  t.equal(await esl.api('uuid_send_dtmf 00000000-0000-0000-0000-000000000000 1'), '-ERR Cannot locate session!\n');
  t.equal(await esl.api(`uuid_send_dtmf ${call.uuid}`), '-USAGE: <uuid> <dtmf_data>\n');
});

t.test('uuid_transfer: recorded, the parked app ends, the call is routed again and parked; usage and missing channel', async (t) => {
  const { fs, esl } = await setup(t);
  const call = fs.placeCall({ from: '1001', to: '1001', dialplan: { type: 'park' } });
  await esl.api(`uuid_answer ${call.uuid}`);
  t.equal(await esl.api(`uuid_transfer ${call.uuid} -bleg 8001 XML agents`), '+OK\n');
  await esl.until(() => esl.events('CHANNEL_PARK').length === 2, 3000, 'parked again');
  t.same(call.transfers, ['8001']);
  const after = names(ofCall(esl, call.uuid));
  t.same(after.slice(after.indexOf('CHANNEL_ANSWER') + 2), ['CHANNEL_UNPARK', 'CHANNEL_EXECUTE_COMPLETE', 'CHANNEL_STATE', 'CHANNEL_STATE', 'CHANNEL_EXECUTE', 'CHANNEL_PARK']);
  const park = Object.fromEntries(eventHeaders(esl.events('CHANNEL_PARK')[1]));
  t.match(park, { 'Caller-Destination-Number': '8001', 'Caller-Context': 'agents', 'Caller-Profile-Index': '2' });
  t.equal(call.state, 'answered', 'a transfer does not hang up');
  t.equal(await esl.api(`uuid_transfer ${call.uuid}`), '-USAGE: <uuid> [-bleg|-both] <dest-exten> [<dialplan>] [<context>]\n');
  t.equal(await esl.api('uuid_transfer 00000000-0000-0000-0000-000000000000 8001'), '-ERR No such channel!\n');
});

t.test('uuid_kill: the capture\'s text for a missing channel, the cause on the hangup events; hupall', async (t) => {
  const { fs, esl } = await setup(t);
  t.equal(await esl.api('uuid_kill 00000000-0000-0000-0000-000000000000'), '-ERR No such channel!\n');
  t.equal(await esl.api('uuid_kill'), '-USAGE: <uuid> [cause]\n');
  const call = fs.placeCall({ from: '1001', to: '1001', dialplan: { type: 'park' } });
  t.equal(await esl.api(`uuid_kill ${call.uuid} USER_BUSY`), '+OK\n');
  t.equal(eventHeader(await esl.event('CHANNEL_HANGUP'), 'Hangup-Cause'), 'USER_BUSY');
  t.equal(call.hangupCause, 'USER_BUSY');
  const a = fs.placeCall({ from: '1', to: '1', dialplan: { type: 'park' } });
  const b = fs.placeCall({ from: '2', to: '1', dialplan: { type: 'park' } });
  t.equal(await esl.api('hupall'), '+OK hangup all channels with cause MANAGER_REQUEST\n');
  t.same([a.hangupCause, b.hangupCause], ['MANAGER_REQUEST', 'MANAGER_REQUEST']);
});

t.test('show channels: as json (the capture\'s empty shape, then rows), delimited, count', async (t) => {
  const { fs, esl } = await setup(t, '');
  t.equal(await esl.api('show channels as json'), '{"row_count": 0}\n');
  t.equal(await esl.api('show channels'), '\n0 total.\n');
  const call = fs.placeCall({ from: '13800138000', to: '4001', callerIdName: '李四', dialplan: { type: 'park' } });
  const json = JSON.parse(await esl.api('show channels as json')) as { row_count: number; rows: Array<Record<string, string>> };
  t.equal(json.row_count, 1);
  t.same(Object.keys(json.rows[0]), [
    'uuid', 'direction', 'created', 'created_epoch', 'name', 'state', 'cid_name', 'cid_num', 'ip_addr', 'dest', 'application',
    'application_data', 'dialplan', 'context', 'read_codec', 'read_rate', 'read_bit_rate', 'write_codec', 'write_rate', 'write_bit_rate',
    'secure', 'hostname', 'presence_id', 'presence_data', 'accountcode', 'callstate', 'callee_name', 'callee_num', 'callee_direction',
    'call_uuid', 'sent_callee_name', 'sent_callee_num', 'initial_cid_name', 'initial_cid_num', 'initial_ip_addr', 'initial_dest',
    'initial_dialplan', 'initial_context',
  ], 'the columns of the core channels table');
  t.match(json.rows[0], { uuid: call.uuid, direction: 'inbound', cid_name: '李四', cid_num: '13800138000', dest: '4001', application: 'park', callstate: 'RINGING' });
  const delimited = await esl.api('show channels');
  t.match(delimited, /^uuid,direction,created,/);
  t.match(delimited, /\n\n1 total\.\n$/);
  t.equal(await esl.api('show channels count'), '\n1 total.\n');
  t.equal(await esl.api('show nothing'), (await esl.api('show')), 'an unknown show gives the usage');
});

t.test('variables: uuid_getvar/uuid_setvar with Chinese text, byte-exact in plain events', async (t) => {
  const { fs, esl } = await setup(t, 'event plain CHANNEL_EXECUTE_COMPLETE');
  const call = fs.placeCall({ from: '1001', to: '1001', variables: { customer: '王小明' }, dialplan: { type: 'park' } });
  t.equal(await esl.api(`uuid_getvar ${call.uuid} customer`), '王小明');
  t.equal(await esl.api(`uuid_getvar ${call.uuid} nothing_here`), '_undef_');
  t.equal(await esl.api(`uuid_setvar ${call.uuid} note 请 稍等`), '+OK\n', 'the value is the rest of the line');
  t.equal(call.getVariable('note'), '请 稍等');
  t.equal(await esl.api(`uuid_setvar ${call.uuid} note`), '+OK\n');
  t.equal(call.getVariable('note'), undefined, 'no value unsets');
  t.equal(await esl.api('uuid_getvar 00000000-0000-0000-0000-000000000000 x'), '-ERR No such channel!\n');
  t.equal(await esl.api(`uuid_getvar ${call.uuid}`), '-USAGE: <uuid> <var>\n');
  esl.send(`sendmsg ${call.uuid}\ncall-command: execute\nexecute-app-name: set\nexecute-app-arg: greeting=您好\n\n`);
  const done = await esl.event('CHANNEL_EXECUTE_COMPLETE');
  const text = done.body!.toString('utf8');
  t.match(text, /\nvariable_greeting: %E6%82%A8%E5%A5%BD\n/);
  t.match(text, /\nvariable_customer: %E7%8E%8B%E5%B0%8F%E6%98%8E\n/);
  t.equal(Number(header(done, 'Content-Length')), Buffer.byteLength(text), 'Content-Length in bytes');
});

t.test('sendmsg: an unknown channel, hangup with a cause, an unknown application, execute-app-arg from the body', async (t) => {
  const { fs, esl } = await setup(t);
  t.equal(header(await esl.command('sendmsg 00000000-0000-0000-0000-000000000000\ncall-command: execute\nexecute-app-name: answer'), 'Reply-Text'),
    '-ERR invalid session id [00000000-0000-0000-0000-000000000000]');
  t.equal(header(await esl.command('sendmsg\ncall-command: execute\nexecute-app-name: answer'), 'Reply-Text'), '-ERR invalid session id []');

  const a = fs.placeCall({ from: '1', to: '1', dialplan: { type: 'park' } });
  const appUuid = crypto.randomUUID();
  const arg = 'tone_stream://%(100,0,440)';
  esl.send(`sendmsg ${a.uuid}\ncall-command: execute\nexecute-app-name: playback\nEvent-UUID: ${appUuid}\ncontent-type: text/plain\ncontent-length: ${Buffer.byteLength(arg)}\n\n${arg}`);
  const done = await esl.event('CHANNEL_EXECUTE_COMPLETE', 3000, (f) => eventHeader(f, 'Application-UUID') === appUuid);
  t.equal(eventHeader(done, 'Application-Data'), arg, 'the body is the app argument');
  t.equal(eventHeader(done, 'Application-Response'), 'FILE PLAYED');

  t.equal(header(await esl.command(`sendmsg ${a.uuid}\ncall-command: hangup\nhangup-cause: USER_BUSY`), 'Reply-Text'), '+OK');
  await a.waitForState('hungup');
  t.equal(a.hangupCause, 'USER_BUSY');

  const b = fs.placeCall({ from: '2', to: '1', dialplan: { type: 'park' } });
  await esl.command(`sendmsg ${b.uuid}\ncall-command: execute\nexecute-app-name: no_such_app`);
  await b.waitForState('hungup');
  t.equal(b.hangupCause, 'DESTINATION_OUT_OF_ORDER', 'FreeSWITCH hangs up on an invalid application');
});

t.test('subscriptions: event/nixevent/noevents replies, CUSTOM subclasses, filters, formats', async (t) => {
  const { fs, esl } = await setup(t, '');
  const reply = async (command: string) => header(await esl.command(command), 'Reply-Text');
  t.equal(await reply('event json'), '-ERR no keywords supplied');
  t.equal(await reply('noevents'), '-ERR not listening for events');
  t.equal(await reply('event json CHANNEL_CREATE CUSTOM mod_audio_stream::json'), '+OK event listener enabled json');
  t.equal(await reply('nixevent CHANNEL_CREATE'), '+OK events nixed');
  t.equal(await reply('event plain CHANNEL_PARK'), '+OK event listener enabled plain', 'the format changes, subscriptions add up');
  t.equal(await reply('filter Unique-ID'), '-ERR invalid syntax');
  const first = fs.placeCall({ from: '1', to: '1', dialplan: { type: 'park' } });
  t.equal(await reply(`filter Unique-ID ${first.uuid}`), `+OK filter added. [Unique-ID]=[${first.uuid}]`);
  const second = fs.placeCall({ from: '2', to: '1', dialplan: { type: 'park' } });
  await first.waitForEvent('CHANNEL_PARK');
  await second.waitForEvent('CHANNEL_PARK');
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.same(esl.events().map((f) => [eventHeader(f, 'Event-Name'), eventHeader(f, 'Unique-ID')]), [['CHANNEL_PARK', first.uuid]],
    'CHANNEL_CREATE was nixed; the filter let only the first call through');
  t.equal(header(esl.events()[0], 'Content-Type'), 'text/event-plain');
  t.equal(await reply(`filter delete Unique-ID ${first.uuid}`), `+OK filter deleted. [Unique-ID][${first.uuid}]`);
  t.equal(await reply('filter delete all'), '+OK filter deleted. [all][]');
  t.equal(await reply('noevents'), '+OK no longer listening for events');
  t.equal(await reply('nonsense'), '-ERR command not found');
  t.equal(await reply('linger'), '-ERR not controlling a session', 'linger needs a session');
  t.equal(await reply('log 6'), '+OK log level 6 [6]');
  t.equal(await reply('log chatty'), '-ERR invalid log level');
  t.equal(await reply('nolog'), '+OK no longer logging');
  t.equal(await reply('nolog'), '-ERR not loging', 'FreeSWITCH\'s spelling');
  t.equal(await reply('divert_events on'), '-ERR not controlling a session.');
  const sent = await esl.command('sendevent CUSTOM\nEvent-Subclass: test::ping\nContent-Length: 2\n\nhi');
  t.match(header(sent, 'Reply-Text'), /^\+OK [0-9a-f-]{36}$/);
});

t.test('inbound myevents <uuid>: only that channel, and the socket closes when it hangs up', async (t) => {
  const { fs, esl } = await setup(t, '');
  const mine = fs.placeCall({ from: '1', to: '1', dialplan: { type: 'park' } });
  t.equal(header(await esl.command('myevents 00000000-0000-0000-0000-000000000000 json'), 'Reply-Text'), '-ERR invalid uuid');
  t.equal(header(await esl.command(`myevents ${mine.uuid} json`), 'Reply-Text'), '+OK Events Enabled');
  t.equal(header(await esl.command(`myevents ${mine.uuid}`), 'Reply-Text'), '-ERR aready enabled.');
  const other = fs.placeCall({ from: '2', to: '1', dialplan: { type: 'park' } });
  await other.waitForEvent('CHANNEL_PARK');
  await mine.pressDigits('9');
  await esl.event('DTMF');
  t.ok(esl.events().every((f) => eventHeader(f, 'Unique-ID') === mine.uuid), 'nothing of the other channel');
  t.equal(header(esl.events()[0], 'Content-Type'), 'text/event-json');
  mine.hangup();
  await esl.closed;
  const last = esl.frames[esl.frames.length - 1];
  t.equal(describe(last), 'text/disconnect-notice');
  t.equal(header(last, 'Controlled-Session-UUID'), mine.uuid);
  t.equal(header(last, 'Content-Disposition'), 'disconnect');
  t.equal(eventBody(esl.events().at(-1)!) ?? '', '', 'no stray body');
});
