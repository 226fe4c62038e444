/** onBroadcast's timing: how long each chunk's audio waited at the writer (bench:freeswitch's first audio). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import pino from 'pino';
import { audioFrame, sineWave } from '@vapi-cn/sdk-plugin-api';
import { VirtualClock } from '@vapi-cn/sdk-plugin-api/testkit';
import { PlaybackWriter } from '../src/playback-writer.js';

const tone = (ms: number) => audioFrame(sineWave(440, 8000, ms, 0.3), 8000);

async function writer(t: { teardown(fn: () => unknown): void }) {
  const dir = await mkdtemp(join(tmpdir(), 'vapi-playback-timing-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const clock = new VirtualClock();
  const broadcasts: Array<{ chunkMs: number; firstAudio: boolean; sinceAudioMs: number }> = [];
  const playback = new PlaybackWriter({
    uuid: 'call-1',
    dir,
    sampleRate: 8000,
    maxChunkMs: 400,
    lowWaterMs: 200,
    clock,
    log: pino({ level: 'silent' }),
    commands: { api: async () => '+OK\n' },
    onBroadcast: (chunkMs, firstAudio, sinceAudioMs) => broadcasts.push({ chunkMs, firstAudio, sinceAudioMs }),
  });
  t.teardown(() => playback.close());
  /** Until `count` broadcasts went out (file writes are real I/O on the thread pool). */
  const broadcasted = async (count: number) => {
    for (let i = 0; i < 200 && broadcasts.length < count; i++) await sleep(10);
    if (broadcasts.length < count) throw new Error(`only ${broadcasts.length} of ${count} broadcasts`);
  };
  return { clock, broadcasts, playback, broadcasted };
}

t.test('a chunk gathered while FreeSWITCH still plays reports the time since its first sample', async (t) => {
  const { clock, broadcasts, playback, broadcasted } = await writer(t);
  playback.write(tone(1000));
  await broadcasted(2);
  t.same(broadcasts, [{ chunkMs: 400, firstAudio: true, sinceAudioMs: 0 }, { chunkMs: 400, firstAudio: false, sinceAudioMs: 0 }], 'sent at once');
  await clock.advance(300);
  playback.write(tone(20));
  await clock.advance(300);
  await broadcasted(3);
  t.same(broadcasts[2], { chunkMs: 220, firstAudio: false, sinceAudioMs: 600 }, 'the tail waited from t=0 until FreeSWITCH ran low');
});

t.test('audio after silence: the wait counts from its arrival, not from when FreeSWITCH ran dry', async (t) => {
  const { clock, broadcasts, playback, broadcasted } = await writer(t);
  playback.write(tone(100));
  await broadcasted(1);
  await clock.advance(500);
  playback.write(tone(60));
  await broadcasted(2);
  t.same(broadcasts[1], { chunkMs: 60, firstAudio: true, sinceAudioMs: 0 }, 'first audio again, sent in the same turn');
  playback.clear();
  playback.write(tone(40));
  await broadcasted(3);
  t.same(broadcasts[2], { chunkMs: 40, firstAudio: true, sinceAudioMs: 0 }, 'after a barge-in too');
});
