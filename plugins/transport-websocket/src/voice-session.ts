/**
 * One connection of the voice WebSocket API (`/v1/voice/ws`): `start` opens a call on an
 * assistant, binary messages carry the caller's audio in the format `start` chose (PCM16LE or one
 * Opus packet per message), and the engine's output comes back as JSON messages and binary bot
 * audio in the same format. Mistakes get an `error` message; the call record is closed however the
 * connection ends (stop, close, or a client that stops answering pings).
 */
import {
  audioFrame,
  FrameChunker,
  isVapiError,
  pcm16ToBytes,
  VapiError,
  type AudioCodec,
  type AudioCodecFactory,
  type AudioFrame,
  type CallLeg,
  type CallNotice,
  type Clock,
  type IncomingCall,
  type Logger,
  type RtcIceCandidate,
  type RtcPeer,
  type RtcPeerFactory,
  type TimerHandle,
  type WebSocketConnection,
} from '@vapi-cn/sdk-plugin-api';
import { parseClientMessage, type StartMessage } from './client-messages.js';
import { audioError, CLOSE, protocolError, startTimeoutError } from './errors.js';
import { SocketLeg } from './socket-leg.js';

export interface VoiceSessionOptions {
  socket: WebSocketConnection;
  log: Logger;
  clock: Clock;
  /** The Opus codec, when codec-opus is enabled. */
  opus: AudioCodecFactory | undefined;
  /** WebRTC peers, when transport-webrtc is enabled: `start` with `sdp_offer` uses one. */
  webrtc: RtcPeerFactory | undefined;
  /** Hands a new leg to the engine; settles when the engine took (or refused) the call. */
  accept(leg: CallLeg, call: IncomingCall): Promise<void>;
  newCallId(): string;
  startTimeoutMs: number;
  pingIntervalMs: number;
  /** Bot audio is dropped, not queued, while the client has this much unread (a stalled reader). */
  maxBufferedBytes: number;
}

/** A browser gathers a handful per network interface; more before the answer is a broken client. */
const MAX_EARLY_CANDIDATES = 64;

export class VoiceSession {
  private leg: SocketLeg | undefined;
  private start: StartMessage | undefined;
  private chunker: FrameChunker | undefined;
  private decoder: AudioCodec | undefined;
  private encoder: AudioCodec | undefined;
  private peer: RtcPeer | undefined;
  /**
   * Candidates a browser trickles before its offer is answered (before `start`, or while the
   * answer is made): held, then given to the peer in order. Undefined once they flow directly.
   */
  private earlyCandidates: Array<RtcIceCandidate | null> | undefined = [];
  private startTimer: TimerHandle | undefined;
  private pingTimer: TimerHandle | undefined;
  private alive = true;
  private closed = false;
  private scratch = new Int16Array(0);
  /** Caller audio time, ms from the first frame (frame timestamps). */
  private receivedMs = 0;
  droppedBotFrames = 0;

  constructor(private readonly options: VoiceSessionOptions) {
    const { socket, clock } = options;
    socket.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    socket.on('close', () => this.onClose('client-closed'));
    socket.on('error', (error) => options.log.warn({ err: error }, 'voice websocket error'));
    socket.on('pong', () => (this.alive = true));
    this.startTimer = clock.setTimeout(() => this.fail(startTimeoutError(options.startTimeoutMs), CLOSE.startTimeout), options.startTimeoutMs);
    this.schedulePing();
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (this.closed) return;
    this.alive = true;
    if (isBinary) return this.onAudio(data);
    const message = parseClientMessage(data.toString('utf8'));
    if (isVapiError(message)) return this.sendError(message);
    switch (message.type) {
      case 'start':
        return void this.onStart(message);
      case 'text':
        if (!this.leg) return this.sendError(protocolError('text before start', 'send start first'));
        return this.leg.callerText(message.text);
      case 'function_result':
        if (!this.leg) return this.sendError(protocolError('function_result before start', 'answer function_call messages of a started call'));
        // The engine answers a result it is not waiting for with an error message; the call goes on.
        return this.leg.callerFunctionResult(message.callId, message.result);
      case 'ice_candidate':
        return this.onIceCandidate(message.candidate as RtcIceCandidate | null);
      case 'stop':
        return this.finish('client-stop', CLOSE.normal);
    }
  }

