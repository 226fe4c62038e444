/**
 * A CallLeg for engine tests and the pipeline benchmark: plays scripted caller audio (tone for
 * speech, zeros for silence) on any clock, virtual or real, and records the bot's audio frame by frame with the time it went out.
 */
import { audioFrame, dbfs, samplesPerFrame, sineWave, type AudioFrame, type CallDirection, type CallLeg, type CallLegEvents, type CallNotice, type Clock, type DtmfDigit, type JsonValue } from '@vapi-cn/sdk-plugin-api';

type Listeners = { [E in keyof CallLegEvents]: Array<CallLegEvents[E]> };

export class FakeLeg implements CallLeg {
  /** Bot frames with the monotonic time they were sent. */
  readonly sent: Array<{ at: number; level: number }> = [];
  hungUp: string | undefined;
  transferredTo: string | undefined;
  /** The leg's client answers client tools (a web client); set false for a telephone-like leg. */
  clientTools = true;
  /** Keys the engine pressed, with the monotonic time of each sendDtmf call. */
  readonly dtmfSent: Array<{ at: number; digits: string }> = [];
  private readonly listeners: Listeners = { audio: [], dtmf: [], text: [], hangup: [], functionResult: [] };
  private playing = false;

  constructor(
    private readonly clock: Clock,
    readonly inputSampleRate = 8000,
    readonly outputSampleRate = 8000,
    readonly id = 'leg-1',
    readonly direction: CallDirection = 'inbound',
  ) {}

  on<E extends keyof CallLegEvents>(event: E, listener: CallLegEvents[E]): void {
    (this.listeners[event] as Array<CallLegEvents[E]>).push(listener);
  }

  off<E extends keyof CallLegEvents>(event: E, listener: CallLegEvents[E]): void {
    const list = this.listeners[event] as Array<CallLegEvents[E]>;
    list.splice(list.indexOf(listener), 1);
  }

  sendAudio(frame: AudioFrame): void {
    this.sent.push({ at: this.clock.monotonic(), level: dbfs(frame.samples) });
  }

  clearAudio(): number {
    return 0;
  }

  async hangup(cause = 'hangup'): Promise<void> {
    this.hungUp ??= cause;
  }

  /** What the engine told the client, in order. */
  readonly notices: CallNotice[] = [];

  notify(notice: CallNotice): void {
    this.notices.push(notice);
  }

  async transfer(destination: string): Promise<void> {
    this.transferredTo = destination;
  }

  /** Bot frames with sound, sent at or after `from` ms. */
  botAudioAfter(from: number): number {
    return this.sent.filter((f) => f.at >= from && f.level > -60).length;
  }

  /**
   * Plays `speechMs` of caller "speech" (a tone the VAD hears) after `silenceMs` of silence, one
   * 20 ms frame per virtual tick. Runs in the background while the test advances the clock.
   */
  async say(speechMs: number, silenceMs = 0): Promise<void> {
    if (this.playing) throw new Error('the caller is already talking');
    this.playing = true;
    const size = samplesPerFrame(this.inputSampleRate);
    const tone = this.tone(speechMs);
    const silence = new Int16Array(size);
    const total = Math.round((silenceMs + speechMs) / 20);
    for (let f = 0; f < total; f++) {
      const speaking = f >= silenceMs / 20;
      // Views, not copies: the engine copies what it keeps, as it must for any transport.
      const samples = speaking ? tone.subarray((f - silenceMs / 20) * size, (f - silenceMs / 20 + 1) * size) : silence;
      for (const listener of this.listeners.audio) listener(audioFrame(samples, this.inputSampleRate, this.clock.monotonic()));
      await this.clock.sleep(20);
    }
    this.playing = false;
  }

  /** Plays recorded caller audio (at the leg's input rate) in real-time frames. */
  async play(samples: Int16Array): Promise<void> {
    const size = samplesPerFrame(this.inputSampleRate);
    for (let offset = 0; offset < samples.length; offset += size) {
      const frame = new Int16Array(size);
      frame.set(samples.subarray(offset, offset + size));
      for (const listener of this.listeners.audio) listener(audioFrame(frame, this.inputSampleRate, this.clock.monotonic()));
      await this.clock.sleep(20);
    }
  }

  /** Silence frames for `ms` (the VAD sees the end of speech). */
  async silence(ms: number): Promise<void> {
    await this.say(0, ms);
  }

  private readonly tones = new Map<number, Int16Array>();

  /** The caller's "speech", made once per length. */
  private tone(ms: number): Int16Array {
    let tone = this.tones.get(ms);
    if (!tone) this.tones.set(ms, (tone = sineWave(300, this.inputSampleRate, ms, 0.4)));
    return tone;
  }

  emitHangup(cause: string): void {
    for (const listener of this.listeners.hangup) listener(cause);
  }

  /** The caller presses keys, one `dtmf` event each. */
  pressKeys(keys: string): void {
    for (const digit of keys) for (const listener of this.listeners.dtmf) listener(digit as DtmfDigit);
  }

  /** The client answers a client tool call. */
  emitFunctionResult(callId: string, result: JsonValue | undefined): void {
    for (const listener of this.listeners.functionResult) listener(callId, result);
  }

  async sendDtmf(digits: string): Promise<void> {
    this.dtmfSent.push({ at: this.clock.monotonic(), digits });
  }
}
