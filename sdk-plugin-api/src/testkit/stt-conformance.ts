/**
 * Conformance suite for SttProvider (the rules in providers/stt.ts). Runs against your provider
 * talking to your fake vendor server; see ConformanceOptions for the hooks.
 */
import assert, { AssertionError } from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { FrameChunker } from '../audio/frame-chunker.js';
import { sineWave } from '../audio/signals.js';
import { audioFrame, FRAME_MS, SAMPLE_RATES, type AudioFrame, type TranscriptFrame } from '../frames.js';
import type { SttProvider, SttStream, SttStreamOptions } from '../providers/stt.js';
import type { ConformanceCase, ConformanceOptions } from './conformance-case.js';
import { completesWithin, delay } from './deadline.js';
import { Drain } from './drain.js';
import { bounds, failureCases, induced, inducibleFailures } from './failure-cases.js';
import { assertNoLeakedResources, baselineResources } from './resource-leaks.js';
import { describeThrown } from './thrown.js';

export interface SttConformanceOptions extends ConformanceOptions {
  /** A fresh provider, configured against your fake vendor server. Called once per case. */
  create(): SttProvider | Promise<SttProvider>;
  /** Stream options besides `sampleRate` (the first supported rate) and `signal`. */
  stream?: Omit<SttStreamOptions, 'sampleRate' | 'signal'>;
  /**
   * Speech at `sampleRate` that your vendor transcribes to non-empty text. Default: 1 s of a
   * 440 Hz tone, which a fake vendor server can answer with anything.
   */
  audio?(sampleRate: number): Int16Array;
}

/** The cases every STT provider must pass. */
export function sttConformance(options: SttConformanceOptions): ConformanceCase[] {
  const { abortMs, finishMs } = bounds(options);

  const open = async (provider: SttProvider, signal?: AbortSignal) => {
    const sampleRate = provider.capabilities.sampleRates[0]!;
    return completesWithin(provider.stream({ ...options.stream, sampleRate, ...(signal ? { signal } : {}) }), finishMs, 'stream()');
  };
  const speech = (provider: SttProvider) => {
    const sampleRate = provider.capabilities.sampleRates[0]!;
    return toFrames(options.audio?.(sampleRate) ?? sineWave(440, sampleRate, 1000, 0.3), sampleRate);
  };

  /** A whole session: all the audio, end(), every result, close(). */
  const fullSession = async (provider: SttProvider) => {
    const stream = await open(provider);
    const drain = new Drain(stream);
    await writeAll(stream, speech(provider));
    stream.end();
    await completesWithin(drain.done, finishMs, 'the iteration after end()');
    await completesWithin(stream.close(), abortMs, 'close()');
    return drain.items;
  };

  /** Half the audio, a moment of streaming, then `stop` (close() or abort); checks what follows. */
  const stopMidStream = async (provider: SttProvider, how: 'close' | 'abort') => {
    const controller = new AbortController();
    const stream = await open(provider, controller.signal);
    const drain = new Drain(stream);
    const frames = speech(provider);
    await writeAll(stream, frames.slice(0, frames.length / 2));
    await delay(20);
    drain.mark();
    const stopped = how === 'close' ? stream.close() : (controller.abort(), Promise.resolve());
    const what = how === 'close' ? 'close() mid-stream and the end of the iteration' : 'the end of the iteration after the signal aborted';
    await completesWithin(Promise.all([stopped, drain.done]), abortMs, what);
    assert.equal(drain.afterMark.length, 0, `results arrived after ${how === 'close' ? 'close()' : 'abort'}: ${JSON.stringify(drain.afterMark)}`);
    await completesWithin(stream.close(), abortMs, 'close() after the stream ended');
  };

  const failingSession = async (provider: SttProvider) => {
    const stream = await provider.stream({ ...options.stream, sampleRate: provider.capabilities.sampleRates[0]! });
    const drain = new Drain(stream);
    try {
      await writeAll(stream, speech(provider));
      stream.end();
      await drain.done;
    } finally {
      await stream.close().catch((error: unknown) => {
        throw new AssertionError({ message: `close() after a failure threw ${describeThrown(error)}` });
      });
    }
  };

  return [
    {
      name: 'lifecycle: declares capabilities, streams, ends, closes',
      run: async () => {
        const provider = await options.create();
        assertCapabilities(provider);
        await fullSession(provider);
        await fullSession(provider);
      },
    },
    {
      name: 'order: interim results before finals, the remaining finals after end(), then completion',
      run: async () => {
        const provider = await options.create();
        const stream = await open(provider);
        const drain = new Drain(stream);
        let ended = false;
        let completedBeforeEnd = false;
        drain.done.then(() => (completedBeforeEnd = !ended), () => undefined);
        await writeAll(stream, speech(provider));
        assert.ok(!completedBeforeEnd, 'the iteration completed before end() was called');
        ended = true;
        stream.end();
        await completesWithin(drain.done, finishMs, 'the iteration after end()');
        await completesWithin(stream.close(), abortMs, 'close()');
        const results = drain.items;
        for (const r of results) assertTranscript(r);
        assert.ok(results.some((r) => r.isFinal && r.text.trim() !== ''), `no non-empty final transcript for the test audio; got ${JSON.stringify(results)}`);
        assert.ok(results.at(-1)!.isFinal, 'the last result is interim: after end() the stream must yield the remaining finals, then complete');
        if (provider.capabilities.interimResults) {
          const firstInterim = results.findIndex((r) => !r.isFinal);
          assert.ok(firstInterim !== -1 && firstInterim < results.findIndex((r) => r.isFinal), 'capabilities.interimResults is true, but no interim result came before the first final');
        }
      },
    },
    {
      name: 'write() never throws for a live stream (during connection, bursts, empty frames)',
      run: async () => {
        const provider = await options.create();
        const stream = await open(provider);
        const drain = new Drain(stream);
        const rate = provider.capabilities.sampleRates[0]!;
        // No awaits between writes: the vendor connection cannot keep up and the provider must buffer.
        for (const frame of [...speech(provider), ...speech(provider), ...speech(provider)]) checkedWrite(stream, frame);
        checkedWrite(stream, audioFrame(new Int16Array(0), rate));
        stream.end();
        await completesWithin(drain.done, finishMs, 'the iteration after a burst of audio');
        await completesWithin(stream.close(), abortMs, 'close()');
      },
    },
    {
      name: 'close() mid-stream ends the iteration promptly, without error or further results',
      run: async () => stopMidStream(await options.create(), 'close'),
    },
    {
      name: 'aborting the signal mid-stream ends the iteration promptly, without error or further results',
      run: async () => stopMidStream(await options.create(), 'abort'),
    },
    {
      name: 'close() is idempotent: twice after the end, concurrently mid-stream, after abort',
      run: async () => {
        const provider = await options.create();
        const done = await open(provider);
        const doneDrain = new Drain(done);
        done.end();
        await completesWithin(doneDrain.done, finishMs, 'the iteration after end()');
        await completesWithin(done.close(), abortMs, 'the first close()');
        await completesWithin(done.close(), abortMs, 'a second close()');

        const live = await open(provider);
        const liveDrain = new Drain(live);
        await writeAll(live, speech(provider).slice(0, 10));
        await completesWithin(Promise.all([live.close(), live.close(), liveDrain.done]), abortMs, 'two concurrent close() calls mid-stream');

        const controller = new AbortController();
        const aborted = await open(provider, controller.signal);
        const abortedDrain = new Drain(aborted);
        await writeAll(aborted, speech(provider).slice(0, 10));
        controller.abort();
        await completesWithin(aborted.close(), abortMs, 'close() after abort');
        await completesWithin(aborted.close(), abortMs, 'a second close() after abort');
        await completesWithin(abortedDrain.done, abortMs, 'the iteration after abort and close()');
      },
    },
    {
      name: 'empty input: end() without audio completes without error or transcripts',
      run: async () => {
        const provider = await options.create();
        const stream = await open(provider);
        const drain = new Drain(stream);
        stream.end();
        await completesWithin(drain.done, finishMs, 'the iteration after end() without audio');
        await completesWithin(stream.close(), abortMs, 'close()');
        const texts = drain.items.filter((r) => r.text.trim() !== '');
        assert.equal(texts.length, 0, `transcripts without any audio: ${JSON.stringify(texts)}`);
      },
    },
    {
      name: 'no handles left open after closed, aborted, failed and complete streams',
      run: async () => {
        const provider = await options.create();
        const before = await baselineResources(options.leaks);
        await stopMidStream(provider, 'close');
        await stopMidStream(provider, 'abort');
        for (const failure of inducibleFailures(options)) await induced(options, provider, failure, failingSession);
        // Last, so the provider is shown to work after all that, and whatever a completed session keeps open is counted.
        await fullSession(provider);
        await assertNoLeakedResources(before, options.leaks);
      },
    },
    ...failureCases(options, () => options.create(), failingSession),
  ];
}

