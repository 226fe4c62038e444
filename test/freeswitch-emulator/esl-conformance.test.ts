/**
 * Conformance against real FreeSWITCH 1.10.12 traffic: the client bytes of a capture are sent to
 * the emulator and its answers are compared frame by frame with what FreeSWITCH answered.
 * Values that vary between runs (UUIDs, dates, sequence numbers, host identity, uptime) are
 * normalised; frame order, Content-Type, header names and order, fixed texts and byte-accurate
 * Content-Length values are not.
 */
import t, { type Test } from 'tap';
import { FreeSwitchEmulator } from './index.js';
import {
  describe, eventHeaders, FrameStream, header, loadCapture, outboundListener, parseFrames, RawEslClient, type Capture, type Frame,
} from './test-support.js';

const VOLATILE = new Set([
  'Core-UUID', 'FreeSWITCH-Hostname', 'FreeSWITCH-Switchname', 'FreeSWITCH-IPv4', 'FreeSWITCH-IPv6', 'Event-Date-Local',
  'Event-Date-GMT', 'Event-Date-Timestamp', 'Event-Sequence', 'Job-UUID', 'Content-Length',
]);
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** Digits of uptime/load figures vary; the words, units and line structure must not. */
function normaliseText(text: string): string {
  return text
    .replace(UUID, '<uuid>')
    .replace(/(\d+) (year|day|hour|minute|second|millisecond|microsecond)s?\b/g, '# $2')
    .replace(/\d+(\.\d+)?/g, '#');
}

/** What must be identical between FreeSWITCH's frame and the emulator's. */
function shape(frame: Frame) {
  const type = header(frame, 'Content-Type') ?? '';
  const out: Record<string, unknown> = { type, headerNames: frame.headers.map(([n]) => n) };
  if (type === 'command/reply') out.reply = normaliseText(header(frame, 'Reply-Text') ?? '');
  if (type.startsWith('text/event-')) {
    const headers = eventHeaders(frame);
    out.eventHeaders = headers.map(([n, v]) => [n, VOLATILE.has(n) ? '<v>' : v]);
    const text = frame.body!.toString('utf8');
    out.eventBody = normaliseText(type === 'text/event-json' ? String(JSON.parse(text)._body ?? '') : text.includes('\n\n') ? text.slice(text.indexOf('\n\n') + 2) : '');
  } else if (frame.body) {
    out.body = normaliseText(frame.body.toString('utf8'));
  }
  return out;
}

/** Content-Length values are byte counts: outer, and inner (plain/json/xml) where there is a body. */
function checkLengths(t: Test, frame: Frame): void {
  const outer = header(frame, 'Content-Length');
  if (outer !== undefined) t.equal(Number(outer), frame.body?.length ?? 0, `${describe(frame)}: outer Content-Length is the byte length`);
  const type = header(frame, 'Content-Type') ?? '';
  if (!type.startsWith('text/event-') || !frame.body) return;
  const text = frame.body.toString('utf8');
  if (type === 'text/event-json') {
    const parsed = JSON.parse(text) as Record<string, string>;
    if (parsed._body !== undefined) t.equal(Number(parsed['Content-Length']), Buffer.byteLength(parsed._body), 'json Content-Length is the _body byte length');
  } else if (type === 'text/event-plain' && /\nContent-Length: (\d+)\n\n/.test(text)) {
    const m = /\nContent-Length: (\d+)\n\n/.exec(text)!;
    t.equal(Number(m[1]), Buffer.byteLength(text.slice(m.index + m[0].length)), 'plain Content-Length is the body byte length');
  }
}

/** The FS→APP frames FreeSWITCH sent before the first command, and in answer to each APP→FS chunk. */
function expectedPerStep(capture: Capture): { greeting: Frame[]; steps: Frame[][] } {
  const greeting: Frame[] = [];
  const steps: Frame[][] = [];
  const stream = new FrameStream();
  let current = greeting;
  for (const chunk of capture.chunks) {
    if (chunk.dir === 'APP->FS') {
      current = [];
      steps.push(current);
    } else {
      current.push(...stream.push(chunk.bytes));
    }
  }
  return { greeting, steps };
}

