/** originate (bgapi and api) with a scripted far end: answer, busy, no answer, failure. */
import t, { type Test } from 'tap';
import { FreeSwitchEmulator, type OriginateAttempt, type OriginateScript } from './index.js';
import { describe, eventBody, eventHeader, header, outboundListener, RawEslClient, tone, type Frame } from './test-support.js';

const EVENTS = 'event json CHANNEL_CREATE CHANNEL_PROGRESS CHANNEL_PROGRESS_MEDIA CHANNEL_ANSWER CHANNEL_EXECUTE CHANNEL_PARK CHANNEL_HANGUP CHANNEL_HANGUP_COMPLETE BACKGROUND_JOB';

async function setup(t: Test) {
  const fs = await FreeSwitchEmulator.start({ heartbeatIntervalMs: 0 });
  const esl = await RawEslClient.login(fs.eslPort);
  t.teardown(async () => {
    esl.close();
    await fs.stop();
  });
  await esl.command(EVENTS);
  return { fs, esl };
}

/** bgapi with our Job-UUID; resolves with the BACKGROUND_JOB frame. */
async function bgapi(esl: RawEslClient, args: string, timeoutMs = 5000): Promise<Frame> {
  const job = crypto.randomUUID();
  const reply = await esl.command(`bgapi originate ${args}\nJob-UUID: ${job}`);
  if (header(reply, 'Job-UUID') !== job) throw new Error(`bgapi refused: ${header(reply, 'Reply-Text')}`);
  return esl.event('BACKGROUND_JOB', timeoutMs, (f) => eventHeader(f, 'Job-UUID') === job);
}

