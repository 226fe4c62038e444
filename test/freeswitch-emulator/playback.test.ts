/** Playback into the far end: uuid_broadcast queues back to back, uuid_break [all] cuts it off. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { FreeSwitchEmulator } from './index.js';
import { delay, eventHeader, RawEslClient, rms, tone, waitUntil } from './test-support.js';

const dir = mkdtempSync(join(tmpdir(), 'fs-emulator-playback-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

function rawFile(name: string, pcm: Int16Array): string {
  const path = join(dir, name);
  writeFileSync(path, Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength));
  return path;
}

function wavFile(name: string, pcm: Int16Array, rate: number): string {
  const data = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  const head = Buffer.alloc(44);
  head.write('RIFF', 0);
  head.writeUInt32LE(36 + data.length, 4);
  head.write('WAVEfmt ', 8);
  head.writeUInt32LE(16, 16);
  head.writeUInt16LE(1, 20);
  head.writeUInt16LE(1, 22);
  head.writeUInt32LE(rate, 24);
  head.writeUInt32LE(rate * 2, 28);
  head.writeUInt16LE(2, 32);
  head.writeUInt16LE(16, 34);
  head.write('data', 36);
  head.writeUInt32LE(data.length, 40);
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat([head, data]));
  return path;
}

/** RMS of the last `ms` of what the caller heard. */
const tail = (pcm: Int16Array, ms: number) => rms(pcm.subarray(Math.max(0, pcm.length - ms * 8)));

async function answeredCall(t: Test) {
  const fs = await FreeSwitchEmulator.start({ heartbeatIntervalMs: 0 });
  const esl = await RawEslClient.login(fs.eslPort);
  t.teardown(async () => {
    esl.close();
    await fs.stop();
  });
  await esl.command('event json PLAYBACK_START PLAYBACK_STOP CHANNEL_EXECUTE CHANNEL_EXECUTE_COMPLETE');
  const call = fs.placeCall({ from: '1001', to: '1001', dialplan: { type: 'park' } });
  t.equal(await esl.api(`uuid_answer ${call.uuid}`), '+OK\n');
  return { fs, esl, call };
}

t.test('a 1 s .r16 tone is heard; uuid_break all silences it at once and the queued file never plays', async (t) => {
  const { esl, call } = await answeredCall(t);
  const first = rawFile('tone-1s.r16', tone(880, 1000, 16000, 12000));
  const second = rawFile('tone-1s-b.r16', tone(660, 1000, 16000, 12000));
  await delay(100);
  t.equal(tail(call.farEnd(), 100), 0, 'silence while nothing plays');
  t.equal(await esl.api(`uuid_broadcast ${call.uuid} ${first} aleg`), '+OK Message sent\n');
  const start = await esl.event('PLAYBACK_START');
  t.equal(eventHeader(start, 'Playback-File-Path'), first);
  t.equal(await esl.api(`uuid_broadcast ${call.uuid} ${second} aleg`), '+OK Message sent\n');
  await delay(300);
  t.ok(tail(call.farEnd(), 200) > 5000, `the tone is in the far end (rms ${tail(call.farEnd(), 200).toFixed(0)})`);

  t.equal(await esl.api(`uuid_break ${call.uuid} all`), '+OK\n');
  const stop = await esl.event('PLAYBACK_STOP');
  t.equal(eventHeader(stop, 'Playback-Status'), 'break');
  const complete = await esl.event('CHANNEL_EXECUTE_COMPLETE', 3000, (f) => eventHeader(f, 'Application') === 'playback');
  t.equal(eventHeader(complete, 'Application-Response'), 'FILE PLAYED');
  await delay(500);
  t.equal(tail(call.farEnd(), 400), 0, 'the far end went silent');
  t.equal(esl.events('PLAYBACK_START').length, 1, 'the queued file never started');
  t.same(call.playbacks, [first]);
  t.same(call.broadcasts, [first, second]);
  t.equal(call.breaks, 1);
  const heard = call.farEnd();
  const toneMs = heard.reduce((n, s, i) => (i % 160 === 0 && rms(heard.subarray(i, i + 160)) > 1000 ? n + 20 : n), 0);
  t.ok(toneMs >= 300 && toneMs < 800, `heard ${toneMs} ms of tone before the break, not the whole second`);
});

