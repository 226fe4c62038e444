/** The probe: measurement hooks for load tests, called as commands arrive, speech starts, files end. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { FreeSwitchEmulator, type EmulatedCall } from './index.js';
import { RawEslClient, startWsApp, tone, waitUntil } from './test-support.js';

t.test('commands as they arrive, the first frame of caller speech on the stream, files played to their end', async (t) => {
  const commands: Array<{ line: string; at: number }> = [];
  const speech: Array<{ call: EmulatedCall; at: number }> = [];
  const done: Array<{ path: string; endsAt: number }> = [];
  const fs = await FreeSwitchEmulator.start({
    heartbeatIntervalMs: 0,
    probe: {
      commandReceived: (line, at) => commands.push({ line, at }),
      callerSpeechSent: (call, at) => speech.push({ call, at }),
      playbackDone: (_call, path, endsAt) => done.push({ path, endsAt }),
    },
  });
  const app = await startWsApp();
  const esl = await RawEslClient.login(fs.eslPort);
  const dir = mkdtempSync(join(tmpdir(), 'fs-emulator-probe-'));
  t.teardown(async () => {
    esl.close();
    await fs.stop();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = fs.placeCall({ from: '1001', to: '1001', dialplan: { type: 'park' }, record: false });
  const beforeAnswer = performance.now();
  await esl.api(`uuid_answer ${call.uuid}`);
  const answer = commands.find((c) => c.line === `api uuid_answer ${call.uuid}`);
  t.ok(answer, 'the api command is reported with its first line');
  t.ok(answer!.at >= beforeAnswer && answer!.at <= performance.now(), 'at its arrival time');

  await esl.api(`uuid_audio_stream ${call.uuid} start ${app.url}/s mono 8k {}`);
  const stream = await app.next();
  await waitUntil(() => stream.binaries.length >= 3, 3000, 'silent frames');
  t.equal(speech.length, 0, 'silence is not speech');

  const said = performance.now();
  call.say(tone(300, 200));
  await waitUntil(() => speech.length === 1, 3000, 'the speech onset');
  t.equal(speech[0]!.call, call);
  t.ok(speech[0]!.at >= said && speech[0]!.at - said < 1000, 'reported when its frame goes out');
  await waitUntil(() => call.pendingCallerSamples === 0, 3000, 'the speech to be sent');
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.equal(speech.length, 1, 'one onset for the utterance, not one per frame');
  call.say(tone(300, 100));
  await waitUntil(() => speech.length === 2, 3000, 'the second onset');
  t.ok(speech[1]!.at - speech[0]!.at >= 200, 'speech after silence is a new onset');
  t.ok(stream.binaries.some((b) => b.data.some((byte) => byte !== 0)), 'the speech frames reached the app');

  const path = join(dir, 'beep.r8');
  writeFileSync(path, Buffer.from(tone(440, 100).buffer));
  const broadcastAt = performance.now();
  await esl.api(`uuid_broadcast ${call.uuid} ${path} aleg`);
  await waitUntil(() => done.length === 1, 3000, 'the file to end');
  t.equal(done[0]!.path, path);
  t.ok(done[0]!.endsAt - broadcastAt >= 100, `ends once its 100 ms have played (${(done[0]!.endsAt - broadcastAt).toFixed(1)} ms)`);
});
