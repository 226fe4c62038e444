/**
 * One call's WebRTC media: a werift RTCPeerConnection that answers a browser's offer with one
 * Opus audio transceiver over DTLS-SRTP, turning received RTP into 20 ms PCM16 frames at
 * `inputSampleRate` and 20 ms frames at `outputSampleRate` given to sendFrame() into RTP. Signalling (carrying the offer, the answer and
 * trickled candidates) is the transport's job; this class only sees their contents.
 */
import { setImmediate, clearImmediate } from 'node:timers';
import { RTCPeerConnection, RtcpRrPacket, RtcpSrPacket, RtpHeader, RtpPacket, type MediaStreamTrack, type RtcpPacket, type RTCRtpTransceiver } from 'werift';
import {
  isVapiError,
  samplesPerFrame,
  SystemClock,
  VapiError,
  type AudioCodec,
  type AudioCodecFactory,
  type AudioFrame,
  type Clock,
  type JitterBufferFactory,
  type JitterBufferOptions,
  type Logger,
  type TimerHandle,
} from '@vapi-cn/sdk-plugin-api';
import { candidateError, checkCandidate, isMdnsCandidate, type IceCandidateInit } from './ice-candidate.js';
import { InboundAudio, WEBRTC_SAMPLE_RATE, type InboundAudioStats } from './inbound-audio.js';
import { checkOffer, sdpError } from './offer-sdp.js';
import { checkBotFrame, stateError } from './peer-misuse.js';
import { checkNetworkOptions, weriftConfig, type PeerNetworkOptions } from './peer-config.js';
import { isDigitalSilence, RtpClock } from './rtp-clock.js';
import { silentLogger } from './silent-logger.js';

export type { IceCandidateInit } from './ice-candidate.js';

/** Browsers give up on ICE after about 30 s; a caller waiting half that has hung up already. */
const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
/**
 * A browser sends RTP every 20 ms while its microphone track lives (every 400 ms with DTX) and
 * RTCP every few seconds: 15 s without either is a client whose media is gone. ICE consent (30 s
 * in werift) would notice too, but later, and not a client that still answers consent checks.
 */
const DEFAULT_MEDIA_TIMEOUT_MS = 15_000;

/**
 * `new` until answer(), `connecting` while ICE and DTLS run, `connected` once media can flow.
 * `failed` (with the error) when they never connect or the connection is lost; the peer then
 * closes itself. `closed` always comes last, once sockets and timers are released.
 */
/** The rates an Opus codec takes and gives (RFC 6716). */
export const OPUS_RATES: readonly number[] = [8000, 12000, 16000, 24000, 48000];

export type WebRtcPeerState = 'new' | 'connecting' | 'connected' | 'failed' | 'closed';

export interface WebRtcPeerOptions extends PeerNetworkOptions {
  /** The `opus` codec factory (codec-opus); one codec per direction. */
  opus: AudioCodecFactory;
  /** Rate received audio is decoded to (default 48000). */
  inputSampleRate?: number;
  /** Rate of the frames sendFrame() takes (default 48000). */
  outputSampleRate?: number;
  /** A jitter buffer factory (stage-jitter-buffer): received audio is reordered and played out on a 20 ms clock. Without one, packets are decoded as they arrive. */
  jitterBuffers?: JitterBufferFactory;
  jitterBuffer?: JitterBufferOptions;
  /** Time from answer() for ICE and DTLS to connect before the peer fails (default 15 s). */
  connectTimeoutMs?: number;
  /**
   * Once connected, no RTP or RTCP from the client for this long fails the peer with
   * VAPI_ERR_WEBRTC_MEDIA_TIMEOUT (default 15 s); 0 turns the check off.
   */
  mediaTimeoutMs?: number;
  clock?: Clock;
  log?: Logger;
}

export interface WebRtcPeerStats extends InboundAudioStats {
  packetsSent: number;
  /** Packets werift failed to send (socket errors). */
  sendErrors: number;
  /** Share of our packets the client's last RTCP report block says it lost (0..1); 0 before one. */
  reportedLoss: number;
}

