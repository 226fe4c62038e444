/** connectInbound against FreeSWITCH's recorded answers: auth, api, bgapi, events, execute, close. */
import net from 'node:net';
import t from 'tap';
import { isVapiError } from '@vapi-cn/sdk-plugin-api';
import { connectInbound } from '../../src/esl/connect-inbound.js';
import type { EslEvent } from '../../src/esl/types.js';
import {
  MODESL_SUBSCRIPTION,
  apiResponse,
  commandServer,
  connectTo,
  describeFrame,
  loadScript,
  readFramesFile,
  recordedReply,
  scriptedServer,
  testLogger,
  waitFor,
  watchUncaught,
} from './helpers.js';
import { EslFrameReader } from '../../src/esl/esl-frame-reader.js';

const basic = loadScript('esl_inbound_basic');
const extras = { [MODESL_SUBSCRIPTION]: recordedReply(basic, 'event json BACKGROUND_JOB') };

const connect = connectTo;

t.test('esl_inbound_basic: auth, api, bgapi (plain, json and xml BACKGROUND_JOB), a refused command, exit', async (t) => {
  const uncaught = watchUncaught(t);
  const { port, players } = await scriptedServer(t, basic, { extras });
  const { connection } = await connect(t, port);
  t.equal(connection.mode, 'inbound');
  t.equal(connection.closed, false);
  t.equal(connection.channelData, undefined);

  const status = await connection.api('status');
  t.match(status, /^UP 0 years, 0 days, 0 hours, 0 minutes, 6 seconds, 579 milliseconds/);
  t.equal(Buffer.byteLength(status), 337, 'the whole api/response body');
  t.equal(await connection.api('version'), 'FreeSWITCH Version 1.10.12-release~64bit ( 64bit)\n');
  t.equal(await connection.api('no_such_command'), '-ERR no_such_command Command not found!\n', 'an -ERR api output is output, not a rejection');
  t.equal(await connection.api('uuid_kill', '00000000-0000-0000-0000-000000000000'), '-ERR No such channel!\n');

  t.equal(await connection.command('event plain BACKGROUND_JOB'), '+OK event listener enabled plain');
  const plainJob = await connection.bgapi('status', '', { jobId: '11111111-2222-3333-4444-555555555555' });
  t.match(plainJob, /^UP 0 years[^]*Current Stack Size\/Max 240K\/8192K\n$/, 'BACKGROUND_JOB body from a plain event');
  t.equal(await connection.command('event json BACKGROUND_JOB'), '+OK event listener enabled json');
  t.equal(await connection.bgapi('version'), 'FreeSWITCH Version 1.10.12-release~64bit ( 64bit)\n', 'BACKGROUND_JOB body from a JSON event');
  t.equal(await connection.command('event xml BACKGROUND_JOB'), '+OK event listener enabled xml');
  t.equal(await connection.bgapi('no_such_command'), '-ERR no_such_command Command not found!\n', 'from an XML event');
  t.equal(await connection.command('nonsense_command'), '-ERR command not found', 'command() resolves with the Reply-Text');

  const closed = waitFor<string>((l) => connection.on('close', l), (reason: string) => reason);
  await connection.close();
  t.equal(await closed, 'closed by the application');
  t.equal(connection.closed, true);

  const player = players[0]!;
  t.same(player.unexpected, [], 'every command was one FreeSWITCH had answered');
  t.same(player.received, [
    'auth ClueCon',
    MODESL_SUBSCRIPTION,
    'api status',
    'api version',
    'api no_such_command',
    'api uuid_kill 00000000-0000-0000-0000-000000000000',
    'event plain BACKGROUND_JOB',
    'bgapi status\nJob-UUID: 11111111-2222-3333-4444-555555555555',
    'event json BACKGROUND_JOB',
    player.received[9],
    'event xml BACKGROUND_JOB',
    player.received[11],
    'nonsense_command',
    'exit',
  ]);
  t.match(player.received[9], /^bgapi version\nJob-UUID: [0-9a-f-]{36}$/, 'bgapi sends our own Job-UUID');
  t.same(uncaught, []);
});

t.test('esl_inbound_badauth: a wrong password is VAPI_ERR_ESL_AUTH, not retryable, and says what to fix', async (t) => {
  const { port, players } = await scriptedServer(t, loadScript('esl_inbound_badauth'));
  const { log, logs } = testLogger();
  const error = await connectInbound({ host: '127.0.0.1', port, password: 'WrongPassword' }, log).catch((err: unknown) => err);
  t.ok(isVapiError(error));
  t.match(error, { code: 'VAPI_ERR_ESL_AUTH', category: 'auth', retryable: false, fix: /`password` option/ });
  t.notMatch(JSON.stringify(logs), /WrongPassword/, 'the password is never logged');
  t.notMatch((error as Error).message, /WrongPassword/);
  t.same(players[0]!.received, ['auth WrongPassword']);
});

