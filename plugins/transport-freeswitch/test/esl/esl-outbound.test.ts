/** listenOutbound against FreeSWITCH's recorded outbound socket session (call to 1000). */
import net from 'node:net';
import t from 'tap';
import { listenOutbound } from '../../src/esl/listen-outbound.js';
import type { EslConnection, EslEvent } from '../../src/esl/types.js';
import { loadScript, recordedReply, scriptedOutboundCall, testLogger, waitFor, watchUncaught, type Script, type TestLike } from './helpers.js';

const recorded = loadScript('esl_outbound_json_call1000');
const basic = loadScript('esl_inbound_basic');
const MODESL_SUBSCRIPTION = 'event json BACKGROUND_JOB CHANNEL_EXECUTE_COMPLETE';
const UUID = 'ec15ec6f-4929-478e-a0e2-f77719345b8a';

async function listen(t: TestLike) {
  const { log, logs } = testLogger();
  const connections: EslConnection[] = [];
  const arrivals: ((c: EslConnection) => void)[] = [];
  const listener = await listenOutbound({ host: '127.0.0.1', port: 0, commandTimeoutMs: 3000 }, (connection) => {
    connections.push(connection);
    arrivals.shift()?.(connection);
  }, log);
  t.teardown(() => listener.close());
  const next = () => new Promise<EslConnection>((resolve) => arrivals.push(resolve));
  return { listener, connections, logs, next };
}

t.test('esl_outbound_json_call1000: channelData, myevents, linger, events, execute, uuid_kill, notices, close', async (t) => {
  const uncaught = watchUncaught(t);
  const { listener, next } = await listen(t);
  t.ok(listener.port > 0, 'port 0 picked a free port');
  const arrived = next();
  const freeswitch = scriptedOutboundCall(t, listener.port, recorded, { extras: { [MODESL_SUBSCRIPTION]: recordedReply(recorded, 'event json DTMF') } });
  const connection = await arrived;

  t.equal(connection.mode, 'outbound');
  const channel = connection.channelData!;
  t.equal(channel.name, 'CHANNEL_DATA');
  t.equal(channel.uuid, UUID);
  t.equal(channel.headers['Caller-Destination-Number'], '1000');
  t.equal(channel.headers['Socket-Mode'], 'async');
  t.equal(channel.headers.Control, 'full');
  t.equal(channel.headers['Event-Date-Local'], '2026-11-22 04:32:07', 'URL-decoded like every header');
  t.same(freeswitch.received, ['connect', MODESL_SUBSCRIPTION], 'handed over after connect and the subscription');

  const events: EslEvent[] = [];
  const notices: [string, Readonly<Record<string, string>>][] = [];
  connection.on('event', (event) => events.push(event));
  connection.on('notice', (disposition, headers) => notices.push([disposition, headers]));
  const closed = waitFor<string>((l) => connection.on('close', l), (reason: string) => reason, 20_000);

  t.equal(await connection.command('myevents json'), '+OK Events Enabled');
  t.equal(await connection.command('linger 5'), '+OK will linger 5 seconds');
  const digit5 = waitFor<EslEvent>((l) => connection.on('event', l), (e: EslEvent) => (e.headers['DTMF-Digit'] === '5' ? e : undefined));
  await connection.subscribe(['DTMF']);
  t.equal((await digit5).uuid, UUID);

  // Outbound, `sendmsg` without a uuid controls this socket's channel.
  const complete = await connection.execute('', 'playback', 'tone_stream://%(1500,0,700)');
  t.match(complete, { name: 'CHANNEL_EXECUTE_COMPLETE', uuid: UUID, headers: { Application: 'playback', 'Application-Response': 'FILE PLAYED' } });

  t.equal(await connection.api('uuid_kill', `${UUID} USER_BUSY`), '+OK\n');
  t.equal(await closed, 'FreeSWITCH closed the connection after a disconnect notice');
  t.equal(connection.closed, true);

  t.same(notices.map(([disposition]) => disposition), ['linger', 'disconnect']);
  t.match(notices[0]![1], { 'Controlled-Session-UUID': UUID, 'Linger-Time': '5' });
  t.same(
    events.map((e) => (e.name === 'CHANNEL_EXECUTE_COMPLETE' ? `${e.name}(${e.headers.Application})` : e.name)),
    [
      'DTMF', 'DTMF', 'CHANNEL_EXECUTE', 'CHANNEL_EXECUTE_COMPLETE(playback)', 'CHANNEL_HANGUP', 'CHANNEL_UNPARK',
      'CHANNEL_EXECUTE_COMPLETE(socket)', 'CHANNEL_STATE', 'CHANNEL_STATE', 'CHANNEL_HANGUP_COMPLETE',
    ],
    'every event of the channel, typed, in order (the linger notice came after CHANNEL_HANGUP)',
  );
  t.equal(events.find((e) => e.name === 'CHANNEL_HANGUP_COMPLETE')!.headers['Hangup-Cause'], 'USER_BUSY');
  t.same(freeswitch.unexpected, []);
  t.same(uncaught, []);
});