t.test('answer: CREATE (with the {vars}), PROGRESS, ANSWER, then +OK <uuid>, then the app runs', async (t) => {
  const { fs, esl } = await setup(t);
  const attempts: OriginateAttempt[] = [];
  fs.onOriginate((attempt) => {
    attempts.push(attempt);
    return { outcome: 'answer', ringMs: 300, callerAudio: tone(300, 500) };
  });
  const uuid = crypto.randomUUID();
  const started = Date.now();
  const job = await bgapi(esl, `{origination_uuid=${uuid},origination_caller_id_number=4001234567,crm_id=a\\,b,greeting=您好}sofia/gateway/carrier/13800138000 &park()`);
  t.ok(Date.now() - started >= 280, 'the job ends at the answer, after ringMs');
  t.equal(eventBody(job), `+OK ${uuid}\n`, 'origination_uuid is honoured');
  t.equal(eventHeader(job, 'Job-Command'), 'originate');
  t.match(eventHeader(job, 'Job-Command-Arg'), /^\{origination_uuid=/);
  t.equal(attempts.length, 1);
  t.match(attempts[0], { gateway: 'carrier', number: '13800138000', timeoutSec: 60, destination: '&park()' });
  t.same({ ...attempts[0].variables }, { origination_uuid: uuid, origination_caller_id_number: '4001234567', crm_id: 'a,b', greeting: '您好' });
  await esl.event('CHANNEL_PARK');
  const mine = esl.events().filter((f) => eventHeader(f, 'Unique-ID') === uuid || eventHeader(f, 'Event-Name') === 'BACKGROUND_JOB');
  t.same(mine.map(describe), [
    'text/event-json CHANNEL_CREATE', 'text/event-json CHANNEL_PROGRESS', 'text/event-json CHANNEL_ANSWER',
    'text/event-json BACKGROUND_JOB', 'text/event-json CHANNEL_EXECUTE', 'text/event-json CHANNEL_PARK',
  ], 'the order of the originate capture');
  const create = mine[0];
  t.equal(eventHeader(create, 'Call-Direction'), 'outbound');
  t.equal(eventHeader(create, 'Caller-Caller-ID-Number'), '4001234567');
  t.equal(eventHeader(create, 'variable_crm_id'), 'a,b');
  t.equal(eventHeader(create, 'variable_greeting'), '您好');
  t.equal(eventHeader(create, 'Answer-State'), 'ringing');
  t.equal(eventHeader(mine[2], 'Answer-State'), 'answered');
  const call = fs.findCall(uuid)!;
  t.equal(call.direction, 'outbound');
  t.equal(call.state, 'answered');
  // Event-driven, not a snapshot: on a loaded machine the shared ticker may not have run yet.
  await call.waitFor((c) => c.pendingCallerSamples < 4000, 5000, 'the caller audio to flow');
  t.pass('the scripted callerAudio started flowing at the answer');
});

t.test('busy, no answer (originate_timeout or ringMs) and failures answer -ERR <CAUSE>', async (t) => {
  const { fs, esl } = await setup(t);
  const script = new Map<string, OriginateScript>();
  script.set('100', { outcome: 'busy', ringMs: 100 });
  script.set('200', { outcome: 'no-answer' });
  script.set('300', { outcome: 'no-answer', ringMs: 200 });
  script.set('400', { outcome: 'fail', cause: 'CALL_REJECTED' });
  script.set('500', { outcome: 'fail', cause: 'NOT_A_CAUSE' });
  script.set('600', { outcome: 'answer' });
  fs.onOriginate((attempt) => script.get(attempt.number)!);

  const busy = await bgapi(esl, 'sofia/gateway/gw/100 &park()');
  t.equal(eventBody(busy), '-ERR USER_BUSY\n');
  const busyUuid = fs.calls.at(-1)!.uuid;
  const hangup = await esl.event('CHANNEL_HANGUP', 3000, (f) => eventHeader(f, 'Unique-ID') === busyUuid);
  t.equal(eventHeader(hangup, 'Hangup-Cause'), 'USER_BUSY');
  await esl.event('CHANNEL_HANGUP_COMPLETE', 3000, (f) => eventHeader(f, 'Unique-ID') === busyUuid);

  const started = Date.now();
  t.equal(eventBody(await bgapi(esl, '{originate_timeout=1}sofia/gateway/gw/200 &park()', 4000)), '-ERR NO_ANSWER\n');
  t.ok(Date.now() - started >= 950, 'no answer after originate_timeout');
  t.equal(eventBody(await bgapi(esl, 'sofia/gateway/gw/300 &park()')), '-ERR NO_ANSWER\n', 'or after the script\'s ringMs');
  t.equal(eventBody(await bgapi(esl, 'sofia/gateway/gw/400 &park()')), '-ERR CALL_REJECTED\n');
  t.equal(eventBody(await bgapi(esl, 'sofia/gateway/gw/500 &park()')), '-ERR NORMAL_TEMPORARY_FAILURE\n', 'a script with an unknown cause fails visibly');
  t.equal(eventBody(await bgapi(esl, 'error/USER_BUSY &park()')), '-ERR USER_BUSY\n', 'the error/ endpoint');
  t.equal(eventBody(await bgapi(esl, 'skype/someone &park()')), '-ERR CHAN_NOT_IMPLEMENTED\n');
  t.ok(fs.calls.filter((c) => c.direction === 'outbound').every((c) => c.state === 'hungup'), 'every failed leg is hung up');
});

t.test('api originate blocks the socket until the answer; usage errors', async (t) => {
  const { fs, esl } = await setup(t);
  fs.onOriginate(() => ({ outcome: 'answer', ringMs: 200 }));
  const reply = await esl.command('api originate sofia/external/1000@127.0.0.1 &park()', 5000);
  t.match(reply.body!.toString(), /^\+OK [0-9a-f-]{36}\n$/);
  const names = esl.frames.map(describe);
  t.ok(names.indexOf('api/response') < names.indexOf('text/event-json CHANNEL_CREATE'), 'events fired during a blocking api wait until its response is written');
  t.equal(await esl.api('originate'), '-USAGE: <call url> <exten>|&<application_name>(<app_args>) [<dialplan>] [<context>] [<cid_name>] [<cid_num>] [<timeout_sec>]\n');
});

t.test('&socket(...) must be quoted, as with FreeSWITCH: unquoted, the socket gets only host:port', async (t) => {
  const { fs, esl } = await setup(t);
  const app = await outboundListener();
  t.teardown(() => app.server.close());
  fs.onOriginate(() => ({ outcome: 'answer' }));

  await bgapi(esl, `sofia/gateway/gw/1 '&socket(127.0.0.1:${app.port} async full)'`);
  const quoted = await app.accept();
  quoted.send('connect\n\n');
  const data = await quoted.next();
  t.same(data.headers.slice(-2), [['Socket-Mode', 'async'], ['Control', 'full']]);
  t.equal((await quoted.command('api uuid_exists ' + data.headers.find(([n]) => n === 'Unique-ID')![1])).body!.toString(), 'true');
  quoted.close();

  await bgapi(esl, `sofia/gateway/gw/2 &socket(127.0.0.1:${app.port} async full)`);
  const unquoted = await app.accept();
  unquoted.send('connect\n\n');
  const data2 = await unquoted.next();
  t.same(data2.headers.slice(-2), [['Socket-Mode', 'static'], ['Control', 'single-channel']]);
  t.equal((await unquoted.command('api status')).raw.toString(), 'Content-Type: command/reply\nReply-Text: -ERR command not found\n\n', 'not full: api is refused');
  t.equal((await unquoted.command('linger')).raw.toString(), 'Content-Type: command/reply\nReply-Text: -ERR command not found\n\n');
  t.equal((await unquoted.command('myevents')).raw.toString(), 'Content-Type: command/reply\nReply-Text: +OK Events Enabled\n\n', 'myevents still works');
  unquoted.close();
});
