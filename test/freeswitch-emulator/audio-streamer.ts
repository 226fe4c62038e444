import { endianness } from 'node:os';
import { SAMPLES_PER_TICK } from './pcm-track.js';
import { StreamUpsampler, mixInto } from './resample.js';
import { WsClient, type WsClientError } from './ws-client.js';

/**
 * mod_audio_stream (amigniter, community edition) for one channel: the WebSocket client that
 * streams the call's audio to the app. Behaviour taken from specs/protocols.md §2.1 and the
 * captures in fixtures/freeswitch/ws/:
 * - on open: the metadata as one text frame (if any), then CUSTOM mod_audio_stream::connect;
 * - binary frames of raw s16le PCM, 20 ms × (STREAM_BUFFER_SIZE / 20) each, at the asked rate;
 * - mono sends the caller continuously; mixed and stereo send only while something is played to
 *   the caller (the captures show no frames at all during a silent park), stereo interleaved with
 *   the caller in channel 0 and what is played in channel 1;
 * - app text frames become mod_audio_stream::json, except a valid streamAudio message, which is
 *   written to a temp file and announced with mod_audio_stream::play (the module never plays it);
 * - stop [text]: the text, then close 1000; a hangup closes 1000 too; neither fires ::disconnect.
 */
export type StreamMix = 'mono' | 'mixed' | 'stereo';

export interface AudioStreamParams {
  url: string;
  mix: StreamMix;
  rate: number;
  metadata?: string;
  /** STREAM_BUFFER_SIZE in ms (a multiple of 20). */
  bufferMs: number;
  /** STREAM_HEART_BEAT in seconds (0: none). */
  heartbeatSec: number;
  /** STREAM_EXTRA_HEADERS. */
  extraHeaders: Record<string, string>;
}

export interface AudioStreamInfo {
  readonly url: string;
  readonly mix: StreamMix;
  readonly rate: number;
  readonly metadata: string | undefined;
  readonly connected: boolean;
  readonly paused: boolean;
  readonly closed: boolean;
  /** Binary frames sent to the app. */
  readonly framesSent: number;
  readonly audioBytesSent: number;
  /** Text frames sent to the app (metadata, send_text, stop text). */
  readonly textsSent: readonly string[];
  /** Text frames the app sent. */
  readonly textsReceived: readonly string[];
  readonly binaryFramesReceived: number;
  readonly closeCode: number | undefined;
  readonly error: { code: number; message: string } | undefined;
}

/** What the streamer needs from its channel. */
export interface StreamOwner {
  readonly uuid: string;
  fireStreamEvent(subclass: string, body: string): void;
  writeStreamFile(extension: string, data: Buffer): string;
  streamEnded(streamer: AudioStreamer): void;
  countStreamFrame(bytes: number): void;
}

const RAW_EXTENSIONS: Record<number, string> = { 8000: '.r8', 16000: '.r16', 24000: '.r24', 32000: '.r32', 48000: '.r48', 64000: '.r64' };
const OTHER_EXTENSIONS: Record<string, string> = { wav: '.wav', mp3: '.mp3', ogg: '.ogg', pcmu: '.pcmu', pcma: '.pcma' };
const LITTLE_ENDIAN = endianness() === 'LE';

export class AudioStreamer {
  private readonly ws: WsClient;
  private connected = false;
  private paused = false;
  private closed = false;
  private framesSent = 0;
  private audioBytesSent = 0;
  private readonly textsSent: string[] = [];
  private readonly textsReceived: string[] = [];
  private binaryFramesReceived = 0;
  private closeCode: number | undefined;
  private error: { code: number; message: string } | undefined;
  private ticksSinceOpen = 0;
  private readonly factor: number;
  private readonly channels: number;
  private readonly frame: Buffer;
  private readonly frameSamples: Int16Array;
  private frameFill = 0;
  private readonly upsamplers: StreamUpsampler[];
  private readonly scratch: Int16Array[];
  private readonly mixed = new Int16Array(SAMPLES_PER_TICK);

  constructor(private readonly owner: StreamOwner, readonly params: AudioStreamParams) {
    this.factor = params.rate / 8000;
    this.channels = params.mix === 'stereo' ? 2 : 1;
    const ticksPerFrame = Math.max(1, Math.round(params.bufferMs / 20));
    const frameSamples = SAMPLES_PER_TICK * this.factor * this.channels * ticksPerFrame;
    this.frame = Buffer.alloc(frameSamples * 2);
    this.frameSamples = new Int16Array(this.frame.buffer, this.frame.byteOffset, frameSamples);
    this.upsamplers = Array.from({ length: this.channels }, () => new StreamUpsampler(this.factor));
    this.scratch = Array.from({ length: this.channels }, () => new Int16Array(SAMPLES_PER_TICK * this.factor));
    this.ws = new WsClient(params.url, { headers: params.extraHeaders });
    this.ws.on('open', () => this.onOpen());
    this.ws.on('text', (text) => this.onAppText(text));
    this.ws.on('binary', () => this.binaryFramesReceived++);
    this.ws.on('error', (error) => this.onError(error));
    this.ws.on('close', (code, reason, byUs) => this.onClose(code, reason, byUs));
  }

  get info(): AudioStreamInfo {
    return {
      url: this.params.url, mix: this.params.mix, rate: this.params.rate, metadata: this.params.metadata,
      connected: this.connected, paused: this.paused, closed: this.closed,
      framesSent: this.framesSent, audioBytesSent: this.audioBytesSent,
      textsSent: [...this.textsSent], textsReceived: [...this.textsReceived],
      binaryFramesReceived: this.binaryFramesReceived, closeCode: this.closeCode, error: this.error,
    };
  }