t.test('esl_inbound_event_json_call1001: typed events in order, execute, api, hangup', async (t) => {
  const uncaught = watchUncaught(t);
  const script = loadScript('esl_inbound_event_json_call1001');
  const { port, players } = await scriptedServer(t, script, { extras });
  const { connection } = await connect(t, port);
  const events: EslEvent[] = [];
  connection.on('event', (event) => events.push(event));
  const names = [
    'CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_PARK', 'CHANNEL_EXECUTE', 'CHANNEL_EXECUTE_COMPLETE', 'CHANNEL_HANGUP',
    'CHANNEL_HANGUP_COMPLETE', 'DTMF', 'PLAYBACK_START', 'PLAYBACK_STOP', 'BACKGROUND_JOB',
    'CUSTOM', 'sofia::register', 'mod_audio_stream::connect', 'mod_audio_stream::disconnect', 'mod_audio_stream::error', 'mod_audio_stream::json', 'mod_audio_stream::play',
  ];
  const secondDigit = waitFor<EslEvent>((l) => connection.on('event', l), (e: EslEvent) => (e.name === 'DTMF' && e.headers['DTMF-Digit'] === '5' ? e : undefined));
  await connection.subscribe(names);
  const dtmf = await secondDigit;
  const uuid = dtmf.uuid!;
  t.equal(uuid, '51ca7a62-0f3c-4271-98cf-c9f53f8d3be2');

  const complete = await connection.execute(uuid, 'playback', 'tone_stream://%(2000,0,600)');
  t.equal(complete.name, 'CHANNEL_EXECUTE_COMPLETE');
  t.equal(complete.headers.Application, 'playback');
  t.equal(complete.headers['Application-Data'], 'tone_stream://%(2000,0,600)');
  t.equal(complete.uuid, uuid);
  const sendmsg = players[0]!.received.find((c) => c.startsWith('sendmsg'))!;
  t.equal(complete.headers['Application-UUID'], /Event-UUID: (\S+)/.exec(sendmsg)![1], 'matched on our Event-UUID');

  const hungUp = waitFor<EslEvent>((l) => connection.on('event', l), (e: EslEvent) => (e.name === 'CHANNEL_HANGUP_COMPLETE' ? e : undefined));
  t.equal(await connection.api('uuid_kill', uuid), '+OK\n');
  t.equal((await hungUp).headers['Hangup-Cause'], 'NORMAL_CLEARING');

  // The events, as the frames file lists them (replies and notices aside).
  const expected = readFramesFile('esl_inbound_event_json_call1001')
    .split('\n')
    .filter((line) => line.startsWith('text/event-json'))
    .map((line) => line.replace('text/event-json ', ''));
  const got = events.map((event) =>
    describeFrame({ contentType: 'x', headers: {}, body: undefined, raw: Buffer.alloc(0), event }).replace('x ', ''),
  );
  t.same(got, expected, 'every event, typed, in wire order');
  t.ok(events.every((e) => typeof e.headers['Event-Sequence'] === 'string' && e.headers['Core-UUID']), 'headers as sent');
  t.same(players[0]!.unexpected, []);
  t.same(uncaught, []);
});

t.test('connect failures are VAPI_ERR_ESL_CONNECT', async (t) => {
  const { log } = testLogger();
  const closedPort = await new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
  const refused = await connectInbound({ host: '127.0.0.1', port: closedPort, password: 'ClueCon' }, log).catch((e: unknown) => e);
  t.match(refused, { code: 'VAPI_ERR_ESL_CONNECT', category: 'connectivity', retryable: true, message: /ECONNREFUSED/, fix: /event_socket\.conf\.xml/ });

  const silent = net.createServer(() => {}); // accepts, never says auth/request
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    silent.close();
  });
  const port = (silent.address() as net.AddressInfo).port;
  const timedOut = await connectInbound({ host: '127.0.0.1', port, password: 'ClueCon', connectTimeoutMs: 200 }, log).catch((e: unknown) => e);
  t.match(timedOut, { code: 'VAPI_ERR_ESL_CONNECT', message: /within 200 ms/ });

  const rude = net.createServer((socket) => socket.end('Content-Type: text/rude-rejection\nContent-Length: 24\n\nAccess Denied, go away.\n'));
  await new Promise<void>((resolve) => rude.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    rude.close();
  });
  const rejected = await connectInbound({ host: '127.0.0.1', port: (rude.address() as net.AddressInfo).port, password: 'ClueCon' }, log).catch((e: unknown) => e);
  t.match(rejected, { code: 'VAPI_ERR_ESL_CONNECT', retryable: false, message: /Access Denied, go away\./, fix: /apply-inbound-acl/ });

  const invalid = await connectInbound({ host: '127.0.0.1', port: 70000, password: 'ClueCon' }, log).catch((e: unknown) => e);
  t.match(invalid, { code: 'VAPI_ERR_ESL_CONNECT' }, 'a port out of range');
  const injected = await connectInbound({ host: '127.0.0.1', port: closedPort, password: 'x\n\napi status' }, log).catch((e: unknown) => e);
  t.match(injected, { code: 'VAPI_ERR_ESL_BAD_COMMAND' }, 'a password with a line break is never sent');
});


