/**
 * Conformance suite for TtsProvider (the rules in providers/tts.ts). Runs against your provider
 * talking to your fake vendor server; see ConformanceOptions for the hooks.
 */
import assert, { AssertionError } from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { isVapiError } from '../errors.js';
import { SAMPLE_RATES, type AudioFrame } from '../frames.js';
import type { TtsOptions, TtsProvider } from '../providers/tts.js';
import type { ConformanceCase, ConformanceOptions } from './conformance-case.js';
import { completesWithin, delay, within } from './deadline.js';
import { Drain } from './drain.js';
import { bounds, failureCases, induced, inducibleFailures } from './failure-cases.js';
import { assertNoLeakedResources, baselineResources } from './resource-leaks.js';
import { describeThrown } from './thrown.js';

export interface TtsConformanceOptions extends ConformanceOptions {
  /** A fresh provider, configured against your fake vendor server. Called once per case. */
  create(): TtsProvider | Promise<TtsProvider>;
  /** Options besides `sampleRate` and `signal` (voice, language...). */
  options?: Omit<TtsOptions, 'sampleRate' | 'signal'>;
  /** A sentence the voice speaks; default English. */
  text?: string;
  /** Text pieces for the streaming-input case, as an LLM streams them; default English. */
  streamingText?: readonly string[];
}

const DEFAULT_TEXT = 'Hello, this is a conformance test of the speech synthesizer.';
const DEFAULT_PIECES = ['Hello there. ', 'This sentence arrives ', 'in pieces, as a language model streams it. ', 'Goodbye.'];

/** The cases every TTS provider must pass. */
export function ttsConformance(options: TtsConformanceOptions): ConformanceCase[] {
  const { abortMs, finishMs } = bounds(options);
  const text = options.text ?? DEFAULT_TEXT;
  const firstRate = (provider: TtsProvider) => provider.capabilities.sampleRates[0]!;
  const synthesize = (provider: TtsProvider, input: string | AsyncIterable<string>, sampleRate: number, signal?: AbortSignal) =>
    provider.synthesize(input, { ...options.options, sampleRate, ...(signal ? { signal } : {}) });

  /** Synthesizes `input` to the end and checks every frame is PCM16 at `expectedRate`. */
  const fullSynthesis = async (provider: TtsProvider, input: string, requestedRate: number, expectedRate = requestedRate) => {
    const drain = new Drain(synthesize(provider, input, requestedRate));
    await completesWithin(drain.done, finishMs, `synthesis at ${requestedRate} Hz`);
    assertAudio(drain.items, expectedRate, `synthesis at ${requestedRate} Hz`);
  };

  /** Aborts after the first frame and checks that no frame follows. */
  const abortMidStream = async (provider: TtsProvider) => {
    const controller = new AbortController();
    const drain = new Drain(synthesize(provider, Array(4).fill(text).join(' '), firstRate(provider), controller.signal));
    await within(drain.first, finishMs, 'the first frame');
    // Abort from a later event-loop turn, as the engine does (barge-in), not from the microtask that delivered the frame.
    await nextTurn();
    drain.mark();
    controller.abort();
    await completesWithin(drain.done, abortMs, 'the end of the iteration after abort');
    assert.equal(drain.afterMark.length, 0, `${drain.afterMark.length} frames after abort`);
  };

  const abandon = async (provider: TtsProvider) => {
    for await (const _frame of synthesize(provider, text, firstRate(provider))) break;
  };

  const failingSession = async (provider: TtsProvider) => {
    for await (const _frame of synthesize(provider, text, firstRate(provider)));
  };

  return [
    {
      name: 'lifecycle: declares capabilities, synthesizes PCM16 frames at the requested rate, twice',
      run: async () => {
        const provider = await options.create();
        assertCapabilities(provider);
        await fullSynthesis(provider, text, firstRate(provider));
        await fullSynthesis(provider, text, firstRate(provider));
      },
    },
    {
      name: 'sample rates: each supported rate as requested, the first supported one otherwise',
      run: async () => {
        const provider = await options.create();
        const supported = provider.capabilities.sampleRates;
        for (const rate of supported) await fullSynthesis(provider, text, rate);
        const unsupported = SAMPLE_RATES.find((rate) => !supported.includes(rate));
        if (unsupported !== undefined) await fullSynthesis(provider, text, unsupported, supported[0]);
      },
    },
    {
      name: 'streaming input (when capabilities.streamingInput): the first frame arrives before the last text piece is consumed',
      run: async () => {
        const provider = await options.create();
        if (!provider.capabilities.streamingInput) return;
        const pieces = options.streamingText ?? DEFAULT_PIECES;
        let heard!: () => void;
        const audio = new Promise<void>((resolve) => (heard = resolve));
        let audioBeforeLast = false;
        async function* input() {
          yield* pieces.slice(0, -1);
          // Hold the last piece back until audio arrives; bounded, so a buffering provider fails instead of hanging.
          audioBeforeLast = await within(audio, finishMs, 'audio').then(() => true, () => false);
          yield pieces.at(-1)!;
        }
        const drain = new Drain(synthesize(provider, input(), firstRate(provider)));
        void drain.first.then((frame) => frame && heard());
        await completesWithin(drain.done, 2 * finishMs, 'streaming synthesis');
        assert.ok(audioBeforeLast, 'no audio before the last text piece was consumed: with streamingInput the provider must start speaking before its input ends');
        assertAudio(drain.items, firstRate(provider), 'streaming synthesis');
      },
    },
    {
      name: 'abort mid-stream ends the iteration promptly, without error or further frames',
      run: async () => {
        const provider = await options.create();
        await abortMidStream(provider);
        if (!provider.capabilities.streamingInput) return;
        // Barge-in while the text source (the LLM) is stalled: the provider must not wait for it.
        const controller = new AbortController();
        const drain = new Drain(synthesize(provider, stalledAfter(text), firstRate(provider), controller.signal));
        await delay(50);
        drain.mark();
        controller.abort();
        await completesWithin(drain.done, abortMs, 'the end of the iteration after abort while the text input is stalled');
        assert.equal(drain.afterMark.length, 0, `${drain.afterMark.length} frames after abort`);
      },
    },
    {
      name: 'an already aborted signal ends the iteration promptly, without error or frames',
      run: async () => {
        const provider = await options.create();
        const drain = new Drain(synthesize(provider, text, firstRate(provider), AbortSignal.abort()));
        await completesWithin(drain.done, abortMs, 'the iteration with an aborted signal');
        assert.equal(drain.items.length, 0, `${drain.items.length} frames for an aborted signal`);
      },
    },
    {
      name: 'empty input: empty or blank text completes, or throws a VapiError invalid_request or bad_input',
      run: async () => {
        const provider = await options.create();
        const inputs: Array<[string, string | AsyncIterable<string>]> = [
          ['empty text', ''],
          ['blank text', '  \n '],
        ];
        if (provider.capabilities.streamingInput) inputs.push(['an empty text stream', (async function* () {})()]);
        for (const [what, input] of inputs) {
          const drain = new Drain(synthesize(provider, input, firstRate(provider)));
          try {
            await within(drain.done, finishMs, `synthesis of ${what}`);
          } catch (error) {
            if (error instanceof AssertionError) throw error;
            assert.ok(isVapiError(error) && (error.category === 'invalid_request' || error.category === 'bad_input'), `synthesis of ${what} threw ${describeThrown(error)}`);
            continue;
          }
          for (const frame of drain.items) assertFrame(frame, firstRate(provider), `synthesis of ${what}`);
        }
      },
    },
    {
      name: 'no handles left open after aborted, abandoned, failed and complete syntheses',
      run: async () => {
        const provider = await options.create();
        const before = await baselineResources(options.leaks);
        await abortMidStream(provider);
        await abandon(provider);
        for (const failure of inducibleFailures(options)) await induced(options, provider, failure, failingSession);
        // Last, so the provider is shown to work after all that, and whatever a completed session keeps open is counted.
        await fullSynthesis(provider, text, firstRate(provider));
        await assertNoLeakedResources(before, options.leaks);
      },
    },
    ...failureCases(options, () => options.create(), failingSession),
  ];
}