t.test('esl_inbound_badauth: the whole FreeSWITCH side, byte for byte', async (t) => {
  const capture = loadCapture('esl_inbound_badauth');
  const fs = await FreeSwitchEmulator.start({ heartbeatIntervalMs: 0 });
  t.teardown(() => fs.stop());
  const client = await RawEslClient.connect(fs.eslPort);
  await client.next();
  for (const chunk of capture.app2fs) {
    client.send(chunk);
    await client.next();
  }
  await client.closed;
  t.equal(Buffer.concat(client.received).toString('latin1'), capture.fs2app.toString('latin1'), 'identical bytes, then FreeSWITCH closes');
});

t.test('esl_inbound_basic: auth, api, bgapi with and without a subscription (plain, json, xml), noevents, exit', async (t) => {
  const capture = loadCapture('esl_inbound_basic');
  const { greeting: expectedGreeting, steps } = expectedPerStep(capture);
  const fs = await FreeSwitchEmulator.start({ heartbeatIntervalMs: 0 });
  t.teardown(() => fs.stop());
  const client = await RawEslClient.connect(fs.eslPort);
  const greeting = await client.next();
  t.equal(greeting.raw.toString(), expectedGreeting[0].raw.toString(), 'auth/request on accept');
  for (let i = 0; i < capture.app2fs.length; i++) {
    const expected = steps[i];
    client.send(capture.app2fs[i]);
    const got: Frame[] = [];
    for (let n = 0; n < expected.length; n++) got.push(await client.next());
    if (expected.length === 0) {
      // `bgapi status` without a BACKGROUND_JOB subscription: only the reply, no event.
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    const command = capture.app2fs[i].toString().split('\n')[0];
    t.same(got.map(shape), expected.map(shape), `${command}: same frames`);
    for (const frame of got) checkLengths(t, frame);
    for (const [k, frame] of got.entries()) {
      const reply = header(frame, 'Reply-Text') ?? '';
      if (reply.startsWith('+OK Job-UUID: ')) t.equal(header(frame, 'Job-UUID'), reply.slice(14), 'Job-UUID header repeats the Reply-Text');
      if (!/^(api\/response|text\/event-)/.test(header(frame, 'Content-Type') ?? '') && header(expected[k], 'Content-Type') !== 'api/response') {
        if (!UUID.test(frame.raw.toString())) t.equal(frame.raw.toString(), expected[k].raw.toString(), `${command}: fixed frame byte-identical`);
        UUID.lastIndex = 0;
      }
    }
  }
  t.equal(client.frames.filter((f) => header(f, 'Content-Type') === 'text/event-plain').length, 2, 'the unsubscribed bgapi fired no event to this socket');
  const chosen = client.events('BACKGROUND_JOB').map((f) => eventHeaders(f).find(([n]) => n === 'Job-UUID')?.[1]);
  t.ok(chosen.includes('11111111-2222-3333-4444-555555555555'), 'a client-chosen Job-UUID is reused');
  await client.closed;
});

t.test('esl_inbound_heartbeat_log_misc: show channels, log/nolog framing, HEARTBEAT, filters', async (t) => {
  const capture = loadCapture('esl_inbound_heartbeat_log_misc');
  const { steps } = expectedPerStep(capture);
  const fs = await FreeSwitchEmulator.start({ heartbeatIntervalMs: 0 });
  t.teardown(() => fs.stop());
  const client = await RawEslClient.connect(fs.eslPort);
  await client.next();
  for (let i = 0; i < capture.app2fs.length; i++) {
    const command = capture.app2fs[i].toString().split('\n')[0];
    // The profile dumps of mod_sofia are not emulated (the transport never asks for them).
    if (command.startsWith('api sofia') || command.startsWith('api global_getvar')) continue;
    const expected = steps[i];
    client.send(capture.app2fs[i]);
    if (command.startsWith('event json HEARTBEAT')) {
      await client.next();
      fs.fireHeartbeat();
    }
    const got: Frame[] = command.startsWith('event json HEARTBEAT') ? [client.frames[client.frames.length - 1]] : [];
    while (got.length < expected.length) got.push(await client.next());
    if (command.startsWith('event json HEARTBEAT')) {
      t.same(got.map(describe), expected.map(describe), `${command}: reply, HEARTBEAT, RE_SCHEDULE`);
      const names = (f: Frame) => eventHeaders(f).map(([n]) => n);
      t.same(names(got[1]), names(expected[1]), 'HEARTBEAT carries the same headers in the same order');
      t.same(names(got[2]), names(expected[2]), 'RE_SCHEDULE carries the same headers in the same order');
      continue;
    }
    if (command === 'api reloadxml') {
      t.same(got.map(describe), expected.map(describe), 'reloadxml: api/response then a log/data line');
      t.same(got[1].headers.map(([n]) => n), expected[1].headers.map(([n]) => n), 'log/data header names and order');
      t.match(got[1].body!.toString(), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} [\d.]+% \[INFO\] switch_time\.c:1436 Timezone reloaded 0 definitions\n$/);
      t.same(shape(got[0]), shape(expected[0]));
      continue;
    }
    t.same(got.map(shape), expected.map(shape), `${command}: same frames`);
    for (const [k, frame] of got.entries()) {
      t.equal(frame.raw.toString(), expected[k].raw.toString(), `${command}: byte-identical`);
    }
  }
  await client.closed;
});

