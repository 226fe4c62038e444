/**
 * The bot's voice on the way out: TTS audio (any rate, any chunk size) is queued at its own rate
 * in the pacer; each 20 ms tick takes one frame, resamples it to the leg's rate, mixes it with the
 * background and sends it. Resampling at the tick, not on arrival, spreads the work evenly (a TTS
 * that delivers a whole reply at once would otherwise stall every call on the node) and spends
 * nothing on audio that barge-in drops. `interrupt()` drops the queue, clears the leg, and says
 * how much of the turn was heard.
 */
import {
  FRAME_MS,
  audioFrame,
  samplesPerFrame,
  type AudioFrame,
  type AudioMixer,
  type AudioPacer,
  type AudioPacerFactory,
  type AudioStage,
  type CallLeg,
  type Clock,
  type ResamplerFactory,
} from '@vapi-cn/sdk-plugin-api';
import { PlayedPosition } from './played-position.js';

export interface BotVoiceOptions {
  leg: Pick<CallLeg, 'outputSampleRate' | 'sendAudio' | 'clearAudio' | 'playoutBufferMs'>;
  pacers: AudioPacerFactory;
  resamplers: ResamplerFactory;
  /** With a mixer the output never stops (the background plays between turns). */
  mixer?: AudioMixer;
  clock: Clock;
  /**
   * Most TTS audio held ahead of playout, ms (default 3000): say() stops reading the TTS stream
   * above it and reads on as the audio plays.
   */
  maxQueuedMs?: number;
}

/**
 * TTS streams run faster than real time, most several times faster: a long reply would otherwise
 * be held whole, per call, as 20 ms frames (the memory of hundreds of calls, and the major GCs
 * that stall every call on the node). Three seconds is far more than any TTS needs to get its next
 * sentence going, so reading stays ahead of playout.
 */
const DEFAULT_MAX_QUEUED_MS = 3000;

export interface Interruption {
  /** What the caller heard of this turn: whole sentences, then the played part of the cut one. */
  heardText: string;
  playedMs: number;
  /** Bot audio taken back before it reached the caller. */
  droppedMs: number;
}

export class BotVoice {
  private pacer: AudioPacer;
  /** Rate the pacer queues at: the TTS audio's own. */
  private pacerRate: number;
  private resampler: AudioStage | undefined;
  private readonly outputRate: number;
  private readonly silence: AudioFrame;
  private readonly played = new PlayedPosition();
  private silenceSeen = 0;
  private voiceFrames = 0;
  private voiceFramesAtTurnStart = 0;
  private firstAudioWaiter: ((atMs: number) => void) | undefined;
  private drainWaiters: Array<() => void> = [];
  /** say() waiting for the queue to go under maxQueuedMs. */
  private roomWaiter: (() => void) | undefined;
  private readonly maxQueuedMs: number;
  private paused = false;
  private closed = false;
  /** A far end that plays from its own buffer: audio is sent this far ahead (0: paced here). */
  private readonly leadMs: number;
  /** Lead mode: monotonic time at which the far end will have played all it was sent. */
  private playoutEnd = 0;

  constructor(private readonly options: BotVoiceOptions) {
    this.outputRate = options.leg.outputSampleRate;
    this.leadMs = options.leg.playoutBufferMs ?? 0;
    this.maxQueuedMs = options.maxQueuedMs ?? DEFAULT_MAX_QUEUED_MS;
    this.silence = audioFrame(new Int16Array(samplesPerFrame(this.outputRate)), this.outputRate);
    this.pacerRate = this.outputRate;
    this.pacer = this.createPacer(this.outputRate);
    this.startOnGrid(this.pacer);
  }

  /** Milliseconds of this turn's audio that went out on the wire. */
  get playedMs(): number {
    return (this.voiceFrames - this.voiceFramesAtTurnStart) * FRAME_MS;
  }

  /** Audio queued and not yet sent, ms. */
  get queuedMs(): number {
    return this.pacer.queuedMs;
  }

  /** Starts a bot turn; `onFirstAudio` hears the monotonic time its first frame goes out. */
  startTurn(onFirstAudio?: (atMs: number) => void): void {
    this.played.reset();
    this.voiceFramesAtTurnStart = this.voiceFrames;
    this.firstAudioWaiter = onFirstAudio;
  }

  /**
   * Queues one sentence's audio as it streams from TTS; returns when the stream ends or aborts.
   * `onFirstFrame` hears when the sentence's first audio arrived (TTS latency).
   */
  async say(text: string, audio: AsyncIterable<AudioFrame>, signal?: AbortSignal, onFirstFrame?: () => void): Promise<void> {
    this.played.beginSegment(text);
    for await (const frame of audio) {
      if (signal?.aborted || this.closed) return;
      if (onFirstFrame) {
        onFirstFrame();
        onFirstFrame = undefined;
      }
      const switched = frame.sampleRate !== this.pacerRate;
      if (switched) this.switchRate(frame.sampleRate);
      const idle = this.pacer.queuedMs === 0;
      this.played.addAudio((frame.samples.length * 1000) / frame.sampleRate);
      // Queued first: a pacer (re)started now sends this frame at once.
      this.pacer.enqueue(frame);
      if (switched) this.startOnGrid(this.pacer);
      else if (idle) this.restartGridIfIdle();
      // Backpressure: the stream is read on as the audio plays (or at once on barge-in and close).
      if (this.pacer.queuedMs > this.maxQueuedMs && !this.closed) await new Promise<void>((resolve) => (this.roomWaiter = resolve));
    }
  }

