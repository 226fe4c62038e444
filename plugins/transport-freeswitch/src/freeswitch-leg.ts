/**
 * One FreeSWITCH channel as a CallLeg. Caller audio arrives from mod_audio_stream's WebSocket
 * (see audio-stream-socket.ts); bot audio leaves as files played with uuid_broadcast (see
 * playback-writer.ts); call control is ESL API commands on the channel's uuid. The leg's far end
 * plays from its own buffer, so it asks the engine for audio ahead of real time
 * (`playoutBufferMs`) and answers clearAudio() with what FreeSWITCH had not played yet.
 */
import {
  CallLegListeners,
  VapiError,
  type AudioFrame,
  type CallDirection,
  type CallLeg,
  type CallLegEvents,
  type DtmfDigit,
  type Logger,
} from '@vapi-cn/sdk-plugin-api';
import { hangupCauseFor } from './hangup-causes.js';
import { PlaybackWriter, type PlaybackWriterOptions } from './playback-writer.js';

/** Where a leg's commands go: the node's inbound ESL connection, or the call's own outbound socket. */
export interface ChannelControl {
  api(command: string, args: string): Promise<string>;
}

export interface FreeswitchLegOptions {
  uuid: string;
  direction: CallDirection;
  /** Rate mod_audio_stream sends caller audio at. */
  inputSampleRate: 8000 | 16000;
  playback: Omit<PlaybackWriterOptions, 'uuid' | 'commands' | 'log'>;
  playoutBufferMs: number;
  control: ChannelControl;
  log: Logger;
  /** Carrier the call came in or went out on, for per-trunk limits. */
  carrier?: string;
  /** Dialplan context a number is transferred into. */
  transferContext: string;
  /** The leg is gone for good: the transport forgets it. */
  onEnd(leg: FreeswitchLeg): void;
}

export class FreeswitchLeg implements CallLeg {
  readonly id: string;
  readonly direction: CallDirection;
  readonly inputSampleRate: number;
  readonly outputSampleRate: number;
  readonly playoutBufferMs: number;
  readonly carrier: string | undefined;
  private readonly listeners = new CallLegListeners();
  private readonly playback: PlaybackWriter;
  private ended = false;
  /** After a blind transfer the channel lives on elsewhere: hanging up the leg must not kill it. */
  private transferred = false;
  /** The media socket, once mod_audio_stream connected; closed when the call ends. */
  mediaSocket: { close(code?: number, reason?: string): void } | undefined;

  constructor(private readonly options: FreeswitchLegOptions) {
    this.id = options.uuid;
    this.direction = options.direction;
    this.inputSampleRate = options.inputSampleRate;
    this.outputSampleRate = options.playback.sampleRate;
    this.playoutBufferMs = options.playoutBufferMs;
    this.carrier = options.carrier;
    this.playback = new PlaybackWriter({ ...options.playback, uuid: options.uuid, commands: options.control, log: options.log });
  }

  get isEnded(): boolean {
    return this.ended;
  }

  get control(): ChannelControl {
    return this.options.control;
  }

  /** For tests and stats: chunks handed to FreeSWITCH. */
  get chunksSent(): number {
    return this.playback.chunksSent;
  }

  on<E extends keyof CallLegEvents>(event: E, listener: CallLegEvents[E]): void {
    this.listeners.on(event, listener);
  }

  off<E extends keyof CallLegEvents>(event: E, listener: CallLegEvents[E]): void {
    this.listeners.off(event, listener);
  }

  sendAudio(frame: AudioFrame): void {
    if (!this.ended) this.playback.write(frame);
  }

  clearAudio(): number {
    return this.ended ? 0 : this.playback.clear();
  }

  async sendDtmf(digits: string): Promise<void> {
    await this.command('uuid_send_dtmf', `${this.id} ${digits}`);
  }

  /** Blind transfer: a number goes through the dialplan's transfer context, a SIP URI is bridged. */
  async transfer(destination: string): Promise<void> {
    const args = destination.startsWith('sip:') || destination.startsWith('sips:')
      ? `${this.id} 'bridge:sofia/external/${destination.replace(/^sips?:/, '')}' inline`
      : `${this.id} ${destination} XML ${this.options.transferContext}`;
    await this.command('uuid_transfer', args);
    this.transferred = true;
    // The channel is no longer ours: stop listening to it, and end our side of the call.
    await this.options.control.api('uuid_audio_stream', `${this.id} stop`).catch(() => {});
    this.farEndGone('transferred');
  }

  async hangup(cause = 'NORMAL_CLEARING'): Promise<void> {
    if (this.ended) return;
    this.end();
    if (this.transferred) return;
    const q850 = hangupCauseFor(cause);
    await this.options.control.api('uuid_kill', `${this.id} ${q850}`).catch((error: Error) => this.options.log.warn({ err: error }, 'uuid_kill failed: the channel may already be gone'));
  }

  // ---- from the transport ----

  callerAudio(frame: AudioFrame): void {
    if (!this.ended) this.listeners.emit('audio', frame);
  }

  callerDtmf(digit: DtmfDigit): void {
    if (!this.ended) this.listeners.emit('dtmf', digit);
  }

  /** The channel hung up (or left): the engine hears it once. */
  farEndGone(cause: string): void {
    if (this.ended) return;
    this.end();
    this.listeners.emit('hangup', cause);
  }

  private end(): void {
    this.ended = true;
    this.mediaSocket?.close(1000, 'call ended');
    void this.playback.close();
    this.options.onEnd(this);
  }

  private async command(command: string, args: string): Promise<void> {
    const reply = await this.options.control.api(command, args);
    if (!reply.startsWith('+OK')) {
      throw new VapiError(`FreeSWITCH refused ${command}: ${reply.trim()}`, {
        code: 'VAPI_ERR_FREESWITCH_COMMAND',
        category: 'server',
        details: { command, reply: reply.trim() },
      });
    }
  }
}