type StateListener = (state: WebRtcPeerState, error?: VapiError) => void;

export class WebRtcPeer {
  private readonly options: WebRtcPeerOptions;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly connectTimeoutMs: number;
  private readonly mediaTimeoutMs: number;
  private readonly audioListeners = new Set<(frame: AudioFrame) => void>();
  private readonly candidateListeners = new Set<(candidate: IceCandidateInit | null) => void>();
  private readonly stateListeners = new Set<StateListener>();
  private readonly rtpClock = new RtpClock();
  private readonly inputRate: number;
  private readonly outputRate: number;
  private readonly frameSize: number;
  private currentState: WebRtcPeerState = 'new';
  private pc: RTCPeerConnection | undefined;
  private transceiver: RTCRtpTransceiver | undefined;
  private encoder: AudioCodec | undefined;
  private decoder: AudioCodec | undefined;
  private inbound: InboundAudio | undefined;
  /** Payload types of Opus as negotiated: what we receive and what we send (they may differ). */
  private receivePayloadType: number | undefined;
  private sendPayloadType: number | undefined;
  private answerStarted = false;
  /** Local candidates are held until the answer is out: a browser rejects them before it. */
  private answered = false;
  private readonly localCandidates: Array<IceCandidateInit | null> = [];
  private flushHandle: ReturnType<typeof setImmediate> | undefined;
  /** Remote candidates that came before answer() created the connection. */
  private readonly earlyCandidates: IceCandidateInit[] = [];
  private connectTimer: TimerHandle | undefined;
  /** Checks, once connected, that the client still sends media (RTP or RTCP). */
  private mediaTimer: TimerHandle | undefined;
  /** clock.monotonic() of the last RTP or RTCP packet from the client (or of connecting). */
  private lastMediaAt = 0;
  /** Set first thing in close(): werift reports its own closing synchronously, from inside close(). */
  private closed = false;
  private closing: Promise<void> | undefined;
  /** Rejects at close(): werift's description calls never settle once their connection is closed. */
  private readonly closedWhileAnswering: Promise<never>;
  private rejectAnswering: (error: VapiError) => void = () => {};
  private packetsSent = 0;
  private sendErrors = 0;
  private reportedLoss = 0;
  private listenerErrors = 0;

  constructor(options: WebRtcPeerOptions) {
    checkNetworkOptions(options);
    if (!options.opus || typeof options.opus.create !== 'function') {
      throw new VapiError('WebRtcPeer needs the opus codec factory', {
        code: 'VAPI_ERR_WEBRTC_OPTIONS',
        category: 'invalid_request',
        fix: "enable codec-opus and pass its registry entry: registry(stageRefs.codecs).get('opus')",
      });
    }
    this.inputRate = options.inputSampleRate ?? WEBRTC_SAMPLE_RATE;
    this.outputRate = options.outputSampleRate ?? WEBRTC_SAMPLE_RATE;
    for (const rate of [this.inputRate, this.outputRate]) {
      if (!OPUS_RATES.includes(rate)) {
        throw new VapiError(`Opus cannot run at ${rate} Hz`, { code: 'VAPI_ERR_WEBRTC_OPTIONS', category: 'invalid_request', fix: `use one of ${OPUS_RATES.join(', ')} Hz` });
      }
    }
    this.frameSize = samplesPerFrame(this.outputRate);
    const timeout = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    if (!(timeout > 0) || !Number.isFinite(timeout)) {
      throw new VapiError(`connectTimeoutMs must be a positive number of milliseconds, got ${timeout}`, {
        code: 'VAPI_ERR_WEBRTC_OPTIONS',
        category: 'invalid_request',
        fix: 'leave connectTimeoutMs out (15 s) or give e.g. 10000',
      });
    }
    const mediaTimeout = options.mediaTimeoutMs ?? DEFAULT_MEDIA_TIMEOUT_MS;
    if (!(mediaTimeout >= 0) || !Number.isFinite(mediaTimeout)) {
      throw new VapiError(`mediaTimeoutMs must be 0 (off) or a positive number of milliseconds, got ${mediaTimeout}`, {
        code: 'VAPI_ERR_WEBRTC_OPTIONS',
        category: 'invalid_request',
        fix: 'leave mediaTimeoutMs out (15 s), give e.g. 10000, or 0 to rely on ICE consent alone',
      });
    }
    this.options = options;
    this.connectTimeoutMs = timeout;
    this.mediaTimeoutMs = mediaTimeout;
    this.clock = options.clock ?? new SystemClock();
    this.log = options.log ?? silentLogger;
    this.closedWhileAnswering = new Promise<never>((_, reject) => (this.rejectAnswering = reject));
    this.closedWhileAnswering.catch(() => {});
  }