t.test('api: a timeout rejects VAPI_ERR_ESL_TIMEOUT, and the late reply does not shift later replies', async (t) => {
  // FreeSWITCH runs api commands of one socket one after the other: answers keep command order.
  let answered = Promise.resolve();
  const { port } = await commandServer(t, (command, socket) => {
    answered = answered.then(async () => {
      if (command === 'api slow') {
        await new Promise((resolve) => setTimeout(resolve, 300));
        socket.write(apiResponse('slow answer\n'));
      } else if (command === 'api fast') socket.write(apiResponse('fast answer\n'));
      else if (command === 'api never') await new Promise(() => {});
    });
  });
  const { connection } = await connect(t, port);
  const slow = await connection.api('slow', '', 100).catch((e: unknown) => e);
  t.match(slow, { code: 'VAPI_ERR_ESL_TIMEOUT', category: 'timeout', retryable: true, message: /'api slow' within 100 ms/ });
  t.equal(await connection.api('fast'), 'fast answer\n', 'the next command gets its own reply');
  const never = connection.api('never', '', 60_000);
  const closing = connection.close();
  t.match(await never.catch((e: unknown) => e), { code: 'VAPI_ERR_ESL_CLOSED', message: /'api never'.*closed by the application/ });
  await closing;
});

t.test('close(): idempotent, rejects pending commands, never hangs, `close` fires once', async (t) => {
  const commands: string[] = [];
  // Answers nothing, not even exit, and keeps its side open after ours ended.
  const { port } = await commandServer(t, (command) => commands.push(command), true);
  const { connection } = await connect(t, port);
  const closes: string[] = [];
  connection.on('close', (reason) => closes.push(reason));
  const pending = [connection.api('status'), connection.bgapi('originate', 'user/1000 &park'), connection.command('myevents'), connection.execute('u1', 'answer')];
  const first = connection.close();
  const second = connection.close();
  t.equal(first, second, 'the same promise');
  t.equal(connection.closed, true, 'closed at once for new commands');
  const outcomes = await Promise.allSettled(pending);
  t.ok(outcomes.every((o) => o.status === 'rejected' && (o.reason as { code: string }).code === 'VAPI_ERR_ESL_CLOSED'), 'every pending command rejected VAPI_ERR_ESL_CLOSED');
  const started = Date.now();
  await first;
  t.ok(Date.now() - started < 5000, 'a FreeSWITCH that ignores exit does not make close() hang');
  await connection.close();
  t.same(closes, ['closed by the application'], 'close fired once');
  t.equal(commands.filter((c) => c === 'exit').length, 1, 'exit sent once');
  t.match(await connection.api('status').catch((e: unknown) => e), { code: 'VAPI_ERR_ESL_CLOSED' }, 'after close, commands reject at once');
});

t.test('commands that would break the command stream are refused before sending', async (t) => {
  const received: string[] = [];
  const { port } = await commandServer(t, (command, socket) => {
    received.push(command);
    socket.write(apiResponse('+OK\n'));
  });
  const { connection } = await connect(t, port);
  for (const attempt of [
    connection.api('uuid_kill', 'x\n\napi shutdown'),
    connection.command('sendmsg u1', { 'execute-app-arg': 'a\nb' }),
    connection.execute('u1', 'playback', 'line1\r\nline2'),
    connection.subscribe([]),
    connection.subscribe(['CHANNEL ANSWER']),
  ]) {
    t.match(await attempt.catch((e: unknown) => e), { code: 'VAPI_ERR_ESL_BAD_COMMAND', category: 'invalid_request' });
  }
  t.equal(await connection.api('status'), '+OK\n', 'the connection is still in step');
  t.same(received, ['api status']);
});