t.test('esl_outbound_plain_call1000: connect reply, myevents, bare linger, sendmsg, hangup', async (t) => {
  const capture = loadCapture('esl_outbound_plain_call1000');
  const expected = parseFrames(capture.fs2app);
  const fs = await FreeSwitchEmulator.start({ heartbeatIntervalMs: 0 });
  const app = await outboundListener();
  t.teardown(async () => {
    await fs.stop();
    app.server.close();
  });
  const call = fs.placeCall({ from: 'sipp', to: '1000', dialplan: { type: 'socket', address: `127.0.0.1:${app.port}` } });
  const esl = await app.accept();
  const uuid = call.uuid;
  // The capture's client bytes, with the capture's UUID swapped for this call's.
  const bytes = capture.app2fs.map((b) => Buffer.from(b.toString().replace(/ee1af521-967e-49bb-8e1d-a6f2cbc9e0a8/g, uuid)));

  esl.send(bytes[0]); // connect
  const data = await esl.next();
  const want = expected[0];
  t.notOk(header(data, 'Content-Length'), 'CHANNEL_DATA reply: one header block, no body');
  t.ok(data.raw.toString().endsWith('Control: full\n\n'), 'ends with Control and a single blank line');
  t.same(data.headers.slice(-4), [['Content-Type', 'command/reply'], ['Reply-Text', '%2BOK%0A'], ['Socket-Mode', 'async'], ['Control', 'full']]);
  const skeleton = (f: Frame) => f.headers.map(([n]) => n).filter((n) => !n.startsWith('variable_'));
  t.same(skeleton(data), skeleton(want), 'same non-variable headers in the same order');
  t.equal(header(data, 'Event-Name'), 'CHANNEL_DATA');
  t.equal(header(data, 'Unique-ID'), uuid);
  t.equal(header(data, 'Channel-Unique-ID'), uuid);
  t.equal(header(data, 'Caller-Destination-Number'), '1000');
  t.equal(header(data, 'Event-Calling-Function'), 'parse_command');

  t.equal((await esl.command(bytes[1].toString().trim())).raw.toString(), 'Content-Type: command/reply\nReply-Text: +OK Events Enabled\n\n');
  t.equal((await esl.command(bytes[2].toString().trim())).raw.toString(), 'Content-Type: command/reply\nReply-Text: +OK will linger\n\n');
  const status = await esl.command(bytes[3].toString().trim());
  t.same(shape(status), shape(expected[3]), 'api status from an outbound full socket');

  esl.send(bytes[4]); // sendmsg execute answer
  t.equal(describe(await esl.next()), 'command/reply +OK');
  const exec = await esl.next();
  t.equal(describe(exec), 'text/event-plain CHANNEL_EXECUTE');
  t.equal(eventHeaders(exec).find(([n]) => n === 'Application')?.[1], 'answer');
  await esl.event('CHANNEL_EXECUTE_COMPLETE', 3000, (f) => eventHeaders(f).some(([n, v]) => n === 'Application' && v === 'answer'));

  esl.send(bytes[6]); // sendmsg <uuid> call-command: hangup
  await call.waitForState('hungup');
  await esl.until(() => esl.frames.some((f) => header(f, 'Content-Disposition') === 'linger'), 3000, 'the linger notice');
  const order = esl.frames.slice(esl.frames.findIndex((f) => eventHeaders(f).some(([n, v]) => n === 'Event-Name' && v === 'CHANNEL_HANGUP'))).map(describe);
  t.same(order, [
    'text/event-plain CHANNEL_HANGUP', 'text/event-plain CHANNEL_UNPARK', 'text/event-plain CHANNEL_EXECUTE_COMPLETE',
    'text/event-plain CHANNEL_STATE', 'text/event-plain CHANNEL_STATE', 'text/event-plain CHANNEL_HANGUP_COMPLETE', 'text/disconnect-notice',
  ], 'the hangup sequence of the capture, then the bare-linger notice');
  const notice = esl.frames[esl.frames.length - 1];
  t.same(notice.headers.map(([n]) => n), expected[expected.length - 1].headers.map(([n]) => n), 'linger notice headers in FreeSWITCH order');
  t.equal(notice.raw.toString(), `Content-Type: text/disconnect-notice\nControlled-Session-UUID: ${uuid}\nContent-Disposition: linger\nChannel-Name: ${call.getVariable('channel_name')}\nLinger-Time: -1\nContent-Length: 0\n\n`);
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.notOk(esl.isClosed, 'bare linger: the socket stays open until the app closes it');
  t.notOk(call.events.some((e) => e.name === 'CHANNEL_DESTROY'), 'the session is held (not destroyed) while the socket lingers');
  esl.close();
  await call.waitForEvent('CHANNEL_DESTROY');
});