  get state(): WebRtcPeerState {
    return this.currentState;
  }

  /** SSRC of the audio we send, once answer() has set up the transceiver. */
  get ssrc(): number | undefined {
    return this.transceiver?.sender.ssrc;
  }

  get stats(): WebRtcPeerStats {
    const inbound = this.inbound?.stats ?? { packets: 0, frames: 0, concealed: 0, lost: 0, late: 0, badPackets: 0 };
    return { ...inbound, packetsSent: this.packetsSent, sendErrors: this.sendErrors, reportedLoss: this.reportedLoss };
  }

  /** Received audio: 20 ms PCM16 mono frames at `inputSampleRate`. The frame is reused after the call (copy it to keep it). */
  onAudio(listener: (frame: AudioFrame) => void): () => void {
    this.audioListeners.add(listener);
    return () => this.audioListeners.delete(listener);
  }

  /**
   * Local ICE candidates to trickle to the client, then null when gathering is complete. They come
   * on a later turn of the event loop than answer() resolving, so an answer sent straight after
   * `await answer()` reaches the client first. The answer SDP lists them too (werift gathers
   * before answering), so a client that does not trickle needs none of these.
   */
  onIceCandidate(listener: (candidate: IceCandidateInit | null) => void): () => void {
    this.candidateListeners.add(listener);
    return () => this.candidateListeners.delete(listener);
  }

  onStateChange(listener: StateListener): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /**
   * Answers the client's offer. Rejects with VAPI_ERR_WEBRTC_SDP (bad_input) when the offer is
   * not usable, VAPI_ERR_WEBRTC_STATE when called twice or the peer is closed meanwhile; on
   * rejection the peer is closed. Starts the connect timeout.
   */
  async answer(offerSdp: string): Promise<string> {
    if (this.answerStarted || this.closed) throw stateError(this.closed ? 'answer() on a closed WebRtcPeer' : 'answer() was already called on this WebRtcPeer');
    this.answerStarted = true;
    try {
      const offer = checkOffer(offerSdp);
      this.setState('connecting');
      this.connectTimer = this.clock.setTimeout(() => this.onConnectTimeout(), this.connectTimeoutMs);
      const pc = this.openConnection();
      for (const candidate of this.earlyCandidates.splice(0)) this.applyCandidate(pc, candidate).catch((error) => this.log.debug({ err: error }, 'early ICE candidate rejected'));

      await this.unlessClosed(pc.setRemoteDescription({ type: 'offer', sdp: offer }));
      const transceiver = pc.getTransceivers().find((t) => t.kind === 'audio' && !t.rejected && !t.pendingRejection && opusPayloadType(t) !== undefined);
      if (!transceiver) throw sdpError('no audio section of the offer can carry Opus');
      transceiver.setDirection('sendrecv');
      this.transceiver = transceiver;
      // werift routes the client's RTCP to the receiver (its sender reports) or the sender (its
      // receiver reports); both show the media path is alive, and both carry loss reports.
      transceiver.receiver.onRtcp.subscribe(this.onRtcp);
      transceiver.sender.onRtcp.subscribe(this.onRtcp);

      // werift gathers every candidate before setLocalDescription() returns, so the answer lists them.
      const answerDescription = await this.unlessClosed(pc.createAnswer());
      await this.unlessClosed(pc.setLocalDescription(answerDescription));
      if (this.closed) throw stateError('the WebRtcPeer was closed while answering');
      this.receivePayloadType = opusPayloadType(transceiver);
      this.sendPayloadType = transceiver.sender.codec?.payloadType ?? this.receivePayloadType;
      const answer = pc.localDescription?.sdp;
      if (!answer) throw sdpError('werift produced no answer for the offer');
      this.answered = true;
      this.flushHandle = setImmediate(() => this.flushCandidates());
      this.log.debug({ ssrc: transceiver.sender.ssrc, payloadType: this.receivePayloadType }, 'webrtc answer created');
      return answer;
    } catch (error) {
      const failure = this.closed && !isVapiError(error) ? stateError('the WebRtcPeer was closed while answering') : isVapiError(error) ? error : sdpError(`the offer was rejected: ${(error as Error)?.message ?? error}`, error);
      await this.close();
      throw failure;
    }
  }

