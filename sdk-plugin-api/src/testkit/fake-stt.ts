/**
 * A scripted SttProvider with realistic timing, for engine tests (on a VirtualClock) and the
 * pipeline benchmark (on a RealClock). Audio louder than a whisper counts as speech; each segment
 * of speech yields interim results as it grows and a final one `finalLatencyMs` after it closes
 * (at end(), or after `segmentSpeechMs` of speech). It follows the STT contract, so it passes
 * sttConformance().
 */
import { rms } from '../audio/level.js';
import { concatPcm } from '../audio/signals.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { AudioFrame, TranscriptFrame } from '../frames.js';
import type { SttCapabilities, SttProvider, SttStream, SttStreamOptions } from '../providers/stt.js';
import { pause } from './abortable.js';
import { AsyncQueue } from './async-queue.js';
import { inducedError, type InducedFailure } from './induced-failure.js';
import { RealClock } from './real-clock.js';
import { SessionStats, type FakeStats, type SessionOutcome } from './session-stats.js';
import { textTokens } from './text-tokens.js';

export interface FakeSttOptions {
  /** Default `fake`. */
  name?: string;
  /** Default a RealClock. */
  clock?: Clock;
  /** Default `[16000, 8000]`. */
  sampleRates?: number[];
  /** Default `['zh-CN', 'en-US']`. */
  languages?: string[];
  /** Default true. */
  interimResults?: boolean;
  /**
   * The transcript of each segment: a queue shared by all streams (each segment takes the next;
   * none left means nothing was understood), or a function of the segment's audio.
   * Default: one transcript, `你好`.
   */
  script?: readonly string[] | ((audio: Int16Array, sampleRate: number) => string);
  /** Time stream() takes to connect; default 0. */
  connectMs?: number;
  /** An interim result per this much speech, showing one more word (or CJK character); default 200 ms. */
  interimEveryMs?: number;
  /** Time from the end of a segment to its final result; default 0. */
  finalLatencyMs?: number;
  /** Close a segment after this much speech, before end(); default: only end() closes it. */
  segmentSpeechMs?: number;
  /** How long an induced stall lasts before failing with `timeout`; default 1000 ms. */
  idleTimeoutMs?: number;
}

/** Frames quieter than this (about -50 dBFS) are silence. */
const SPEECH_RMS = 100;

/** Scripted STT: interim and final transcripts per segment of speech; honours close/abort; can be made to fail. */
export class FakeSttProvider implements SttProvider {
  readonly name: string;
  readonly capabilities: SttCapabilities;
  private readonly sessions = new SessionStats();
  private readonly clock: Clock;
  private readonly queue: string[];
  private failure: InducedFailure | undefined;

  constructor(private readonly options: FakeSttOptions = {}) {
    this.name = options.name ?? 'fake';
    this.capabilities = {
      sampleRates: options.sampleRates ?? [16000, 8000],
      languages: options.languages ?? ['zh-CN', 'en-US'],
      interimResults: options.interimResults ?? true,
    };
    this.clock = options.clock ?? new RealClock();
    this.queue = typeof options.script === 'function' ? [] : [...(options.script ?? ['你好'])];
  }

  /** Calls, open streams, aborts, failures. */
  get stats(): FakeStats {
    return this.sessions;
  }

  /** Fails every stream from now on as a vendor would (see InducedFailure), until restore(). */
  induce(failure: InducedFailure): void {
    this.failure = failure;
  }

  restore(): void {
    this.failure = undefined;
  }

  async stream(options: SttStreamOptions): Promise<SttStream> {
    const end = this.sessions.start();
    const failure = this.failure;
    await pause(this.clock, this.options.connectMs ?? 0, options.signal);
    if (failure === 'auth' || failure === 'rate_limit' || failure === 'server') {
      end('failed');
      throw inducedError(failure, this.name);
    }
    const script = this.options.script;
    const transcribe =
      typeof script === 'function' ? (segment: Segment) => script(concatPcm(segment.audio), options.sampleRate) : (segment: Segment) => (segment.text ??= this.queue.shift() ?? '');
    const stream = new FakeSttStream(this.clock, this.name, this.options, options, failure, transcribe, end);
    // Aborted while connecting: the same as close() right away.
    if (options.signal?.aborted) await stream.close();
    return stream;
  }
}

interface Segment {
  startMs: number;
  speechMs: number;
  audio: Int16Array[];
  interims: number;
  /** The queued transcript this segment took, once it took one. */
  text?: string;
}