t.test('esl_outbound_json_call1000: myevents json, linger 5, DTMF, playback with event-lock, uuid_kill USER_BUSY', async (t) => {
  const capture = loadCapture('esl_outbound_json_call1000');
  const expected = parseFrames(capture.fs2app);
  const fs = await FreeSwitchEmulator.start({ heartbeatIntervalMs: 0 });
  const app = await outboundListener();
  t.teardown(async () => {
    await fs.stop();
    app.server.close();
  });
  const call = fs.placeCall({ from: 'sipp', to: '1000', dialplan: { type: 'socket', address: `127.0.0.1:${app.port}` } });
  const esl = await app.accept();
  const bytes = capture.app2fs.map((b) => Buffer.from(b.toString().replace(/ec15ec6f-4929-478e-a0e2-f77719345b8a/g, call.uuid)));
  esl.send(bytes[0]);
  await esl.next();
  for (const i of [1, 2, 3]) {
    const reply = await esl.command(bytes[i].toString().trim());
    t.equal(reply.raw.toString(), expected[i].raw.toString(), `${bytes[i].toString().trim()}: byte-identical reply`);
  }
  await call.pressDigits('15');
  const dtmf = await esl.event('DTMF', 3000, (f) => eventHeaders(f).some(([n, v]) => n === 'DTMF-Digit' && v === '5'));
  const dtmfKeys = (f: Frame) => eventHeaders(f).map(([n]) => n);
  t.same(dtmfKeys(dtmf), dtmfKeys(expected[5]), 'DTMF event: the same keys in the same order as FreeSWITCH');
  esl.send(bytes[4]); // sendmsg playback tone_stream, event-lock
  const complete = await esl.event('CHANNEL_EXECUTE_COMPLETE', 5000, (f) => eventHeaders(f).some(([n, v]) => n === 'Application' && v === 'playback'));
  const response = Object.fromEntries(eventHeaders(complete));
  t.equal(response['Application-Response'], 'FILE PLAYED');
  t.equal(response['Application-Data'], 'tone_stream://%(1500,0,700)');
  const keys = (f: Frame) => eventHeaders(f).map(([n]) => n).filter((n) => !n.startsWith('variable_'));
  const capturedComplete = expected.find((f) => describe(f) === 'text/event-json CHANNEL_EXECUTE_COMPLETE')!;
  t.same(keys(complete), keys(capturedComplete), 'CHANNEL_EXECUTE_COMPLETE: same non-variable keys in order');

  const kill = await esl.command(bytes[5].toString().trim());
  t.equal(kill.raw.toString(), 'Content-Type: api/response\nContent-Length: 4\n\n+OK\n');
  await esl.until(() => esl.frames.some((f) => header(f, 'Content-Disposition') === 'linger'), 3000, 'linger notice');
  const after = esl.frames.slice(esl.frames.findIndex((f) => eventHeaders(f).some(([n, v]) => n === 'Event-Name' && v === 'CHANNEL_HANGUP')));
  t.same(after.slice(0, 2).map(describe), ['text/event-json CHANNEL_HANGUP', 'text/disconnect-notice'], 'linger N: the notice right after CHANNEL_HANGUP');
  t.match(after[1].raw.toString(), /Content-Disposition: linger\nChannel-Name: [^\n]+\nLinger-Time: 5\nContent-Length: 0\n\n$/);
  t.equal(Object.fromEntries(eventHeaders(after[0]))['Hangup-Cause'], 'USER_BUSY');
  await esl.closed;
  const tail = esl.frames.slice(esl.frames.indexOf(after[1]) + 1).map(describe);
  t.same(tail, expected.slice(expected.length - 6).map(describe), 'the rest of the hangup events, then goodbye and close');
  t.equal(esl.frames[esl.frames.length - 1].raw.toString(), expected[expected.length - 1].raw.toString().replace(/ec15ec6f-4929-478e-a0e2-f77719345b8a/, call.uuid));
});

