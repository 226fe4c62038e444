/** Faults for the transport's resilience tests, timeouts, shutdown, counters and bad input. */
import net from 'node:net';
import t from 'tap';
import { FreeSwitchEmulator } from './index.js';
import { delay, describe, header, outboundListener, RawEslClient, startWsApp, waitUntil } from './test-support.js';

t.test('dropEslConnections: every ESL socket dies without a word; calls and audio streams go on', async (t) => {
  const fs = await FreeSwitchEmulator.start({ heartbeatIntervalMs: 0 });
  const app = await startWsApp();
  t.teardown(async () => {
    await fs.stop();
    await app.close();
  });
  const esl = await RawEslClient.login(fs.eslPort);
  const call = fs.placeCall({ from: '1001', to: '1001', dialplan: { type: 'park' } });
  await esl.api(`uuid_answer ${call.uuid}`);
  await esl.api(`uuid_audio_stream ${call.uuid} start ${app.url}/s mono 8k`);
  const ws = await app.next();
  await waitUntil(() => ws.binaries.length > 5);
  const framesBefore = esl.frames.length;
  fs.dropEslConnections();
  await esl.closed;
  t.equal(esl.frames.length, framesBefore, 'no disconnect notice: the connection just broke');
  t.equal(fs.stats().eslConnectionsOpen, 0);
  const count = ws.binaries.length;
  await delay(200);
  t.ok(ws.binaries.length > count + 5, 'the audio stream kept flowing');
  t.equal(call.state, 'answered', 'the call is still up');
  const again = await RawEslClient.login(fs.eslPort);
  t.equal(await again.api(`uuid_exists ${call.uuid}`), 'true', 'a new connection finds the call');
  t.equal(await again.api(`uuid_kill ${call.uuid}`), '+OK\n');
  t.same(await ws.closed, { code: 1000, reason: 'Normal closure' });
  again.close();
});

t.test('refuseEsl: connections are refused, then accepted again on the same port', async (t) => {
  const fs = await FreeSwitchEmulator.start({ heartbeatIntervalMs: 0 });
  t.teardown(() => fs.stop());
  const port = fs.eslPort;
  const open = await RawEslClient.login(port);
  await fs.refuseEsl(true);
  const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.destroy();
      resolve(undefined);
    });
    s.on('error', resolve);
  });
  t.equal(error?.code, 'ECONNREFUSED');
  t.equal(await open.api('version'), 'FreeSWITCH Version 1.10.12-release~64bit ( 64bit)\n', 'an existing connection is not affected');
  await fs.refuseEsl(false);
  t.equal(fs.eslPort, port);
  const back = await RawEslClient.login(port);
  t.pass('accepted again');
  back.close();
  open.close();
});

t.test('injectRaw: the exact bytes reach every ESL socket (garbage, a lying Content-Length, a truncated event)', async (t) => {
  const fs = await FreeSwitchEmulator.start({ heartbeatIntervalMs: 0 });
  t.teardown(() => fs.stop());
  const a = await RawEslClient.login(fs.eslPort);
  const b = await RawEslClient.login(fs.eslPort);
  const garbage = Buffer.from([0x00, 0xff, 0x0a, 0x0a]);
  const lying = 'Content-Length: 500\nContent-Type: text/event-json\n\n{"Event-Name":"HEARTBEAT"}';
  for (const client of [a, b]) client.received.length = 0;
  fs.injectRaw(garbage);
  fs.injectRaw(lying);
  await waitUntil(() => [a, b].every((c) => Buffer.concat(c.received).length === garbage.length + Buffer.byteLength(lying)));
  for (const client of [a, b]) t.same(Buffer.concat(client.received), Buffer.concat([garbage, Buffer.from(lying)]));
  a.close();
  b.close();
});

t.test('the first command must come in time: inbound and outbound get the goodbye notice and are closed', async (t) => {
  const fs = await FreeSwitchEmulator.start({ heartbeatIntervalMs: 0, authTimeoutMs: 200 });
  const app = await outboundListener();
  t.teardown(async () => {
    await fs.stop();
    app.server.close();
  });
  const started = Date.now();
  const idle = await RawEslClient.connect(fs.eslPort);
  await idle.closed;
  t.ok(Date.now() - started >= 180, 'not before the timeout');
  t.equal(Buffer.concat(idle.received).toString(), 'Content-Type: auth/request\n\nContent-Type: text/disconnect-notice\nContent-Length: 67\n\nDisconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n');

  const call = fs.placeCall({ from: '1', to: '1', dialplan: { type: 'socket', address: `127.0.0.1:${app.port}` } });
  const outbound = await app.accept();
  await outbound.closed;
  t.equal(describe(outbound.frames[0]), 'text/disconnect-notice');
  t.equal(header(outbound.frames[0], 'Controlled-Session-UUID'), call.uuid);
  t.equal(call.state, 'ringing', 'the channel stays parked when its socket goes away');
});