function assertCapabilities(provider: TtsProvider): void {
  assert.ok(typeof provider.name === 'string' && provider.name !== '', 'name must be a non-empty string');
  const { sampleRates, languages, voices, streamingInput } = provider.capabilities;
  assert.ok(sampleRates.length > 0, 'capabilities.sampleRates is empty');
  for (const rate of sampleRates) assert.ok((SAMPLE_RATES as readonly number[]).includes(rate), `capabilities.sampleRates has ${rate}, not one of ${SAMPLE_RATES.join(', ')}`);
  assert.ok(Array.isArray(languages), 'capabilities.languages must be an array');
  assert.ok(Array.isArray(voices), 'capabilities.voices must be an array');
  assert.equal(typeof streamingInput, 'boolean', 'capabilities.streamingInput must be a boolean');
}

function assertFrame(frame: AudioFrame, sampleRate: number, what: string): void {
  assert.equal(frame.kind, 'audio', `${what}: a frame of kind '${frame.kind}'`);
  assert.ok(frame.samples instanceof Int16Array, `${what}: samples must be an Int16Array (PCM16 mono)`);
  assert.ok(frame.samples.length > 0, `${what}: an empty frame`);
  assert.equal(frame.sampleRate, sampleRate, `${what}: a frame at ${frame.sampleRate} Hz`);
  assert.ok(Number.isFinite(frame.timestamp), `${what}: a frame without a finite timestamp`);
}

function assertAudio(frames: readonly AudioFrame[], sampleRate: number, what: string): void {
  assert.ok(frames.length > 0, `${what}: no audio`);
  for (const frame of frames) assertFrame(frame, sampleRate, what);
  assert.ok(frames.some((f) => f.samples.some((s) => s !== 0)), `${what}: only silence`);
}

/** Yields `text`, then never yields again (a stalled LLM); return() still works. */
function stalledAfter(text: string): AsyncIterable<string> {
  return {
    [Symbol.asyncIterator]() {
      let sent = false;
      return {
        next: () => (sent ? new Promise<IteratorResult<string>>(() => undefined) : ((sent = true), Promise.resolve({ value: text, done: false }))),
        return: () => Promise.resolve({ value: undefined, done: true }),
      };
    },
  };
}
