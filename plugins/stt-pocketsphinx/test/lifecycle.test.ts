/**
 * Every way a stream ends kills its decoder and leaves nothing behind: no process (not even a
 * zombie), no open pipe or timer, no FIFO. Warm off, so that no spare decoder is about.
 */
import t, { type Test } from 'tap';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { audioFrame } from '@vapi-cn/sdk-plugin-api';
import type { PocketsphinxStream } from '../src/index.js';
import { GRAMMAR, pocketsphinx, silence, speech, transcribe } from './helpers.js';

const { stt, harness } = await pocketsphinx(t, { grammar: GRAMMAR, warm: false });
const workDir = (harness.state as { config: { workDir: string } }).config.workDir;
const audio = await speech('i want to speak to an agent');

/** Our pocketsphinx child processes (zombies included), from /proc. */
function decoders(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        // pid (comm) state ppid ...: comm may hold spaces, so split after its ')'.
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return stat.includes('(pocketsphinx') && Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Child processes and pipes that keep Node running (tap's own file requests and timers come and go). */
const resources = () => process.getActiveResourcesInfo().filter((r) => r === 'ProcessWrap' || r === 'PipeWrap');

/** Opens a stream, starts reading it and writes half the phrase: a call mid-utterance. */
async function midStream(t: Test, signal?: AbortSignal) {
  const stream = (await stt.stream({ sampleRate: 16000, ...(signal ? { signal } : {}) })) as PocketsphinxStream;
  const pid = stream.pid!;
  const reading = (async () => {
    const texts: string[] = [];
    for await (const result of stream) texts.push(result.text);
    return texts;
  })();
  audio.slice(0, audio.length >> 1).forEach((samples, i) => stream.write(audioFrame(samples, 16000, i * 20)));
  // Let the decoder take the audio in.
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.ok(existsSync(`/proc/${pid}`), 'the decoder runs');
  return { stream, pid, reading };
}

function leftNothing(t: Test, pid: number, before: string[]) {
  t.notOk(existsSync(`/proc/${pid}`), `decoder ${pid} is gone, reaped`);
  t.same(decoders(), [], 'no decoder process');
  t.same(resources(), before, 'no handle left open');
  t.same(readdirSync(workDir).filter((f) => f.startsWith('input-')), [], 'no FIFO left');
}

t.test('close() mid-stream kills the decoder and completes the iteration without error', async (t) => {
  const before = resources();
  const { stream, pid, reading } = await midStream(t);
  const start = performance.now();
  await stream.close();
  t.ok(performance.now() - start < 1000, `closed in ${(performance.now() - start).toFixed(0)} ms`);
  t.same(await reading, []);
  await stream.close();
  leftNothing(t, pid, before);
});

t.test('aborting the signal is the same as close()', async (t) => {
  const before = resources();
  const controller = new AbortController();
  const { pid, reading } = await midStream(t, controller.signal);
  controller.abort();
  t.same(await reading, []);
  leftNothing(t, pid, before);
});

t.test('leaving the loop early closes the stream', async (t) => {
  const before = resources();
  const stream = (await stt.stream({ sampleRate: 16000 })) as PocketsphinxStream;
  // Two utterances; the reader leaves after the first.
  [...audio, ...silence(800), ...audio].forEach((samples, i) => stream.write(audioFrame(samples, 16000, i * 20)));
  for await (const result of stream) {
    t.equal(result.text, 'i want to speak to an agent');
    break;
  }
  leftNothing(t, stream.pid!, before);
});

t.test('a stream that ends normally leaves nothing either', async (t) => {
  const before = resources();
  const stream = (await stt.stream({ sampleRate: 16000 })) as PocketsphinxStream;
  const { results } = await transcribe(stream, audio);
  t.same(results.map((r) => r.text), ['i want to speak to an agent']);
  leftNothing(t, stream.pid!, before);
});

t.test("stop() kills open streams' decoders and the spare, and removes the work directory", async (t) => {
  const { stt: warm, harness } = await pocketsphinx(t, { grammar: GRAMMAR, warm: true });
  const stream = (await warm.stream({ sampleRate: 16000 })) as PocketsphinxStream;
  const reading = (async () => {
    for await (const _ of stream);
  })();
  const dir = (harness.state as { config: { workDir: string } }).config.workDir;
  await harness.stop();
  await reading;
  t.same(decoders(), [], 'stream decoder and spare gone');
  t.notOk(existsSync(dir), 'work directory removed');
  await t.rejects(warm.stream({ sampleRate: 16000 }), { code: 'VAPI_ERR_STT_ENGINE' }, 'no streams after stop');
  await harness.stop();
});