t.test('esl_inbound_bgapi_originate: the order of events and the job result', async (t) => {
  const capture = loadCapture('esl_inbound_bgapi_originate');
  const expected = parseFrames(capture.fs2app);
  const fs = await FreeSwitchEmulator.start({ heartbeatIntervalMs: 0 });
  t.teardown(() => fs.stop());
  const client = await RawEslClient.connect(fs.eslPort);
  await client.next();
  for (const chunk of capture.app2fs.slice(0, 3)) {
    client.send(chunk);
    await client.next();
  }
  await client.event('CHANNEL_HANGUP_COMPLETE', 8000);
  client.send(capture.app2fs[3]);
  await client.closed;
  t.same(client.frames.map(describe), expected.map(describe), 'same frame sequence as FreeSWITCH');
  const job = client.events('BACKGROUND_JOB')[0];
  const jobHeaders = Object.fromEntries(eventHeaders(job));
  const call = fs.calls[0];
  t.equal(JSON.parse(job.body!.toString())._body, `+OK ${call.uuid}\n`);
  t.equal(jobHeaders['Job-Command'], 'originate');
  t.equal(jobHeaders['Job-Command-Arg'], Object.fromEntries(eventHeaders(expected.find((f) => describe(f).endsWith('BACKGROUND_JOB'))!))['Job-Command-Arg']);
  const create = Object.fromEntries(eventHeaders(client.events('CHANNEL_CREATE')[0]));
  t.equal(create['Call-Direction'], 'outbound');
  t.equal(create['Caller-Caller-ID-Number'], '5551234');
  t.equal(create['variable_origination_caller_id_name'], 'esl-test');
  const played = Object.fromEntries(eventHeaders(client.events('CHANNEL_EXECUTE_COMPLETE')[0]));
  t.equal(played['Application-Data'], 'tone_stream://%(2000,0,440', 'originate cuts the app argument at the first ")", like FreeSWITCH');
});