t.test('subscribe, bgapi and execute reject VAPI_ERR_ESL_COMMAND_FAILED when FreeSWITCH refuses', async (t) => {
  const { port } = await commandServer(t, (command, socket) => {
    if (command.startsWith('sendmsg')) socket.write('Content-Type: command/reply\nReply-Text: -ERR invalid session id [u1]\n\n');
    else socket.write('Content-Type: command/reply\nReply-Text: -ERR command not found\n\n');
  });
  const { connection } = await connect(t, port);
  t.match(await connection.subscribe(['DTMF']).catch((e: unknown) => e), { code: 'VAPI_ERR_ESL_COMMAND_FAILED', message: /-ERR command not found/ });
  t.match(await connection.bgapi('status').catch((e: unknown) => e), { code: 'VAPI_ERR_ESL_COMMAND_FAILED' });
  t.match(await connection.execute('u1', 'answer').catch((e: unknown) => e), { code: 'VAPI_ERR_ESL_COMMAND_FAILED', message: /invalid session id/ });
});

t.test('execute settles when its channel hangs up before the application ran', async (t) => {
  const event = (name: string, uuid: string) => {
    const body = JSON.stringify({ 'Event-Name': name, 'Unique-ID': uuid });
    return `Content-Length: ${body.length}\nContent-Type: text/event-json\n\n${body}`;
  };
  const { port } = await commandServer(t, (command, socket) => {
    socket.write('Content-Type: command/reply\nReply-Text: +OK\n\n');
    if (command.startsWith('sendmsg u2')) setTimeout(() => socket.write(event('CHANNEL_HANGUP_COMPLETE', 'u1') + event('CHANNEL_HANGUP_COMPLETE', 'u2')), 50);
  });
  const { connection } = await connect(t, port);
  const queued = connection.execute('u2', 'playback', '/tmp/a.wav');
  t.match(await queued.catch((e: unknown) => e), { code: 'VAPI_ERR_ESL_CHANNEL_GONE', message: /u2 hung up before 'execute playback'/ });
});

t.test('a listener that throws is logged and the connection carries on', async (t) => {
  const uncaught = watchUncaught(t);
  const { port } = await commandServer(t, (command, socket) => {
    const body = JSON.stringify({ 'Event-Name': 'HEARTBEAT' });
    socket.write(`Content-Length: ${body.length}\nContent-Type: text/event-json\n\n${body}${apiResponse(`${command}\n`)}`);
  });
  const { connection, logs } = await connect(t, port);
  let heard = 0;
  connection.on('event', () => {
    throw new Error('listener bug');
  });
  connection.on('event', () => heard++);
  t.equal(await connection.api('status'), 'api status\n');
  t.equal(heard, 1, 'the other listeners still run');
  t.match(logs.find((l) => l.level === 'error'), { msg: /listener threw/ });
  t.same(uncaught, []);
});

t.test('the inbound guard sits under modesl: what modesl alone would crash on is only logged', async (t) => {
  // Control: modesl's own parser throws on this frame (a `%` that is not an escape).
  const poison = 'Content-Type: command/reply\nReply-Text: +OK 100% sure\n\n';
  const { createRequire } = await import('node:module');
  const { PassThrough } = await import('node:stream');
  const Parser = createRequire(import.meta.url)('modesl/lib/esl/Parser.js') as new (s: NodeJS.ReadableStream) => unknown;
  const raw = new PassThrough();
  new Parser(raw);
  t.throws(() => raw.emit('data', Buffer.from(poison)), URIError, 'modesl alone throws');

  const uncaught = watchUncaught(t);
  const { port } = await commandServer(t, (_command, socket) => socket.write(poison));
  const { connection, logs } = await connect(t, port);
  const error = await connection.api('status').catch((e: unknown) => e);
  t.match(error, { code: 'VAPI_ERR_ESL_CLOSED', message: /VAPI_ERR_ESL_PROTOCOL/ }, 'an unreadable reply resets the connection');
  t.match(logs.find((l) => l.level === 'error'), { obj: { code: 'VAPI_ERR_ESL_PROTOCOL', reason: /command\/reply.*percent-encoding/ } }, 'and says why');
  t.same(uncaught, [], 'no uncaught exception');
  // The reader agrees it is not a frame we can hand over.
  const seen: string[] = [];
  new EslFrameReader((r) => seen.push(r.kind)).push(Buffer.from(poison));
  t.same(seen, ['invalid']);
});
