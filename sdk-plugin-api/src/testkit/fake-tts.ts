/**
 * A TtsProvider that "speaks" a deterministic tone (or seeded noise) with realistic timing, for
 * engine tests (on a VirtualClock) and the pipeline benchmark (on a RealClock). Tests recognise
 * its audio with `zeroCrossingFrequency()`. It follows the TTS contract, so it passes
 * ttsConformance().
 */
import { sineWave, whiteNoise } from '../audio/signals.js';
import type { Clock } from '../clock.js';
import { audioFrame, type AudioFrame } from '../frames.js';
import type { TtsCapabilities, TtsOptions, TtsProvider } from '../providers/tts.js';
import { nextUnlessAborted, pause } from './abortable.js';
import { inducedError, type InducedFailure } from './induced-failure.js';
import { RealClock } from './real-clock.js';
import { SessionStats, type FakeStats, type SessionOutcome } from './session-stats.js';

export interface FakeTtsOptions {
  /** Default `fake`. */
  name?: string;
  /** Default a RealClock. */
  clock?: Clock;
  /** Default `[24000, 16000, 8000]`; other requested rates get the first. */
  sampleRates?: number[];
  /** Default `['zh-CN', 'en-US']`. */
  languages?: string[];
  /** Default `[]` (any). */
  voices?: string[];
  /** Default true: speaks each text piece as it arrives. False: waits for the whole input. */
  streamingInput?: boolean;
  /** Time from the first text to the first frame; default 0. */
  firstAudioMs?: number;
  /** Synthesis time per second of audio after the first frame (0.5: twice real time); default 0. */
  realTimeFactor?: number;
  /** Audio per non-blank character; default 80 ms. */
  msPerChar?: number;
  /** Audio per frame; default 20 ms. */
  frameMs?: number;
  /** `tone` (default): a sine at `toneHz`; `noise`: seeded white noise. */
  sound?: 'tone' | 'noise';
  /** Default 440 Hz. */
  toneHz?: number;
  /** How long an induced stall lasts before failing with `timeout`; default 1000 ms. */
  idleTimeoutMs?: number;
}

const AMPLITUDE = 0.3;

/** Tone (or noise) TTS at the configured pace; honours abort; can be made to fail. */
export class FakeTtsProvider implements TtsProvider {
  readonly name: string;
  readonly capabilities: TtsCapabilities;
  /** Every text piece received, in order (a string input is one piece). */
  readonly texts: string[] = [];
  private readonly sessions = new SessionStats();
  private readonly clock: Clock;
  private failure: InducedFailure | undefined;

  constructor(private readonly options: FakeTtsOptions = {}) {
    this.name = options.name ?? 'fake';
    this.capabilities = {
      sampleRates: options.sampleRates ?? [24000, 16000, 8000],
      languages: options.languages ?? ['zh-CN', 'en-US'],
      voices: options.voices ?? [],
      streamingInput: options.streamingInput ?? true,
    };
    this.clock = options.clock ?? new RealClock();
  }

  /** Calls, open syntheses, aborts, failures. */
  get stats(): FakeStats {
    return this.sessions;
  }

  /** Fails every synthesis from now on as a vendor would (see InducedFailure), until restore(). */
  induce(failure: InducedFailure): void {
    this.failure = failure;
  }

  restore(): void {
    this.failure = undefined;
  }

  synthesize(text: string | AsyncIterable<string>, options: TtsOptions): AsyncIterable<AudioFrame> {
    return this.run(text, options);
  }

  private async *run(text: string | AsyncIterable<string>, options: TtsOptions): AsyncGenerator<AudioFrame> {
    const end = this.sessions.start();
    const { signal } = options;
    const failure = this.failure;
    const rates = this.capabilities.sampleRates;
    const rate = rates.includes(options.sampleRate) ? options.sampleRate : rates[0]!;
    const frameSize = Math.max(1, Math.round((rate * (this.options.frameMs ?? 20)) / 1000));
    let outcome: SessionOutcome = 'aborted';
    try {
      if (failure === 'timeout') {
        await pause(this.clock, this.options.idleTimeoutMs ?? 1000, signal);
        if (signal?.aborted) return;
        throw inducedError(failure, this.name);
      }
      if (failure && failure !== 'disconnect') throw inducedError(failure, this.name);
      let sample = 0;
      for await (const piece of this.pieces(text, signal)) {
        const total = Math.round((rate * this.durationMs(piece)) / 1000);
        for (let offset = 0; offset < total; offset += frameSize) {
          const wait = sample === 0 ? (this.options.firstAudioMs ?? 0) : (frameSize * 1000 * (this.options.realTimeFactor ?? 0)) / rate;
          await pause(this.clock, wait, signal);
          if (signal?.aborted) return;
          yield audioFrame(this.sound(rate, sample, Math.min(frameSize, total - offset)), rate, this.clock.monotonic());
          sample += frameSize;
          // A dropped connection: the vendor sent one frame, then nothing.
          if (failure === 'disconnect') throw inducedError(failure, this.name);
        }
      }
      if (signal?.aborted) return;
      if (failure === 'disconnect') throw inducedError(failure, this.name);
      outcome = 'completed';
    } catch (error) {
      outcome = 'failed';
      throw error;
    } finally {
      end(outcome);
    }
  }

  /** The text to speak, piece by piece as it arrives (streaming input) or all at once. */
  private async *pieces(text: string | AsyncIterable<string>, signal: AbortSignal | undefined): AsyncGenerator<string> {
    if (typeof text === 'string') {
      this.texts.push(text);
      yield text;
      return;
    }
    const input = text[Symbol.asyncIterator]();
    const whole: string[] = [];
    let exhausted = false;
    try {
      for (;;) {
        const next = await nextUnlessAborted(input, signal);
        if (!next) return;
        if (next.done) break;
        this.texts.push(next.value);
        if (this.capabilities.streamingInput) yield next.value;
        else whole.push(next.value);
      }
      exhausted = true;
    } finally {
      // Release the text source (the LLM stream) when we stop early; do not wait for it.
      if (!exhausted) input.return?.().catch(() => undefined);
    }
    // A non-streaming vendor speaks only once it has all the text.
    if (!this.capabilities.streamingInput) yield whole.join('');
  }

  private durationMs(text: string): number {
    return text.replace(/\s/g, '').length * (this.options.msPerChar ?? 80);
  }

  /** `count` samples starting at sample `offset` of the utterance, continuous across frames. */
  private sound(rate: number, offset: number, count: number): Int16Array {
    const ms = (count * 1000) / rate;
    if (this.options.sound === 'noise') return whiteNoise(rate, ms, AMPLITUDE, offset + 1);
    const hz = this.options.toneHz ?? 440;
    if (!Number.isInteger(hz)) return sineWave(hz, rate, ms, AMPLITUDE, (2 * Math.PI * hz * offset) / rate);
    // A whole-hertz tone repeats every second: copy from one second computed once, so that a
    // benchmark with hundreds of fake voices measures the server, not Math.sin.
    const second = this.oneSecond(rate, hz);
    const out = new Int16Array(count);
    for (let done = 0; done < count; ) {
      const from = (offset + done) % rate;
      const piece = second.subarray(from, Math.min(rate, from + count - done));
      out.set(piece, done);
      done += piece.length;
    }
    return out;
  }

  private readonly seconds = new Map<number, Int16Array>();

  private oneSecond(rate: number, hz: number): Int16Array {
    let second = this.seconds.get(rate);
    if (!second) this.seconds.set(rate, (second = sineWave(hz, rate, 1000, AMPLITUDE)));
    return second;
  }
}
