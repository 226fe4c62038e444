/**
 * mod_audio_stream as the captures show it: the upgrade request, metadata first, 20 ms frames of
 * raw s16le at the asked rate in real time, app text → CUSTOM events, streamAudio → a file and
 * ::play, stop/hangup → close 1000.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import t, { type Test } from 'tap';
import { FreeSwitchEmulator } from './index.js';
import { delay, eventBody, eventHeader, rms, RawEslClient, s16le, startWsApp, tone, waitUntil, type Frame } from './test-support.js';

const SUBSCRIBE = 'event json CHANNEL_PROGRESS_MEDIA CUSTOM mod_audio_stream::connect mod_audio_stream::disconnect mod_audio_stream::error mod_audio_stream::json mod_audio_stream::play';
const body = (frame: Frame) => JSON.parse(eventBody(frame)!) as Record<string, string>;

async function setup(t: Test) {
  const fs = await FreeSwitchEmulator.start({ heartbeatIntervalMs: 0 });
  const app = await startWsApp();
  const esl = await RawEslClient.login(fs.eslPort);
  t.teardown(async () => {
    esl.close();
    await fs.stop();
    await app.close();
  });
  await esl.command(SUBSCRIBE);
  return { fs, app, esl };
}

t.test('the upgrade request is the module\'s: Name:value headers, Origin, no subprotocol, no compression; metadata is the first frame', async (t) => {
  const fs = await FreeSwitchEmulator.start({ heartbeatIntervalMs: 0 });
  const received: Buffer[] = [];
  const server = net.createServer((socket) => {
    socket.on('data', (chunk) => {
      received.push(chunk);
      const all = Buffer.concat(received).toString('latin1');
      const key = /Sec-WebSocket-Key:(\S+)\r\n/.exec(all)?.[1];
      if (key && all.includes('\r\n\r\n') && !socket.readableEnded && received.length === 1) {
        const accept = createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
        socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  t.teardown(async () => {
    await fs.stop();
    server.close();
  });
  const esl = await RawEslClient.login(fs.eslPort);
  t.teardown(() => esl.close());
  const call = fs.placeCall({ from: '1001', to: '1001', dialplan: { type: 'park' } });
  await esl.api(`uuid_answer ${call.uuid}`);
  t.equal(await esl.api(`uuid_setvar ${call.uuid} STREAM_EXTRA_HEADERS {"X-Test-Header":"abc","X-Call":"${call.uuid}"}`), '+OK\n');
  t.equal(await esl.api(`uuid_audio_stream ${call.uuid} start ws://127.0.0.1:${port}/stream/e1 mono 16k {"callId":"${call.uuid}","type":"start"}`), '+OK Success\n');
  await waitUntil(() => Buffer.concat(received).length > 400, 3000, 'the handshake and the first frames');
  const bytes = Buffer.concat(received);
  const end = bytes.indexOf('\r\n\r\n') + 4;
  t.equal(bytes.toString('latin1', 0, end),
    `GET /stream/e1 HTTP/1.1\r\nHost:127.0.0.1:${port}\r\nUpgrade:websocket\r\nConnection:upgrade\r\n` +
    `Sec-WebSocket-Key:${/Sec-WebSocket-Key:(\S+)/.exec(bytes.toString('latin1'))![1]}\r\nSec-WebSocket-Version:13\r\n` +
    `Origin:http://127.0.0.1:${port}\r\nX-Call:${call.uuid}\r\nX-Test-Header:abc\r\n\r\n`, 'the exact upgrade request');
  // First frame: masked text holding exactly the metadata argument.
  const frame = bytes.subarray(end);
  t.equal(frame[0], 0x81, 'FIN + text');
  t.equal(frame[1] & 0x80, 0x80, 'masked, as a client must');
  const length = frame[1] & 0x7f;
  const mask = frame.subarray(2, 6);
  const payload = Buffer.from(frame.subarray(6, 6 + length).map((b, i) => b ^ mask[i % 4]));
  t.equal(payload.toString(), `{"callId":"${call.uuid}","type":"start"}`);
  t.equal(frame[6 + length], 0x82, 'then binary frames');
});

t.test('mono 16k: metadata, ::connect, 640-byte frames at 50 per second carrying the caller, app text, streamAudio, send_text, pause/resume, stop', async (t) => {
  const { fs, app, esl } = await setup(t);
  const call = fs.placeCall({ from: '1001', to: '1001', dialplan: { type: 'park' }, callerAudio: tone(440, 3000) });
  await esl.api(`uuid_answer ${call.uuid}`);
  const metadata = `{"callId":"${call.uuid}","type":"start"}`;
  t.equal(await esl.api(`uuid_audio_stream ${call.uuid} start ${app.url}/stream/e1 mono 16k ${metadata}`), '+OK Success\n');
  const ws = await app.next();
  t.equal(ws.url, '/stream/e1');
  t.notOk(ws.rawHeaders.some((h) => /^sec-websocket-(protocol|extensions)$/i.test(h)), 'no subprotocol, no permessage-deflate offer');
  const connect = await esl.event('mod_audio_stream::connect');
  t.equal(eventBody(connect), '{"status":"connected"}');
  t.equal(eventHeader(connect, 'Unique-ID'), call.uuid);
  await waitUntil(() => ws.texts.length > 0);
  t.equal(ws.texts[0], metadata, 'the metadata is the first text frame');

  await delay(1000);
  const frames = ws.binaries.slice();
  t.ok(frames.length > 0 && frames.every((f) => f.data.length === 640), `${frames.length} frames, all 640 bytes (20 ms at 16 kHz)`);
  const span = (frames[frames.length - 1].at - frames[0].at) / 1000;
  const rate = (frames.length - 1) / span;
  t.ok(rate > 35 && rate < 65, `real-time pacing: ${rate.toFixed(1)} frames/s`);
  const audio = s16le(Buffer.concat(frames.slice(5).map((f) => f.data)));
  t.ok(rms(audio) > 2000, `the caller's tone is in the stream (rms ${rms(audio).toFixed(0)})`);

  ws.socket.send('{"type":"ack","note":"hello from test ws server"}');
  const json = await esl.event('mod_audio_stream::json');
  t.equal(eventBody(json), '{"type":"ack","note":"hello from test ws server"}');
  ws.socket.send('this is not json');
  await esl.event('mod_audio_stream::json', 3000, (f) => eventBody(f) === 'this is not json');

  const pcm = Buffer.from(tone(500, 100).buffer);
  ws.socket.send(JSON.stringify({ type: 'streamAudio', data: { audioDataType: 'raw', sampleRate: 8000, audioData: pcm.toString('base64') } }));
  const play = await esl.event('mod_audio_stream::play');
  const announced = body(play);
  t.same(Object.keys(announced), ['audioDataType', 'sampleRate', 'file'], 'the data object without audioData, plus file');
  t.match(announced.file, new RegExp(`${call.uuid}_0\\.tmp\\.r8$`));
  t.same(readFileSync(announced.file), pcm, 'the file holds the decoded audio');
  t.equal(call.playbacks.length, 0, 'the module never plays it by itself');
  ws.socket.send(JSON.stringify({ type: 'streamAudio', data: { audioDataType: 'raw', sampleRate: 11025, audioData: pcm.toString('base64') } }));
  await esl.event('mod_audio_stream::json', 3000, (f) => eventBody(f)!.includes('11025'));

  t.equal(await esl.api(`uuid_audio_stream ${call.uuid} send_text {"type":"mark","n":1}`), '+OK Success\n');
  await waitUntil(() => ws.texts.includes('{"type":"mark","n":1}'));

  t.equal(await esl.api(`uuid_audio_stream ${call.uuid} pause`), '+OK Success\n');
  await delay(60);
  const paused = ws.binaries.length;
  await delay(250);
  t.ok(ws.binaries.length - paused <= 1, 'no frames while paused');
  t.equal(await esl.api(`uuid_audio_stream ${call.uuid} resume`), '+OK Success\n');
  await waitUntil(() => ws.binaries.length > paused + 5, 2000, 'frames after resume');

  t.equal(await esl.api(`uuid_audio_stream ${call.uuid} stop {"type":"bye"}`), '+OK Success\n');
  t.same(await ws.closed, { code: 1000, reason: 'Normal closure' });
  t.equal(ws.texts[ws.texts.length - 1], '{"type":"bye"}', 'the stop text came before the close');
  t.equal(esl.events('mod_audio_stream::disconnect').length, 0, 'no ::disconnect on stop');
  t.match(call.audioStream, { mix: 'mono', rate: 16000, closed: true, closeCode: 1000 });
  t.equal(await esl.api(`uuid_audio_stream ${call.uuid} stop`), '-ERR Operation Failed\n', 'nothing left to stop');
});

t.test('mono 8k: 320-byte frames, silence once the caller has nothing to say, close 1000 at hangup', async (t) => {
  const { fs, app, esl } = await setup(t);
  const call = fs.placeCall({ from: '1001', to: '3000', dialplan: { type: 'park' }, callerAudio: tone(300, 200) });
  await esl.api(`uuid_answer ${call.uuid}`);
  await esl.api(`uuid_audio_stream ${call.uuid} start ${app.url}/e2 mono 8k {"from":"dialplan"}`);
  const ws = await app.next();
  await waitUntil(() => ws.binaries.length >= 30, 3000, '30 frames');
  t.ok(ws.binaries.every((f) => f.data.length === 320), 'all 320 bytes');
  const late = s16le(Buffer.concat(ws.binaries.slice(20, 30).map((f) => f.data)));
  t.equal(rms(late), 0, 'mono keeps sending, silence after the caller stopped talking');
  call.hangup();
  t.same(await ws.closed, { code: 1000, reason: 'Normal closure' });
  t.equal(esl.events('mod_audio_stream::disconnect').length, 0);
});

t.test('stereo and mixed: no frames during a silent park; with a tone playing, stereo carries it in channel 1', async (t) => {
  const { fs, app, esl } = await setup(t);
  const call = fs.placeCall({ from: '1001', to: '1001', dialplan: { type: 'park' } });
  await esl.api(`uuid_answer ${call.uuid}`);
  await esl.api(`uuid_audio_stream ${call.uuid} start ${app.url}/stereo stereo 16k {"probe":"stereo"}`);
  const ws = await app.next();
  await esl.event('mod_audio_stream::connect');
  await delay(300);
  t.equal(ws.binaries.length, 0, 'stereo sends nothing while nothing is played to the caller');
  t.equal(await esl.api(`uuid_broadcast ${call.uuid} tone_stream://%(1000,0,1000) aleg`), '+OK Message sent\n');
  await waitUntil(() => ws.binaries.length >= 40, 3000, '40 stereo frames');
  t.ok(ws.binaries.every((f) => f.data.length === 1280), '1280 bytes: 20 ms, 16 kHz, 2 channels');
  const pcm = s16le(Buffer.concat(ws.binaries.slice(5, 40).map((f) => f.data)));
  const left = pcm.filter((_, i) => i % 2 === 0);
  const right = pcm.filter((_, i) => i % 2 === 1);
  t.ok(rms(right) > 3000, `channel 1 has what is played (rms ${rms(right).toFixed(0)})`);
  t.ok(rms(left) < 100, `channel 0 is the (silent) caller (rms ${rms(left).toFixed(0)})`);
  await waitUntil(() => call.events.some((e) => e.name === 'PLAYBACK_STOP'), 3000);
  const afterTone = ws.binaries.length;
  await delay(200);
  t.ok(ws.binaries.length - afterTone <= 1, 'frames stop when the tone ends');
  t.ok(afterTone >= 45 && afterTone <= 52, `about one second of frames (${afterTone})`);

  const mixedCall = fs.placeCall({ from: '1002', to: '1001', dialplan: { type: 'park' } });
  await esl.api(`uuid_answer ${mixedCall.uuid}`);
  await esl.api(`uuid_audio_stream ${mixedCall.uuid} start ${app.url}/mixed mixed 8k`);
  const mixed = await app.next();
  await delay(200);
  t.equal(mixed.binaries.length, 0, 'mixed: nothing during silence either');
  await esl.api(`uuid_broadcast ${mixedCall.uuid} tone_stream://%(300,0,1000)`);
  await waitUntil(() => mixed.binaries.length >= 10, 3000);
  t.ok(mixed.binaries.every((f) => f.data.length === 320), 'mixed 8k: 320 bytes per frame');
});

t.test('STREAM_BUFFER_SIZE=100: 3200-byte frames ten times a second; STREAM_HEART_BEAT pings', async (t) => {
  const { fs, app, esl } = await setup(t);
  const call = fs.placeCall({ from: '1001', to: '1001', dialplan: { type: 'park' } });
  await esl.api(`uuid_answer ${call.uuid}`);
  await esl.api(`uuid_setvar ${call.uuid} STREAM_BUFFER_SIZE 100`);
  await esl.api(`uuid_setvar ${call.uuid} STREAM_HEART_BEAT 1`);
  const ws0 = app.next();
  await esl.api(`uuid_audio_stream ${call.uuid} start ${app.url}/buf100 mono 16k {"probe":"buf100"}`);
  const ws = await ws0;
  let pings = 0;
  ws.socket.on('ping', () => pings++);
  await delay(1300);
  t.ok(ws.binaries.length >= 8 && ws.binaries.length <= 15, `${ws.binaries.length} frames in 1.3 s`);
  t.ok(ws.binaries.every((f) => f.data.length === 3200), 'each 100 ms of 16 kHz mono');
  t.ok(pings >= 1, `heartbeat pings (${pings})`);
});

t.test('start validation, pre-answer, connect failure (::error code 6) and the app closing (::disconnect)', async (t) => {
  const { fs, app, esl } = await setup(t);
  const call = fs.placeCall({ from: '1001', to: '1001', dialplan: { type: 'park' } });
  const usage = '-USAGE: <uuid> [start | stop | send_text | pause | resume | graceful-shutdown ] [wss-url | path] [mono | mixed | stereo] [8000 | 16000] [metadata]\n';
  t.equal(await esl.api('uuid_audio_stream'), usage);
  t.equal(await esl.api(`uuid_audio_stream ${call.uuid} start ${app.url}/x`), usage, 'start needs a mix type');
  t.equal(await esl.api(`uuid_audio_stream ${call.uuid} start ${app.url}/x Mono 16k`), '-ERR Operation Failed\n', 'the mix type is compared exactly');
  t.equal(await esl.api(`uuid_audio_stream ${call.uuid} start http://127.0.0.1:1/x mono 16k`), '-ERR Operation Failed\n', 'ws:// or wss:// only');
  t.equal(await esl.api(`uuid_audio_stream ${call.uuid} start ws://bad_host:1/x mono 16k`), '-ERR Operation Failed\n', 'host: letters, digits, - and . only');
  t.equal(await esl.api(`uuid_audio_stream ${call.uuid} start ${app.url}/x mono 11025`), '-ERR Operation Failed\n', 'rate must divide by 8000');
  t.equal(await esl.api(`uuid_audio_stream 00000000-0000-0000-0000-000000000000 start ${app.url}/x mono 8k`), '-ERR Operation Failed\n');
  t.equal(await esl.api(`uuid_audio_stream ${call.uuid} send_text hello`), '-ERR Operation Failed\n', 'no stream to send to');

  t.equal(call.state, 'ringing');
  t.equal(await esl.api(`uuid_audio_stream ${call.uuid} start ${app.url}/early mono 8k`), '+OK Success\n');
  await esl.event('CHANNEL_PROGRESS_MEDIA');
  t.equal(call.state, 'early', 'starting a stream pre-answers a ringing channel');
  t.equal(await esl.api(`uuid_audio_stream ${call.uuid} start ${app.url}/again mono 8k`), '-ERR Operation Failed\n', 'the bug cannot be attached twice');
  const ws = await app.next();
  ws.socket.close(4000, 'app says bye');
  const disconnect = await esl.event('mod_audio_stream::disconnect');
  t.same(body(disconnect), { status: 'disconnected', message: { code: 4000, reason: 'app says bye' } });

  const free = net.createServer();
  await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
  const deadPort = (free.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => free.close(() => resolve()));
  t.equal(await esl.api(`uuid_audio_stream ${call.uuid} start ws://127.0.0.1:${deadPort}/nobody mono 8k`), '+OK Success\n', 'the API answers before the connection is tried');
  const error = await esl.event('mod_audio_stream::error');
  t.match(body(error), { status: 'error', message: { code: 6 } });
  t.equal(eventHeader(error, 'Unique-ID'), call.uuid);
});