  private async onStart(start: StartMessage): Promise<void> {
    if (this.start) return this.sendError(protocolError('start was already sent on this connection', 'open a new connection for another call'));
    if (start.sdpOffer && !this.options.webrtc) {
      return this.fail(protocolError('WebRTC is not enabled on this server', 'enable the transport-webrtc plugin, or send audio over this socket (omit sdp_offer)'), CLOSE.badStart);
    }
    if (start.encoding === 'opus' && !this.options.opus) {
      return this.fail(protocolError('Opus is not enabled on this server', 'enable the codec-opus plugin, or use encoding "pcm"'), CLOSE.badStart);
    }
    this.start = start;
    if (this.startTimer) this.options.clock.clearTimeout(this.startTimer);
    this.startTimer = undefined;
    if (start.sdpOffer) return this.startWebRtc(start, start.sdpOffer);
    if (this.earlyCandidates?.length) this.sendError(protocolError('ice_candidate on a call without WebRTC', 'send sdp_offer in start to use WebRTC'));
    this.earlyCandidates = undefined;
    this.chunker = new FrameChunker(start.sampleRate);
    if (start.encoding === 'opus') {
      this.decoder = this.options.opus!.create({ sampleRate: start.sampleRate });
      this.encoder = this.options.opus!.create({ sampleRate: start.sampleRate });
    }
    const id = this.options.newCallId();
    const leg = (this.leg = new SocketLeg(id, start.sampleRate, start.sampleRate, {
      audio: (frame) => this.sendBotAudio(frame),
      clear: () => this.sendJson({ type: 'clear' }),
      notice: (notice) => this.sendJson(toServerMessage(notice)),
      close: (cause) => this.close(CLOSE.ended, cause),
    }));
    this.sendJson({ type: 'status', status: 'connected', call_id: id, sample_rate: start.sampleRate, encoding: start.encoding });
    try {
      await this.options.accept(leg, { assistantId: start.assistantId, variables: start.variables, metadata: { client: 'websocket', encoding: start.encoding } });
    } catch (error) {
      this.options.log.error({ err: error }, 'the engine did not take the call');
      this.fail(asVapiError(error), CLOSE.ended);
    }
  }

  /**
   * WebRTC: the socket carries only signalling and messages; audio is Opus over the peer, decoded
   * and encoded at the peer factory's rates. The answer goes out before any trickled candidate.
   */
  private async startWebRtc(start: StartMessage, offer: string): Promise<void> {
    const peer = (this.peer = this.options.webrtc!.create());
    let answer: string;
    try {
      answer = await peer.answer(offer);
    } catch (error) {
      void peer.close();
      return this.fail(asVapiError(error), CLOSE.badStart);
    }
    if (this.closed) return void peer.close();
    this.sendJson({ type: 'sdp_answer', sdp: answer });
    const early = this.earlyCandidates ?? [];
    this.earlyCandidates = undefined;
    for (const candidate of early) this.addCandidate(peer, candidate);
    peer.onIceCandidate((candidate) => this.sendJson({ type: 'ice_candidate', candidate }));
    const { inputSampleRate, outputSampleRate } = this.options.webrtc!;
    const id = this.options.newCallId();
    const leg = (this.leg = new SocketLeg(id, inputSampleRate, outputSampleRate, {
      audio: (frame) => peer.sendFrame(frame),
      clear: () => {
        this.sendJson({ type: 'clear' });
        return peer.clearAudio?.();
      },
      // A peer in a media worker paces bot audio itself: the engine sends it ahead.
      ...(peer.playoutBufferMs !== undefined ? { playoutBufferMs: peer.playoutBufferMs } : {}),
      notice: (notice) => this.sendJson(toServerMessage(notice)),
      close: (cause) => this.close(CLOSE.ended, cause),
    }));
    peer.onAudio((frame) => leg.callerAudio(frame));
    peer.onStateChange((state, error) => {
      if (state === 'failed') this.mediaLost(peerFailureReason(error), asVapiError(error ?? new Error('the WebRTC connection failed')));
      // A peer we did not close: the client closed its side (DTLS close) but kept the socket.
      else if (state === 'closed') this.mediaLost('peer-closed');
    });
    // Opus in WebRTC: the client sees a 48 kHz stream, whatever rates the server codes at.
    this.sendJson({ type: 'status', status: 'connected', call_id: id, sample_rate: 48000, encoding: 'webrtc' });
    try {
      await this.options.accept(leg, { assistantId: start.assistantId, variables: start.variables, metadata: { client: 'webrtc' } });
    } catch (error) {
      this.options.log.error({ err: error }, 'the engine did not take the call');
      this.fail(asVapiError(error), CLOSE.ended);
    }
  }

