import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import pino from 'pino';
import { audioFrame, sineWave } from '@vapi-cn/sdk-plugin-api';
import { VirtualClock } from '@vapi-cn/sdk-plugin-api/testkit';
import { PlaybackWriter } from '../src/playback-writer.js';

const log = pino({ level: 'silent' });

async function writerIn(t: { teardown(fn: () => unknown): void }, overrides: { maxChunkMs?: number; lowWaterMs?: number } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'vapi-playback-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const clock = new VirtualClock();
  const commands: string[] = [];
  const broadcasts: Array<{ chunkMs: number; firstAudio: boolean }> = [];
  const writer = new PlaybackWriter({
    uuid: 'call-1',
    dir,
    sampleRate: 8000,
    maxChunkMs: overrides.maxChunkMs ?? 400,
    lowWaterMs: overrides.lowWaterMs ?? 200,
    clock,
    log,
    commands: { api: async (command, args) => (commands.push(`${command} ${args}`), '+OK\n') },
    onBroadcast: (chunkMs, firstAudio) => broadcasts.push({ chunkMs, firstAudio }),
  });
  /** Lets the write-then-broadcast chain (real file I/O) run its course. */
  const settle = () => quiet(() => commands.length);
  return { dir, clock, commands, broadcasts, writer, settle };
}

/** Waits until `count()` has not changed for 50 ms (file writes run on the thread pool). */
async function quiet(count: () => number): Promise<void> {
  let last = -1;
  for (let i = 0; i < 200; i++) {
    const now = count();
    if (now === last) return;
    last = now;
    await sleep(50);
  }
}

const tone = (ms: number) => audioFrame(sineWave(440, 8000, ms, 0.3), 8000);

t.test('the first audio goes out at once as one file; later audio is gathered into larger chunks', async (t) => {
  const { dir, clock, commands, broadcasts, writer, settle } = await writerIn(t);
  for (let i = 0; i < 5; i++) writer.write(tone(20));
  t.equal(commands.length, 0, 'frames of one task are gathered first');
  await settle();
  t.equal(commands.length, 1, 'one broadcast for the first 100 ms');
  t.match(commands[0], new RegExp(`^uuid_broadcast call-1 ${dir}/call-1/1\\.r8 aleg$`));
  t.same(broadcasts[0], { chunkMs: 100, firstAudio: true });
  const bytes = await readFile(join(dir, 'call-1', '1.r8'));
  t.equal(bytes.length, 1600, 'raw s16le: 100 ms at 8 kHz');
  t.equal(bytes.readInt16LE(2), tone(20).samples[1], 'the samples as sent');

  // 1 s more arrives at once: 400 ms files, the rest waits until FreeSWITCH runs low.
  writer.write(tone(1000));
  await settle();
  t.equal(commands.length, 3, 'two full 400 ms chunks');
  t.same(broadcasts.slice(1).map((b) => b.chunkMs), [400, 400]);
  t.notOk(broadcasts[1]!.firstAudio, 'queued behind the first: not first audio');
  t.equal(Math.round(writer.unplayedMs), 1100, '900 ms at FreeSWITCH + 200 ms pending');
  await clock.advance(700);
  await settle();
  t.equal(commands.length, 4, 'the 200 ms tail goes when FreeSWITCH has under 200 ms left');
  t.same(broadcasts.map((b) => b.chunkMs), [100, 400, 400, 200]);
});

t.test('clear: uuid_break all, pending audio forgotten, chunks still being written never broadcast', async (t) => {
  const { dir, clock, commands, writer, settle } = await writerIn(t);
  writer.write(tone(600));
  await settle();
  t.equal(commands.length, 1, '400 ms broadcast');
  writer.write(tone(100));
  const unheard = writer.clear();
  t.equal(Math.round(unheard), 700, '400 ms at FreeSWITCH + 300 ms pending (nothing played yet)');
  t.equal(commands.at(-1), 'uuid_break call-1 all');
  await settle();
  await clock.advance(1000);
  await settle();
  t.equal(commands.filter((c) => c.startsWith('uuid_broadcast')).length, 1, 'nothing more is played');
  t.equal(writer.clear(), 0, 'a second clear has nothing to drop');
  t.equal(commands.filter((c) => c.startsWith('uuid_break')).length, 1, 'and sends no second break');
  writer.write(tone(60));
  await settle();
  t.equal(commands.at(-1)!.startsWith('uuid_broadcast'), true, 'speech after a barge-in plays again');
  await writer.close();
  t.same(await readdir(dir), [], 'close removes the call\'s files');
});

t.test('a failing broadcast is logged, not thrown; later chunks still go', async (t) => {
  const { dir } = await writerIn(t);
  const clock = new VirtualClock();
  let calls = 0;
  const warnings: string[] = [];
  const writer = new PlaybackWriter({
    uuid: 'call-2',
    dir,
    sampleRate: 16000,
    maxChunkMs: 100,
    lowWaterMs: 200,
    clock,
    log: { ...log, warn: (_o: unknown, message: string) => void warnings.push(message) } as unknown as typeof log,
    commands: { api: async () => (++calls === 1 ? Promise.reject(new Error('esl down')) : '+OK\n') },
  });
  writer.write(audioFrame(new Int16Array(3200), 16000));
  await quiet(() => calls);
  t.equal(calls, 2, 'both chunks were tried');
  t.match(warnings, ['bot audio chunk could not be played']);
  t.ok((await readdir(join(dir, 'call-2'))).every((name) => name.endsWith('.r16')), '16 kHz audio is written as .r16');
  await writer.close();
});