t.test('a socket address nobody listens on: the socket app fails and the dialplan ends the call', async (t) => {
  const fs = await FreeSwitchEmulator.start({ heartbeatIntervalMs: 0 });
  t.teardown(() => fs.stop());
  const free = net.createServer();
  await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
  const port = (free.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => free.close(() => resolve()));
  const call = fs.placeCall({ from: '1', to: '1', dialplan: { type: 'socket', address: `127.0.0.1:${port}` } });
  await call.waitForState('hungup');
  t.equal(call.hangupCause, 'NORMAL_CLEARING');
  t.ok(call.events.some((e) => e.name === 'CHANNEL_EXECUTE_COMPLETE' && e.get('Application') === 'socket'));
});

t.test('stop(): FreeSWITCH\'s shutdown notice, streams closed, idempotent; no calls after it', async (t) => {
  const fs = await FreeSwitchEmulator.start({ heartbeatIntervalMs: 0 });
  const app = await startWsApp();
  t.teardown(() => app.close());
  const esl = await RawEslClient.login(fs.eslPort);
  const call = fs.placeCall({ from: '1', to: '1', dialplan: { type: 'park' } });
  await esl.api(`uuid_answer ${call.uuid}`);
  await esl.api(`uuid_audio_stream ${call.uuid} start ${app.url}/x mono 8k`);
  const ws = await app.next();
  await call.waitFor((c) => c.audioStream?.connected === true, 3000, 'the stream to be open');
  await Promise.all([fs.stop(), fs.stop()]);
  await esl.closed;
  t.equal(esl.frames.at(-1)!.body!.toString(), 'The system is being shut down.\n');
  t.same(await ws.closed, { code: 1000, reason: 'Normal closure' });
  t.equal(call.hangupCause, 'SYSTEM_SHUTDOWN');
  t.throws(() => fs.placeCall({ from: '1', to: '1', dialplan: { type: 'park' } }), /stopped/);
  await fs.stop();
});

t.test('stats() counts what happened', async (t) => {
  const fs = await FreeSwitchEmulator.start({ heartbeatIntervalMs: 0 });
  const app = await startWsApp();
  t.teardown(async () => {
    await fs.stop();
    await app.close();
  });
  const esl = await RawEslClient.login(fs.eslPort);
  await esl.command('event json ALL');
  const call = fs.placeCall({ from: '1', to: '1', dialplan: { type: 'park' } });
  await esl.api(`uuid_answer ${call.uuid}`);
  await esl.api(`uuid_audio_stream ${call.uuid} start ${app.url}/x mono 8k`);
  const ws = await app.next();
  await waitUntil(() => ws.binaries.length >= 10);
  const stats = fs.stats();
  t.match(stats, { eslConnectionsOpen: 1, eslConnectionsTotal: 1, callsActive: 1, callsTotal: 1, audioStreamsOpen: 1, apiCommands: 2, audioStreamsOpened: 1 });
  t.ok(stats.commandsReceived >= 4, `commands received: ${stats.commandsReceived}`);
  t.ok(stats.eventsDelivered > 5 && stats.eventsFired >= stats.eventsDelivered, `events: fired ${stats.eventsFired}, delivered ${stats.eventsDelivered}`);
  t.ok(stats.audioFramesSent >= 10 && stats.audioBytesSent === stats.audioFramesSent * 320, 'audio frames and bytes');
  esl.close();
});

t.test('bad input to the emulator API is refused with a clear message', async (t) => {
  const fs = await FreeSwitchEmulator.start({ heartbeatIntervalMs: 0 });
  t.teardown(() => fs.stop());
  t.throws(() => fs.placeCall({ from: '', to: '1', dialplan: { type: 'park' } }), /"from"/);
  t.throws(() => fs.placeCall({ from: '1', to: '1 2', dialplan: { type: 'park' } }), /"to"/);
  t.throws(() => fs.placeCall({ from: '1', to: '1', dialplan: { type: 'socket', address: 'nowhere port' } }), /host:port/);
  t.throws(() => fs.placeCall({ from: '1', to: '1', dialplan: { type: 'bridge' } as never }), /dialplan/);
  t.throws(() => fs.placeCall({ from: '1', to: '1', dialplan: { type: 'park' }, callerAudio: [1, 2] as never }), /Int16Array/);
  t.throws(() => fs.placeCall({ from: '1', to: '1', dialplan: { type: 'park' }, variables: { 'bad name': 'x' } }), /variable/);
  const call = fs.placeCall({ from: '1', to: '1', dialplan: { type: 'park' } });
  t.throws(() => fs.placeCall({ from: '1', to: '1', dialplan: { type: 'park' }, uuid: call.uuid }), /already exists/);
  t.throws(() => call.say(new Float32Array(4) as never), /Int16Array/);
});