function assertCapabilities(provider: SttProvider): void {
  assert.ok(typeof provider.name === 'string' && provider.name !== '', 'name must be a non-empty string');
  const { sampleRates, languages, interimResults } = provider.capabilities;
  assert.ok(sampleRates.length > 0, 'capabilities.sampleRates is empty');
  for (const rate of sampleRates) assert.ok((SAMPLE_RATES as readonly number[]).includes(rate), `capabilities.sampleRates has ${rate}, not one of ${SAMPLE_RATES.join(', ')}`);
  assert.ok(Array.isArray(languages) && languages.every((l) => typeof l === 'string'), 'capabilities.languages must be an array of BCP-47 tags');
  assert.equal(typeof interimResults, 'boolean', 'capabilities.interimResults must be a boolean');
}

function assertTranscript(r: TranscriptFrame): void {
  assert.equal(r.kind, 'transcript', `a result is not a transcript frame: ${JSON.stringify(r)}`);
  assert.equal(typeof r.text, 'string', `a transcript without text: ${JSON.stringify(r)}`);
  assert.equal(typeof r.isFinal, 'boolean', `a transcript without isFinal: ${JSON.stringify(r)}`);
}

/** 20 ms frames of `samples`, each its own copy (the chunker reuses its buffer). */
function toFrames(samples: Int16Array, sampleRate: number): AudioFrame[] {
  const frames: AudioFrame[] = [];
  const chunker = new FrameChunker(sampleRate);
  const take = (frame: Int16Array) => frames.push(audioFrame(frame.slice(), sampleRate, frames.length * FRAME_MS));
  chunker.push(samples, take);
  chunker.flush(take);
  return frames;
}

function checkedWrite(stream: SttStream, frame: AudioFrame): void {
  try {
    stream.write(frame);
  } catch (error) {
    throw new AssertionError({ message: `write() threw for a live stream: ${describeThrown(error)}` });
  }
}

/** Writes frames one event-loop turn apart, so results and vendor I/O interleave with them. */
async function writeAll(stream: SttStream, frames: readonly AudioFrame[]): Promise<void> {
  for (const frame of frames) {
    checkedWrite(stream, frame);
    await nextTurn();
  }
}