/** The recorded session with FreeSWITCH's answer to the subscription replaced. */
function session(subscriptionReply: Buffer, control = 'full'): { script: Script; extras: Record<string, Buffer> } {
  const script: Script = {
    banner: [],
    steps: recorded.steps.map((step, index) =>
      index === 0 ? { command: step.command, response: step.response.map((c) => Buffer.from(c.toString('latin1').replace('Control: full', `Control: ${control}`), 'latin1')) } : step,
    ),
  };
  return { script, extras: { [MODESL_SUBSCRIPTION]: subscriptionReply } };
}

t.test('a dialplan socket without `full` is closed with VAPI_ERR_ESL_NOT_FULL and never handed over', async (t) => {
  const refused = recordedReply(basic, 'nonsense_command'); // -ERR command not found, as FreeSWITCH says it
  const accepted = recordedReply(recorded, 'event json DTMF');
  for (const [label, reply, control] of [
    ['`event` refused with -ERR command not found', refused, 'full'],
    ['CHANNEL_DATA says Control: single-channel', accepted, 'single-channel'],
  ] as const) {
    const { listener, connections, logs } = await listen(t);
    const { script, extras } = session(reply, control);
    const freeswitch = scriptedOutboundCall(t, listener.port, script, { extras });
    await new Promise<void>((resolve) => freeswitch.socket.once('close', () => resolve()));
    t.equal(connections.length, 0, `${label}: onConnection not called`);
    const error = logs.find((l) => l.obj.code === 'VAPI_ERR_ESL_NOT_FULL');
    t.match(error, { level: 'error', obj: { fix: /socket host:port async full|async full/ } }, `${label}: logged with the fix`);
    t.match(error!.msg, /no `full` flag/);
  }
});

t.test('a peer that is not FreeSWITCH, or says nothing, is dropped; the listener closes cleanly', async (t) => {
  const { listener, connections, logs } = await listen(t);
  // Answers `connect` with a plain +OK (no CHANNEL_DATA).
  const stranger = scriptedOutboundCall(t, listener.port, { banner: [], steps: [] }, {
    intercept: (_command, socket) => {
      socket.write('Content-Type: command/reply\nReply-Text: +OK\n\n');
      return true;
    },
  });
  await new Promise<void>((resolve) => stranger.socket.once('close', () => resolve()));
  t.equal(connections.length, 0);
  t.match(logs.find((l) => l.obj.code === 'VAPI_ERR_ESL_PROTOCOL'), { msg: /did not answer `connect` with CHANNEL_DATA/ });

  const quiet = net.connect({ host: '127.0.0.1', port: listener.port });
  quiet.on('error', () => {});
  quiet.resume();
  await new Promise<void>((resolve) => quiet.once('connect', () => resolve()));
  const quietClosed = new Promise<void>((resolve) => quiet.once('close', () => resolve()));
  await listener.close();
  await quietClosed;
  t.pass('close() ends connections still in their handshake');
  await listener.close();
  t.pass('and is idempotent');
});

t.test('a port in use is VAPI_ERR_ESL_LISTEN', async (t) => {
  const { log } = testLogger();
  const taken = net.createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    taken.close();
  });
  const port = (taken.address() as net.AddressInfo).port;
  const error = await listenOutbound({ host: '127.0.0.1', port }, () => {}, log).catch((e: unknown) => e);
  t.match(error, { code: 'VAPI_ERR_ESL_LISTEN', message: /EADDRINUSE/, fix: /free port/ });
});