  get active(): boolean {
    return !this.closed;
  }

  /** One 20 ms media tick: the caller's 8 kHz frame and what was played to the caller (or null). */
  onTick(caller: Readonly<Int16Array>, played: Readonly<Int16Array> | null): void {
    if (!this.connected || this.closed) return;
    this.ticksSinceOpen++;
    if (this.params.heartbeatSec > 0 && this.ticksSinceOpen % (this.params.heartbeatSec * 50) === 0) this.ws.ping('ping');
    if (this.paused) return;
    const perChannel = SAMPLES_PER_TICK * this.factor;
    if (this.params.mix === 'mono') {
      this.upsamplers[0].process(caller, this.scratch[0]);
      this.write(this.scratch[0], perChannel);
      return;
    }
    if (!played) return;
    if (this.params.mix === 'mixed') {
      mixInto(this.mixed, caller, played);
      this.upsamplers[0].process(this.mixed, this.scratch[0]);
      this.write(this.scratch[0], perChannel);
      return;
    }
    this.upsamplers[0].process(caller, this.scratch[0]);
    this.upsamplers[1].process(played, this.scratch[1]);
    const out = this.frameSamples;
    let o = this.frameFill;
    const a = this.scratch[0], b = this.scratch[1];
    for (let i = 0; i < perChannel; i++) {
      out[o++] = a[i];
      out[o++] = b[i];
    }
    this.frameFill = o;
    this.flushIfFull();
  }

  sendText(text: string): boolean {
    if (this.closed || !this.connected) return false;
    this.ws.sendText(text);
    this.textsSent.push(text);
    return true;
  }

  setPaused(paused: boolean): boolean {
    if (this.closed) return false;
    this.paused = paused;
    return true;
  }

  /** `uuid_audio_stream <uuid> stop [text]`: the text, then a normal close. */
  stop(text?: string): void {
    if (this.closed) return;
    if (text !== undefined) this.sendText(text);
    this.finish();
  }

  /** The channel hung up: close 1000, no ::disconnect event. */
  hangup(): void {
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.connected = false;
    this.closeCode = 1000;
    this.ws.close(1000, 'Normal closure');
    this.owner.streamEnded(this);
  }

  private write(samples: Int16Array, count: number): void {
    if (LITTLE_ENDIAN) {
      this.frameSamples.set(samples.subarray(0, count), this.frameFill);
    } else {
      for (let i = 0; i < count; i++) this.frame.writeInt16LE(samples[i], (this.frameFill + i) * 2);
    }
    this.frameFill += count;
    this.flushIfFull();
  }

  private flushIfFull(): void {
    if (this.frameFill < this.frameSamples.length) return;
    this.frameFill = 0;
    this.ws.sendBinary(this.frame);
    this.framesSent++;
    this.audioBytesSent += this.frame.length;
    this.owner.countStreamFrame(this.frame.length);
  }

  private onOpen(): void {
    if (this.closed) {
      this.ws.close(1000, 'Normal closure');
      return;
    }
    this.connected = true;
    if (this.params.metadata !== undefined && this.params.metadata !== '') {
      this.ws.sendText(this.params.metadata);
      this.textsSent.push(this.params.metadata);
    }
    this.owner.fireStreamEvent('mod_audio_stream::connect', '{"status":"connected"}');
  }

  private onAppText(text: string): void {
    if (this.closed) return;
    this.textsReceived.push(text);
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      message = undefined;
    }
    if (isObject(message) && message.type === 'streamAudio' && this.playStreamAudio(message.data)) return;
    this.owner.fireStreamEvent('mod_audio_stream::json', text);
  }

  /** A valid streamAudio message: write the file and fire ::play. Invalid ones fall back to ::json. */
  private playStreamAudio(data: unknown): boolean {
    if (!isObject(data) || typeof data.audioData !== 'string' || typeof data.audioDataType !== 'string') return false;
    const extension = data.audioDataType === 'raw'
      ? RAW_EXTENSIONS[typeof data.sampleRate === 'number' ? data.sampleRate : 0]
      : OTHER_EXTENSIONS[data.audioDataType];
    if (!extension) return false;
    const audio = Buffer.from(data.audioData, 'base64');
    if (audio.length === 0) return false;
    const file = this.owner.writeStreamFile(extension, audio);
    const announced: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(data)) if (key !== 'audioData') announced[key] = value;
    announced.file = file;
    this.owner.fireStreamEvent('mod_audio_stream::play', JSON.stringify(announced));
    return true;
  }

  private onError(error: WsClientError): void {
    if (this.closed && !this.connected && this.closeCode !== undefined) return;
    this.error = { code: error.code, message: error.message };
    const body = JSON.stringify({ status: 'error', message: { code: error.code, error: error.message } });
    this.owner.fireStreamEvent('mod_audio_stream::error', body);
    if (!this.closed) {
      this.closed = true;
      this.connected = false;
      this.owner.streamEnded(this);
    }
  }

  private onClose(code: number, reason: string, byUs: boolean): void {
    this.closeCode ??= code;
    if (!byUs && !this.closed) {
      this.closed = true;
      this.connected = false;
      const body = JSON.stringify({ status: 'disconnected', message: { code, reason } });
      this.owner.fireStreamEvent('mod_audio_stream::disconnect', body);
      this.owner.streamEnded(this);
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