t.test('files queue back to back, without a gap; uuid_break without all skips only the current one', async (t) => {
  const { esl, call } = await answeredCall(t);
  const a = rawFile('a.r8', tone(500, 300, 8000, 10000));
  const b = wavFile('b.wav', tone(700, 300, 16000, 10000), 16000);
  const c = rawFile('c.r8', tone(900, 2000, 8000, 10000));
  const d = rawFile('d.r8', tone(1100, 300, 8000, 10000));
  for (const path of [a, b]) await esl.api(`uuid_broadcast ${call.uuid} ${path}`);
  await waitUntil(() => esl.events('PLAYBACK_STOP').length === 2, 3000, 'two playbacks');
  const starts = esl.events('PLAYBACK_START').map((f) => eventHeader(f, 'Playback-File-Path'));
  t.same(starts, [a, b], 'in the order they were queued');
  const heard = call.farEnd();
  const frames = Array.from({ length: Math.floor(heard.length / 160) }, (_, i) => rms(heard.subarray(i * 160, (i + 1) * 160)) > 1000);
  const first = frames.indexOf(true);
  const last = frames.lastIndexOf(true);
  t.ok(frames.slice(first, last + 1).every(Boolean), 'no silent frame between the two files');
  t.ok(last - first + 1 >= 29 && last - first + 1 <= 31, `600 ms of audio (${(last - first + 1) * 20} ms)`);

  await esl.api(`uuid_broadcast ${call.uuid} ${c}`);
  await esl.api(`uuid_broadcast ${call.uuid} ${d}`);
  await esl.event('PLAYBACK_START', 3000, (f) => eventHeader(f, 'Playback-File-Path') === c);
  t.equal(await esl.api(`uuid_break ${call.uuid}`), '+OK\n');
  await esl.event('PLAYBACK_STOP', 3000, (f) => eventHeader(f, 'Playback-File-Path') === d && eventHeader(f, 'Playback-Status') === 'done');
  t.equal(eventHeader(esl.events('PLAYBACK_STOP').find((f) => eventHeader(f, 'Playback-File-Path') === c)!, 'Playback-Status'), 'break');
});

t.test('playback results: a missing file, an unknown format, tone_stream; record: false keeps no far end', async (t) => {
  const { fs, esl, call } = await answeredCall(t);
  const bad = join(dir, 'nothing.mp3');
  writeFileSync(bad, 'ID3');
  const result = async (path: string) => {
    const uuid = crypto.randomUUID();
    esl.send(`sendmsg ${call.uuid}\ncall-command: execute\nexecute-app-name: playback\nexecute-app-arg: ${path}\nEvent-UUID: ${uuid}\n\n`);
    const done = await esl.event('CHANNEL_EXECUTE_COMPLETE', 5000, (f) => eventHeader(f, 'Application-UUID') === uuid);
    return eventHeader(done, 'Application-Response');
  };
  t.equal(await result(join(dir, 'missing.r8')), 'FILE NOT FOUND');
  t.equal(await result(bad), 'PLAYBACK ERROR');
  t.equal(await result('tone_stream://%(200,0,440)'), 'FILE PLAYED');
  const start = esl.events('PLAYBACK_START').at(-1)!;
  t.equal(eventHeader(start, 'Playback-File-Type'), 'tone_stream');
  t.equal(call.getVariable('playback_ms'), '200');

  const quiet = fs.placeCall({ from: '1002', to: '1001', dialplan: { type: 'park' }, record: false });
  t.throws(() => quiet.farEnd(), /record: false/);
});