  /**
   * A candidate trickled by the client; null or an empty `candidate` ends them. mDNS (`.local`)
   * candidates are skipped (see isMdnsCandidate). Malformed ones reject with
   * VAPI_ERR_WEBRTC_CANDIDATE (bad_input); after close() candidates are ignored.
   */
  async addIceCandidate(candidate: IceCandidateInit | null): Promise<void> {
    if (this.closed) return;
    const checked = candidate === null ? { candidate: '' } : checkCandidate(candidate);
    if (checked.candidate !== '' && isMdnsCandidate(checked.candidate)) {
      this.log.debug('mDNS ICE candidate skipped: the client is learned from its checks instead');
      return;
    }
    if (!this.pc) {
      this.earlyCandidates.push(checked);
      return;
    }
    await this.applyCandidate(this.pc, checked);
  }

  /**
   * Sends one 20 ms PCM16 frame at `outputSampleRate` as an Opus RTP packet; the caller paces frames at real
   * time. Returns false (and drops the frame) until the peer is connected and after it closes.
   * A frame of another rate or length throws a bad_input VapiError.
   */
  sendFrame(frame: AudioFrame): boolean {
    checkBotFrame(frame, this.outputRate, this.frameSize);
    if (this.currentState !== 'connected' || this.closed || !this.transceiver || !this.encoder) return false;
    const payload = this.encoder.encode(frame);
    const position = this.rtpClock.next(frame.timestamp, isDigitalSilence(frame.samples));
    const sender = this.transceiver.sender;
    const header = new RtpHeader({
      payloadType: this.sendPayloadType!,
      sequenceNumber: position.sequence,
      timestamp: position.timestamp,
      marker: position.marker,
      ssrc: sender.ssrc,
    });
    // A copy: the codec may reuse its buffer, and werift encrypts the packet after an await.
    sender.sendRtp(new RtpPacket(header, Buffer.from(payload))).catch((error: unknown) => this.onSendError(error));
    this.packetsSent++;
    return true;
  }