  private onIceCandidate(candidate: RtcIceCandidate | null): void {
    const early = this.earlyCandidates;
    if (early && (!this.start || this.peer)) {
      if (early.length >= MAX_EARLY_CANDIDATES) return this.sendError(protocolError('too many ice_candidate messages before the answer', 'trickle candidates after sdp_answer, or fewer of them'));
      early.push(candidate);
      return;
    }
    if (!this.peer) return this.sendError(protocolError('ice_candidate on a call without WebRTC', 'send sdp_offer in start to use WebRTC'));
    this.addCandidate(this.peer, candidate);
  }

  private addCandidate(peer: RtcPeer, candidate: RtcIceCandidate | null): void {
    peer.addIceCandidate(candidate).catch((error: unknown) => this.sendError(asVapiError(error)));
  }

  private onAudio(data: Buffer): void {
    const { leg, start, chunker } = this;
    if (this.peer) return this.sendError(protocolError('audio on the socket of a WebRTC call', 'send audio over the peer connection'));
    if (!leg || !start || !chunker) return this.sendError(protocolError('audio before start', 'send start first, then audio in the format it names'));
    let samples: Int16Array;
    if (this.decoder) {
      try {
        samples = this.decoder.decode(data, this.receivedMs).samples;
      } catch (error) {
        return this.sendError(isVapiError(error) ? error : audioError('an Opus packet that does not decode', 'send one Opus packet per binary message'));
      }
    } else {
      if (data.byteLength % 2 !== 0) return this.sendError(audioError(`a PCM message of ${data.byteLength} bytes (odd)`, 'send 16-bit little-endian mono samples: an even number of bytes'));
      samples = this.pcmView(data);
    }
    chunker.push(samples, this.emitFrame);
  }

  private readonly emitFrame = (samples: Int16Array): void => {
    const rate = this.start!.sampleRate;
    this.leg!.callerAudio(audioFrame(samples, rate, this.receivedMs));
    this.receivedMs += (samples.length * 1000) / rate;
  };

  /** The samples of a PCM message; copied only when the bytes are not 2-aligned. */
  private pcmView(data: Buffer): Int16Array {
    const count = data.byteLength / 2;
    if (data.byteOffset % 2 === 0) return new Int16Array(data.buffer, data.byteOffset, count);
    if (this.scratch.length < count) this.scratch = new Int16Array(count);
    const view = this.scratch.subarray(0, count);
    new Uint8Array(view.buffer, view.byteOffset, data.byteLength).set(data);
    return view;
  }

  private sendBotAudio(frame: AudioFrame): void {
    const { socket } = this.options;
    if (this.closed || socket.readyState !== 1) return;
    if (socket.bufferedAmount > this.options.maxBufferedBytes) {
      this.droppedBotFrames++;
      return;
    }
    // Copied, since the engine and the codec reuse their buffers after this call returns, into
    // Buffer's pool: a new ArrayBuffer per frame costs three times as much, and more GC work.
    const bytes = this.encoder ? this.encoder.encode(frame) : pcm16ToBytes(frame.samples);
    socket.send(Buffer.from(bytes));
  }