class FakeSttStream implements SttStream {
  private readonly results = new AsyncQueue<TranscriptFrame>();
  private readonly timers = new Set<TimerHandle>();
  private segment: Segment | undefined;
  private positionMs = 0;
  private pendingFinals = 0;
  private ended = false;
  private finished = false;
  private stallTimer: TimerHandle | undefined;
  private readonly onAbort = () => void this.close();

  constructor(
    private readonly clock: Clock,
    private readonly provider: string,
    private readonly config: FakeSttOptions,
    private readonly options: SttStreamOptions,
    private readonly failure: InducedFailure | undefined,
    private readonly transcribe: (segment: Segment) => string,
    private readonly endSession: (outcome: SessionOutcome) => void,
  ) {
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
    this.armStall();
  }

  write(frame: AudioFrame): void {
    if (this.ended || this.finished) return;
    this.armStall();
    if (this.failure === 'disconnect') return this.fail(inducedError('disconnect', this.provider));
    const ms = frame.sampleRate > 0 ? (frame.samples.length * 1000) / frame.sampleRate : 0;
    const startMs = this.positionMs;
    this.positionMs += ms;
    // A stalled vendor takes the audio and answers nothing.
    if (this.failure === 'timeout' || rms(frame.samples) < SPEECH_RMS) return;
    const segment = (this.segment ??= { startMs, speechMs: 0, audio: [], interims: 0 });
    segment.audio.push(frame.samples.slice());
    segment.speechMs += ms;
    const every = this.config.interimEveryMs ?? 200;
    while (segment.speechMs >= (segment.interims + 1) * every) {
      segment.interims++;
      if (!(this.config.interimResults ?? true)) continue;
      const text = textTokens(this.transcribe(segment)).slice(0, segment.interims).join('').trim();
      if (text) this.results.push(this.transcript(text, false, segment));
    }
    if (this.config.segmentSpeechMs !== undefined && segment.speechMs >= this.config.segmentSpeechMs) this.closeSegment();
  }

  end(): void {
    if (this.ended || this.finished) return;
    this.ended = true;
    this.armStall();
    if (this.failure === 'timeout') return;
    this.closeSegment();
    this.completeIfDone();
  }

  async close(): Promise<void> {
    if (this.finished) return;
    this.results.close();
    this.finish('aborted');
  }

  [Symbol.asyncIterator](): AsyncIterator<TranscriptFrame> {
    return this.results;
  }

  private closeSegment(): void {
    const segment = this.segment;
    if (!segment) return;
    this.segment = undefined;
    const final = this.transcript(this.transcribe(segment), true, segment);
    this.pendingFinals++;
    this.later(this.config.finalLatencyMs ?? 0, () => {
      this.pendingFinals--;
      if (final.text) this.results.push(final);
      this.completeIfDone();
    });
  }

  private completeIfDone(): void {
    if (!this.ended || this.pendingFinals > 0 || this.finished) return;
    this.results.finish();
    this.finish('completed');
  }

  private fail(error: unknown): void {
    this.results.fail(error);
    this.finish('failed');
  }

  private finish(outcome: SessionOutcome): void {
    if (this.finished) return;
    this.finished = true;
    for (const timer of this.timers) this.clock.clearTimeout(timer);
    this.timers.clear();
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.endSession(outcome);
  }

  /** In an induced stall, fails with `timeout` once nothing was written for `idleTimeoutMs`. */
  private armStall(): void {
    if (this.failure !== 'timeout') return;
    if (this.stallTimer) this.forget(this.stallTimer);
    this.stallTimer = this.later(this.config.idleTimeoutMs ?? 1000, () => this.fail(inducedError('timeout', this.provider)));
  }

  /** Runs `callback` after `ms` (at once for 0); the timer is cleared if the stream finishes first. */
  private later(ms: number, callback: () => void): TimerHandle | undefined {
    if (ms <= 0) {
      callback();
      return undefined;
    }
    const timer = this.clock.setTimeout(() => {
      this.timers.delete(timer);
      callback();
    }, ms);
    this.timers.add(timer);
    return timer;
  }

  private forget(timer: TimerHandle): void {
    this.clock.clearTimeout(timer);
    this.timers.delete(timer);
  }

  private transcript(text: string, isFinal: boolean, segment: Segment): TranscriptFrame {
    return {
      kind: 'transcript',
      text,
      isFinal,
      ...(this.options.language ? { language: this.options.language } : {}),
      startMs: segment.startMs,
      endMs: this.positionMs,
    };
  }
}