  /** Resolves when everything queued has been sent and, for a far end that buffers, played. */
  async drained(): Promise<void> {
    if (this.pacer.queuedMs > 0 && !this.closed) await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
    const playing = this.playoutEnd - this.options.clock.monotonic();
    if (playing > 0 && !this.closed) await this.options.clock.sleep(playing);
  }

  /**
   * Holds the output (the caller may be interrupting): queued audio is kept, nothing more goes out
   * until resume() or interrupt(). The background stops too: the line goes quiet at once.
   */
  pause(): void {
    if (this.closed || this.paused) return;
    this.paused = true;
    this.pacer.stop();
  }

  /** A false interruption: playback goes on where it stopped. */
  resume(): void {
    if (this.closed || !this.paused) return;
    this.paused = false;
    this.lastSendAt = undefined;
    this.pacer.start();
  }

  /** Barge-in: drops queued audio here and at the leg, and reports what was heard. */
  interrupt(): Interruption {
    // What the far end still held was sent but never heard.
    const unheardMs = this.options.leg.clearAudio();
    const playedMs = Math.max(0, this.playedMs - unheardMs);
    const droppedMs = this.pacer.flush() + unheardMs;
    this.playoutEnd = 0;
    const heardText = this.played.heardText(playedMs);
    this.resampler?.reset();
    this.played.reset();
    this.firstAudioWaiter = undefined;
    this.wakeDrainWaiters();
    this.wakeRoomWaiter();
    this.resume();
    return { heardText, playedMs, droppedMs };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pacer.stop();
    this.resampler?.close();
    this.options.mixer?.close();
    this.wakeDrainWaiters();
    this.wakeRoomWaiter();
  }

  /**
   * Speech after silence goes out at once instead of at the next slot of the old 20 ms grid,
   * when nothing needs the grid kept (no background) and the last frame left a full frame ago,
   * so the far end never gets two frames within 20 ms.
   */
  private restartGridIfIdle(): void {
    // A leading pacer sends on enqueue already; a restart would forget what the far end holds.
    if (this.options.mixer || this.paused || this.closed || this.leadMs > 0) return;
    const now = this.options.clock.monotonic();
    if (this.lastSendAt !== undefined && now - this.lastSendAt < FRAME_MS) return;
    this.pacer.stop();
    this.pacer.start();
  }

  private createPacer(rate: number): AudioPacer {
    const { clock } = this.options;
    this.silenceSeen = 0;
    return this.options.pacers.create({ clock, sampleRate: rate, fillSilence: this.options.mixer !== undefined, leadMs: this.leadMs, onFrame: this.send });
  }

  /** Starts the current pacer on the 20 ms grid of the one it replaces: its first tick is the old one's next. */
  private startOnGrid(pacer: AudioPacer): void {
    const { clock } = this.options;
    const wait = this.lastSendAt === undefined ? 0 : this.lastSendAt + FRAME_MS - clock.monotonic();
    if (wait <= 0) {
      if (!this.paused) pacer.start();
    } else {
      clock.setTimeout(() => {
        if (this.pacer === pacer && !this.paused && !this.closed) pacer.start();
      }, wait);
    }
  }

  private lastSendAt: number | undefined;

  /**
   * A TTS of another rate (a provider switched between turns): a new pacer at that rate. Turns
   * begin drained or interrupted, so nothing is queued here; within a turn the rate is fixed.
   */
  private switchRate(rate: number): void {
    this.pacer.stop();
    this.resampler?.close();
    this.pacerRate = rate;
    this.resampler = rate === this.outputRate ? undefined : this.options.resamplers.create({ inputRate: rate, outputRate: this.outputRate });
    this.pacer = this.createPacer(rate);
  }

  // Bound once: called by the pacer every 20 ms with a frame at the pacer's rate.
  private readonly send = (frame: AudioFrame): void => {
    this.lastSendAt = this.options.clock.monotonic();
    if (this.leadMs > 0) this.playoutEnd = Math.max(this.playoutEnd, this.lastSendAt) + FRAME_MS;
    const silence = this.pacer.stats.silenceFramesSent !== this.silenceSeen;
    this.silenceSeen = this.pacer.stats.silenceFramesSent;
    let out: AudioFrame = this.silence;
    if (!silence) {
      this.voiceFrames++;
      if (this.firstAudioWaiter) {
        this.firstAudioWaiter(this.options.clock.monotonic());
        this.firstAudioWaiter = undefined;
      }
      out = this.resampler ? this.resampler.process(frame) ?? this.silence : frame;
    }
    if (this.options.mixer) out = this.options.mixer.process(silence ? null : out, frame.timestamp);
    else if (silence) return;
    this.options.leg.sendAudio(out);
    if (this.roomWaiter && this.pacer.queuedMs <= this.maxQueuedMs) this.wakeRoomWaiter();
    if (this.drainWaiters.length > 0 && this.pacer.queuedMs === 0) this.wakeDrainWaiters();
  };

  private wakeRoomWaiter(): void {
    const wake = this.roomWaiter;
    this.roomWaiter = undefined;
    wake?.();
  }

  private wakeDrainWaiters(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const wake of waiters) wake();
  }
}
