/**
 * One Twilio Media Streams connection (`/v1/twilio/media`): the CPaaS (or any µ-law WebSocket
 * source) is the client and sends JSON text frames only: connected → start → media (base64
 * µ-law 8 kHz, 20 ms) → … → stop. Bot audio goes back as `media` messages, barge-in as `clear`.
 * The assistant comes from the start's customParameters.assistantId, else the URL's
 * `assistant_id` query parameter. Binary frames and unknown events are logged and ignored, as
 * Twilio itself does (its warnings 31950 / 31951).
 */
import {
  audioFrame,
  FrameChunker,
  isDtmfDigit,
  type AudioCodec,
  type AudioCodecFactory,
  type AudioFrame,
  type CallLeg,
  type Clock,
  type IncomingCall,
  type Logger,
  type TimerHandle,
  type WebSocketConnection,
} from '@vapi-cn/sdk-plugin-api';
import { CLOSE } from './errors.js';
import { SocketLeg } from './socket-leg.js';

export interface TwilioMediaSessionOptions {
  socket: WebSocketConnection;
  log: Logger;
  clock: Clock;
  pcmu: AudioCodecFactory;
  /** From the URL: used when the start has no customParameters.assistantId. */
  assistantId: string | undefined;
  accept(leg: CallLeg, call: IncomingCall): Promise<void>;
  newCallId(): string;
  startTimeoutMs: number;
}

interface StartEvent {
  streamSid?: string;
  callSid?: string;
  customParameters?: Record<string, unknown>;
  mediaFormat?: { encoding?: string; sampleRate?: number; channels?: number };
}

const RATE = 8000;

export class TwilioMediaSession {
  private leg: SocketLeg | undefined;
  private streamSid = '';
  private decoder: AudioCodec;
  private encoder: AudioCodec;
  private readonly chunker = new FrameChunker(RATE);
  private startTimer: TimerHandle | undefined;
  private receivedMs = 0;
  private closed = false;
  /** Malformed or unknown messages, logged once each kind (Twilio's 31950 / 31951). */
  ignored = 0;

  constructor(private readonly options: TwilioMediaSessionOptions) {
    const { socket, clock } = options;
    this.decoder = options.pcmu.create({ sampleRate: RATE });
    this.encoder = options.pcmu.create({ sampleRate: RATE });
    socket.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    socket.on('close', () => this.onClose('client-closed'));
    socket.on('error', (error) => options.log.warn({ err: error }, 'media stream websocket error'));
    this.startTimer = clock.setTimeout(() => {
      options.log.warn({ timeoutMs: options.startTimeoutMs }, 'media stream sent no start');
      this.close(CLOSE.startTimeout, 'no start');
    }, options.startTimeoutMs);
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (this.closed) return;
    if (isBinary) return this.ignore('31950', 'a binary frame (media streams carry JSON text only)');
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(data.toString('utf8')) as Record<string, unknown>;
      if (typeof message !== 'object' || message === null) throw new Error('not an object');
    } catch {
      return this.ignore('31950', 'a frame that is not a JSON object');
    }
    switch (message.event) {
      case 'connected':
        return;
      case 'start':
        return void this.onStart((message.start ?? {}) as StartEvent, message.streamSid);
      case 'media':
        return this.onMedia(message.media as { payload?: unknown; track?: unknown } | undefined);
      case 'dtmf': {
        const digit = (message.dtmf as { digit?: unknown } | undefined)?.digit;
        if (typeof digit === 'string' && isDtmfDigit(digit)) this.leg?.callerDtmf(digit);
        return;
      }
      case 'mark':
        return;
      case 'stop':
        this.close(CLOSE.normal, 'stop');
        this.leg?.farEndGone('NORMAL_CLEARING');
        return;
      default:
        return this.ignore('31951', `an unknown event ${JSON.stringify(message.event ?? null)}`);
    }
  }

  private async onStart(start: StartEvent, streamSid: unknown): Promise<void> {
    if (this.leg) return this.ignore('31951', 'a second start');
    const format = start.mediaFormat ?? {};
    if ((format.encoding && format.encoding !== 'audio/x-mulaw') || (format.sampleRate && format.sampleRate !== RATE) || (format.channels && format.channels !== 1)) {
      this.options.log.warn({ mediaFormat: format }, 'media stream format is not µ-law 8 kHz mono');
      return this.close(CLOSE.badStart, 'unsupported mediaFormat');
    }
    if (this.startTimer) this.options.clock.clearTimeout(this.startTimer);
    this.startTimer = undefined;
    this.streamSid = String(start.streamSid ?? streamSid ?? '');
    const custom = start.customParameters ?? {};
    const assistantId = typeof custom.assistantId === 'string' ? custom.assistantId : this.options.assistantId;
    const variables: Record<string, string> = {};
    for (const [key, value] of Object.entries(custom)) if (key !== 'assistantId') variables[key] = String(value);
    const leg = (this.leg = new SocketLeg(this.options.newCallId(), RATE, RATE, {
      audio: (frame) => this.sendMedia(frame),
      clear: () => this.send({ event: 'clear', streamSid: this.streamSid }),
      close: (cause) => this.close(CLOSE.normal, cause),
    }));
    try {
      await this.options.accept(leg, {
        ...(assistantId ? { assistantId } : {}),
        variables,
        metadata: { client: 'twilio-media-streams', ...(start.callSid ? { callSid: String(start.callSid) } : {}), streamSid: this.streamSid },
      });
    } catch (error) {
      this.options.log.error({ err: error }, 'the engine did not take the call');
      this.close(CLOSE.ended, 'setup-failed');
    }
  }

  private onMedia(media: { payload?: unknown; track?: unknown } | undefined): void {
    if (!this.leg) return this.ignore('31951', 'media before start');
    if (media?.track !== undefined && media.track !== 'inbound') return;
    if (typeof media?.payload !== 'string') return this.ignore('31950', 'media without a payload');
    const bytes = Buffer.from(media.payload, 'base64');
    if (bytes.length === 0) return;
    let frame: AudioFrame;
    try {
      frame = this.decoder.decode(bytes, this.receivedMs);
    } catch {
      return this.ignore('31950', 'a media payload that does not decode');
    }
    this.chunker.push(frame.samples, this.emitFrame);
  }

  private readonly emitFrame = (samples: Int16Array): void => {
    this.leg!.callerAudio(audioFrame(samples, RATE, this.receivedMs));
    this.receivedMs += (samples.length * 1000) / RATE;
  };

  private sendMedia(frame: AudioFrame): void {
    this.send({ event: 'media', streamSid: this.streamSid, media: { payload: Buffer.from(this.encoder.encode(frame)).toString('base64') } });
  }

  private send(message: Record<string, unknown>): void {
    if (!this.closed && this.options.socket.readyState === 1) this.options.socket.send(JSON.stringify(message));
  }

  private readonly warned = new Set<string>();

  private ignore(code: string, what: string): void {
    this.ignored++;
    if (this.warned.has(what)) return;
    this.warned.add(what);
    this.options.log.warn({ twilioCode: code }, `media stream sent ${what}: ignored`);
  }

  private onClose(cause: string): void {
    this.cleanup();
    this.leg?.farEndGone(cause);
  }

  private close(code: number, reason: string): void {
    if (this.closed) return;
    this.cleanup();
    this.options.socket.close(code, reason.slice(0, 120));
  }

  private cleanup(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.startTimer) this.options.clock.clearTimeout(this.startTimer);
    this.decoder.close();
    this.encoder.close();
  }
}