  private sendJson(message: Record<string, unknown>): void {
    const { socket } = this.options;
    if (!this.closed && socket.readyState === 1) socket.send(JSON.stringify(message));
  }

  private sendError(error: VapiError): void {
    this.sendJson({ type: 'error', code: error.code, message: error.message, ...(error.fix ? { fix: error.fix } : {}) });
  }

  /** A fatal mistake: say what it was, close, and end the call if there is one. */
  private fail(error: VapiError, code: number): void {
    this.sendError(error);
    this.finish(error.code, code);
  }

  /**
   * A WebRTC call whose media is gone while this socket stays open: say why (an error, then
   * `status: ended` with the reason), close with 4001 and end the call. The peer has closed itself
   * (or is closed here), releasing its sockets and timers.
   */
  private mediaLost(reason: string, error?: VapiError): void {
    if (this.closed) return;
    this.options.log.warn({ reason, err: error }, 'webrtc media lost: ending the call');
    if (error) this.sendError(error);
    this.finish(reason, CLOSE.mediaLost);
  }

  /** The client's side ends the call (stop, failure): the engine hears a hangup. */
  private finish(cause: string, code: number): void {
    if (this.leg && !this.leg.isEnded) this.sendJson({ type: 'status', status: 'ended', reason: cause });
    this.close(code, cause);
    this.leg?.farEndGone(cause);
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
    const { clock } = this.options;
    if (this.startTimer) clock.clearTimeout(this.startTimer);
    if (this.pingTimer) clock.clearTimeout(this.pingTimer);
    this.decoder?.close();
    this.encoder?.close();
    void this.peer?.close();
  }

  /** A client that vanished without closing stops answering pings: its call is ended. */
  private schedulePing(): void {
    this.pingTimer = this.options.clock.setTimeout(() => {
      if (this.closed) return;
      if (!this.alive) {
        this.cleanup();
        this.options.socket.terminate();
        this.leg?.farEndGone('client-vanished');
        return;
      }
      this.alive = false;
      this.options.socket.ping();
      this.schedulePing();
    }, this.options.pingIntervalMs);
  }
}

/** The engine's notices as the API's snake_case messages. */
export function toServerMessage(notice: CallNotice): Record<string, unknown> {
  switch (notice.type) {
    case 'status':
      return { type: 'status', status: notice.status, ...(notice.reason ? { reason: notice.reason } : {}) };
    case 'transcript':
      return { type: 'transcript', role: notice.role, text: notice.text, is_final: notice.isFinal };
    case 'response':
      return { type: 'response', text: notice.text, is_final: notice.isFinal };
    case 'function-call':
      return {
        type: 'function_call',
        function_name: notice.name,
        arguments: parseArguments(notice.arguments),
        call_id: notice.callId,
        // The client runs the tool and must answer with function_result; else the server runs it.
        awaits_result: notice.awaitsResult === true,
        ...(notice.awaitsResult && notice.timeoutMs !== undefined ? { timeout_ms: notice.timeoutMs } : {}),
      };
    case 'latency':
      return { type: 'latency', turn: notice.turn };
    case 'error':
      return { type: 'error', code: notice.code, message: notice.message, ...(notice.fix ? { fix: notice.fix } : {}) };
  }
}

/** The call's end reason for a peer that failed, from transport-webrtc's error codes. */
export function peerFailureReason(error: Error | undefined): string {
  switch (isVapiError(error) ? error.code : undefined) {
    case 'VAPI_ERR_WEBRTC_MEDIA_TIMEOUT':
      return 'media-timeout';
    case 'VAPI_ERR_WEBRTC_CONNECT_TIMEOUT':
      return 'connect-timeout';
    case 'VAPI_ERR_WEBRTC_CONNECTION':
      return 'ice-failed';
    default:
      return 'webrtc-failed';
  }
}

function asVapiError(error: unknown): VapiError {
  return isVapiError(error) ? error : new VapiError(error instanceof Error ? error.message : String(error), { code: 'VAPI_ERR_CALL_FAILED', category: 'server', cause: error });
}

function parseArguments(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