  /**
   * Closes the connection, its UDP sockets and timers, and the codecs; emits `closed` when done.
   * Idempotent: every call returns the same promise.
   */
  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.rejectAnswering(stateError('the WebRtcPeer was closed while answering'));
      this.closing = this.release();
    }
    return this.closing!;
  }

  private async release(): Promise<void> {
    if (this.connectTimer !== undefined) this.clock.clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
    if (this.mediaTimer !== undefined) this.clock.clearTimeout(this.mediaTimer);
    this.mediaTimer = undefined;
    if (this.flushHandle !== undefined) clearImmediate(this.flushHandle);
    this.inbound?.stop();
    const pc = this.pc;
    this.pc = undefined;
    if (pc) {
      try {
        await pc.close();
      } catch (error) {
        this.log.warn({ err: error }, 'closing the werift peer connection failed');
      }
    }
    this.encoder?.close();
    this.decoder?.close();
    if (this.answerStarted) this.log.debug({ stats: this.stats }, 'webrtc peer closed');
    this.setState('closed');
  }

  private openConnection(): RTCPeerConnection {
    const pc = new RTCPeerConnection(weriftConfig(this.options));
    this.pc = pc;
    this.encoder = this.options.opus.create({ sampleRate: this.outputRate });
    this.decoder = this.options.opus.create({ sampleRate: this.inputRate });
    this.inbound = new InboundAudio({
      decoder: this.decoder,
      sampleRate: this.inputRate,
      clock: this.clock,
      onFrame: (frame) => this.emitAudio(frame),
      ...(this.options.jitterBuffers ? { jitterBuffer: this.options.jitterBuffers.create<Uint8Array>(this.options.jitterBuffer) } : {}),
      onBadPacket: (error) => {
        if (this.inbound!.stats.badPackets === 1) this.log.warn({ err: error }, 'undecodable Opus packet concealed (further ones are only counted)');
      },
    });
    pc.onTrack.subscribe((track) => this.receiveTrack(track));
    pc.onIceCandidate.subscribe((candidate) => {
      this.localCandidates.push(candidate ? (candidate.toJSON() as IceCandidateInit) : null);
      if (this.answered && this.flushHandle === undefined) this.flushHandle = setImmediate(() => this.flushCandidates());
    });
    pc.connectionStateChange.subscribe((state) => this.onConnectionState(state));
    return pc;
  }

  private receiveTrack(track: MediaStreamTrack): void {
    if (track.kind !== 'audio') return;
    track.onReceiveRtp.subscribe((packet) => {
      this.noteMedia();
      const { header } = packet;
      // Opus only: anything else negotiated later (comfort noise, DTMF events) is not audio for us.
      if (header.payloadType !== this.receivePayloadType || !this.inbound) return;
      this.inbound.receive(header.ssrc, header.sequenceNumber, header.timestamp, packet.payload);
    });
  }

  private async applyCandidate(pc: RTCPeerConnection, candidate: IceCandidateInit): Promise<void> {
    // werift needs to know the m-line; with BUNDLE every m-line shares the one transport.
    const init = candidate.sdpMid == null && candidate.sdpMLineIndex == null ? { ...candidate, sdpMLineIndex: 0 } : candidate;
    try {
      await pc.addIceCandidate(init.candidate === '' ? null : init);
    } catch (error) {
      if (this.closed) return;
      throw candidateError(`the ICE candidate was rejected: ${(error as Error)?.message ?? error}`, error);
    }
  }

  private flushCandidates(): void {
    this.flushHandle = undefined;
    for (const candidate of this.localCandidates.splice(0)) {
      if (this.closed) return;
      for (const listener of this.candidateListeners) this.callListener(() => listener(candidate));
    }
  }

  private onConnectionState(state: string): void {
    if (this.closed) return;
    this.log.debug({ state }, 'webrtc connection state');
    if (state === 'connected') {
      if (this.connectTimer !== undefined) this.clock.clearTimeout(this.connectTimer);
      this.connectTimer = undefined;
      if (this.mediaTimeoutMs > 0 && this.mediaTimer === undefined) {
        this.noteMedia();
        this.watchMedia(this.mediaTimeoutMs);
      }
      this.setState('connected');
    } else if (state === 'failed') {
      this.fail(
        new VapiError(this.currentState === 'connected' ? 'the WebRTC connection was lost (ICE consent or DTLS failed)' : 'ICE or DTLS failed to connect', {
          code: 'VAPI_ERR_WEBRTC_CONNECTION',
          category: 'connectivity',
          fix: 'check that the client can reach the server over UDP on the announced address and port range (or configure a TURN server)',
        }),
      );
    } else if (state === 'closed') {
      // The client closed its side (DTLS close_notify): the call is over.
      void this.close();
    }
  }

  private onConnectTimeout(): void {
    this.connectTimer = undefined;
    if (this.closed || this.currentState === 'connected') return;
    this.fail(
      new VapiError(`ICE and DTLS did not connect within ${this.connectTimeoutMs} ms`, {
        code: 'VAPI_ERR_WEBRTC_CONNECT_TIMEOUT',
        category: 'timeout',
        details: { connectTimeoutMs: this.connectTimeoutMs, iceState: this.pc?.iceConnectionState },
        fix: 'check that the client received the answer and candidates, and can reach the server over UDP (announcedIp, portRange, firewall), or configure a TURN server',
      }),
    );
  }

  /**
   * The client's RTCP (about one packet a second): its report blocks on our SSRC say what share of
   * our packets it lost, which the encoder sizes its FEC to (Opus: SILK with FEC above 5%). A
   * browser that also sends reports them in its sender reports, a receive-only one in receiver
   * reports.
   */
  private readonly onRtcp = (packet: RtcpPacket): void => {
    this.noteMedia();
    if (!(packet instanceof RtcpSrPacket || packet instanceof RtcpRrPacket)) return;
    const ssrc = this.transceiver?.sender.ssrc;
    for (const report of packet.reports) {
      if (report.ssrc !== ssrc) continue;
      this.reportedLoss = report.fractionLost / 256;
      this.encoder?.reportLoss?.(this.reportedLoss);
    }
  };

  /** Per packet: only a timestamp, so the hot path costs nothing more. */
  private readonly noteMedia = (): void => {
    this.lastMediaAt = this.clock.monotonic();
  };

  /** One timer per period, re-armed for what is left of it, rather than one reset per packet. */
  private watchMedia(delayMs: number): void {
    this.mediaTimer = this.clock.setTimeout(() => {
      this.mediaTimer = undefined;
      if (this.closed) return;
      const idleMs = this.clock.monotonic() - this.lastMediaAt;
      if (idleMs < this.mediaTimeoutMs) return this.watchMedia(this.mediaTimeoutMs - idleMs);
      this.fail(
        new VapiError(`no media (RTP or RTCP) from the client for ${Math.round(idleMs)} ms`, {
          code: 'VAPI_ERR_WEBRTC_MEDIA_TIMEOUT',
          category: 'timeout',
          details: { mediaTimeoutMs: this.mediaTimeoutMs, idleMs: Math.round(idleMs), iceState: this.pc?.iceConnectionState },
          fix: 'the client closed its peer connection or lost its network without ending the call: send stop before closing it; raise mediaTimeoutMs if clients pause their media on purpose',
        }),
      );
    }, delayMs);
  }

  private fail(error: VapiError): void {
    if (this.closed || this.currentState === 'failed') return;
    this.log.warn({ err: error }, 'webrtc peer failed');
    this.setState('failed', error);
    void this.close();
  }

  private setState(state: WebRtcPeerState, error?: VapiError): void {
    if (state === this.currentState) return;
    this.currentState = state;
    for (const listener of this.stateListeners) this.callListener(() => listener(state, error));
  }

  private emitAudio(frame: AudioFrame): void {
    for (const listener of this.audioListeners) this.callListener(() => listener(frame));
  }

  /** A listener that throws must not break the media path (which runs inside werift and timers). */
  private callListener(call: () => void): void {
    try {
      call();
    } catch (error) {
      if (++this.listenerErrors === 1) this.log.error({ err: error }, 'a WebRtcPeer listener threw (further errors are not logged)');
    }
  }

  private onSendError(error: unknown): void {
    if (++this.sendErrors === 1) this.log.warn({ err: error }, 'sending RTP failed (further errors are only counted)');
  }

  /** The promise's result, or a VAPI_ERR_WEBRTC_STATE rejection as soon as the peer is closed. */
  private unlessClosed<T>(promise: Promise<T>): Promise<T> {
    return Promise.race([promise, this.closedWhileAnswering]);
  }
}

function opusPayloadType(transceiver: RTCRtpTransceiver): number | undefined {
  return transceiver.codecs.find((codec) => codec.mimeType.toLowerCase() === 'audio/opus')?.payloadType;
}

