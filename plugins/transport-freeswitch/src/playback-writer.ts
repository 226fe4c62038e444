/**
 * Bot audio back into a FreeSWITCH call. mod_audio_stream carries audio one way only, so the bot
 * speaks through files: audio is cut into chunks, each written as raw PCM (`.r8` / `.r16`, which
 * mod_sndfile plays without a header) and queued with `uuid_broadcast`; FreeSWITCH plays them back
 * to back at real time. The first chunk goes out as soon as audio arrives (first audio in a few
 * ms); later ones grow to `maxChunkMs` while FreeSWITCH still has `lowWaterMs` to play, so a reply
 * costs a few files, not fifty. Barge-in (`clear`) sends `uuid_break <uuid> all`, which stops the
 * file playing and drops the queued ones, and forgets chunks not yet sent.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AudioFrame, Clock, Logger, TimerHandle } from '@vapi-cn/sdk-plugin-api';

export interface PlaybackCommands {
  /** Runs an API command on the call's FreeSWITCH; rejects when it cannot be delivered. */
  api(command: string, args: string): Promise<string>;
}

export interface PlaybackWriterOptions {
  uuid: string;
  /** Directory FreeSWITCH can read at the same path; the call gets its own folder in it. */
  dir: string;
  sampleRate: 8000 | 16000;
  maxChunkMs: number;
  /** When FreeSWITCH has less than this left to play, what is pending goes at once. */
  lowWaterMs: number;
  clock: Clock;
  log: Logger;
  commands: PlaybackCommands;
  /**
   * A chunk is handed to FreeSWITCH (its uuid_broadcast goes out now): `firstAudio` is true for the
   * first chunk after silence; `sinceAudioMs` is how long its audio waited here: since its first
   * sample arrived or, for a first chunk that arrived while FreeSWITCH still played, since that
   * ran out (for a turn's first chunk: the transport's share of the time to first audio).
   */
  onBroadcast?(chunkMs: number, firstAudio: boolean, sinceAudioMs: number): void;
}

export class PlaybackWriter {
  private readonly pending: Int16Array;
  private pendingSamples = 0;
  private readonly callDir: string;
  private dirReady: Promise<unknown> | undefined;
  private sequence = 0;
  /** Monotonic time at which FreeSWITCH will have played every chunk sent. */
  private playoutEnd = 0;
  /** Bumped by clear(): chunks of an older generation still being written are not broadcast. */
  private generation = 0;
  /** Chunks are written and broadcast strictly in order. */
  private chain: Promise<void> = Promise.resolve();
  private flushScheduled = false;
  private timer: TimerHandle | undefined;
  private closed = false;
  /** A chunk went to FreeSWITCH since the last clear(): a break has something to stop. */
  private broadcastSinceClear = false;
  /** When the first sample of the chunk being gathered arrived (only kept for onBroadcast). */
  private chunkStartedAt = 0;
  /** Chunks broadcast, for stats and tests. */
  chunksSent = 0;

  constructor(private readonly options: PlaybackWriterOptions) {
    this.pending = new Int16Array((options.sampleRate * options.maxChunkMs) / 1000);
    this.callDir = join(options.dir, options.uuid);
  }

  /** Milliseconds FreeSWITCH holds and has not played yet, plus what waits here. */
  get unplayedMs(): number {
    const queued = Math.max(0, this.playoutEnd - this.options.clock.monotonic());
    return queued + (this.pendingSamples * 1000) / this.options.sampleRate;
  }

  /** Bot audio at `sampleRate`, in any frame size. */
  write(frame: AudioFrame): void {
    if (this.closed) return;
    const samples = frame.samples;
    let offset = 0;
    while (offset < samples.length) {
      if (this.pendingSamples === 0 && this.options.onBroadcast) this.chunkStartedAt = this.options.clock.monotonic();
      const take = Math.min(this.pending.length - this.pendingSamples, samples.length - offset);
      this.pending.set(take === samples.length ? samples : samples.subarray(offset, offset + take), this.pendingSamples);
      this.pendingSamples += take;
      offset += take;
      if (this.pendingSamples === this.pending.length) this.flush();
    }
    this.scheduleFlush();
  }

  /** Barge-in: stops what plays, drops what is queued. Returns the ms the caller will not hear. */
  clear(): number {
    const unplayed = this.unplayedMs;
    this.generation++;
    this.pendingSamples = 0;
    this.cancelTimer();
    if (this.broadcastSinceClear) {
      this.broadcastSinceClear = false;
      // Not queued behind pending broadcasts: FreeSWITCH runs commands of one socket in order,
      // so any broadcast already sent is stopped by this break.
      this.options.commands.api('uuid_break', `${this.options.uuid} all`).catch((error: Error) => this.options.log.warn({ err: error }, 'uuid_break failed'));
    }
    this.playoutEnd = 0;
    return unplayed;
  }

  /** Ends playback for good and removes the call's files. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.generation++;
    this.cancelTimer();
    await this.chain.catch(() => {});
    if (this.dirReady) await rm(this.callDir, { recursive: true, force: true }).catch(() => {});
  }

  private scheduleFlush(): void {
    if (this.pendingSamples === 0 || this.flushScheduled) return;
    const ahead = this.playoutEnd - this.options.clock.monotonic();
    if (ahead < this.options.lowWaterMs) {
      // Whatever else arrives in this task (a TTS chunk comes as several frames) joins the chunk.
      this.flushScheduled = true;
      setImmediate(this.flushNow);
    } else if (this.timer === undefined) {
      this.timer = this.options.clock.setTimeout(this.flushNow, ahead - this.options.lowWaterMs);
    }
  }

  private readonly flushNow = (): void => {
    this.flushScheduled = false;
    this.timer = undefined;
    this.flush();
  };

  private cancelTimer(): void {
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private flush(): void {
    if (this.pendingSamples === 0 || this.closed) return;
    this.cancelTimer();
    const { sampleRate, clock } = this.options;
    const pcm = Buffer.from(this.pending.buffer, this.pending.byteOffset, this.pendingSamples * 2);
    const bytes = Buffer.allocUnsafe(pcm.length);
    pcm.copy(bytes);
    const chunkMs = (this.pendingSamples * 1000) / sampleRate;
    this.pendingSamples = 0;
    const now = clock.monotonic();
    const firstAudio = this.playoutEnd <= now;
    const waitingSince = firstAudio ? Math.max(this.chunkStartedAt, this.playoutEnd) : this.chunkStartedAt;
    this.playoutEnd = Math.max(this.playoutEnd, now) + chunkMs;
    const path = join(this.callDir, `${++this.sequence}.${sampleRate === 8000 ? 'r8' : 'r16'}`);
    const generation = this.generation;
    this.chain = this.chain.then(async () => {
      if (generation !== this.generation) return;
      this.dirReady ??= mkdir(this.callDir, { recursive: true });
      await this.dirReady;
      await writeFile(path, bytes);
      if (generation !== this.generation) return;
      this.chunksSent++;
      this.broadcastSinceClear = true;
      this.options.onBroadcast?.(chunkMs, firstAudio, clock.monotonic() - waitingSince);
      const reply = await this.options.commands.api('uuid_broadcast', `${this.options.uuid} ${path} aleg`);
      // A chunk in flight as the call ends meets a channel that is gone: expected, not a warning.
      if (!reply.startsWith('+OK')) this.options.log[this.closed ? 'debug' : 'warn']({ reply: reply.trim() }, 'uuid_broadcast refused');
    }).catch((error: Error) => this.options.log.warn({ err: error }, 'bot audio chunk could not be played'));
  }
}
