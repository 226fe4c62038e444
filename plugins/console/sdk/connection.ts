/**
 * One connection to the voice WebSocket API: the socket, and the call's media over WebRTC (Opus,
 * signalled on the socket) or over the socket itself (PCM16LE). The client makes a new one per
 * attempt; it reports once the call is connected, then hands over messages until it closes.
 */
import { Meter, PcmCapture, PcmPlayer } from './audio.js';
import { VapiClientError, type VapiErrorEvent } from './errors.js';
import { parseServerMessage, type ServerMessage } from './protocol.js';

export type Transport = 'webrtc' | 'websocket';

/** `new WebSocket(url)`: the browser's, or one with the same API (the `ws` package in Node). */
export type WebSocketConstructor = new (url: string) => WebSocket;

/** PCM rate asked for on the socket: what speech recognisers want. */
export const PCM_RATE = 16000;
/** Bot audio is dropped rather than queued while the socket has this much unsent. */
const MAX_BUFFERED_BYTES = 256 * 1024;
const STOP_WAIT_MS = 1000;

export interface ConnectionEnv {
  url: string;
  WebSocket: WebSocketConstructor;
  mode: Transport;
  assistantId: string;
  variables: Record<string, string>;
  /** Absent without audio (text only). */
  context?: AudioContext;
  mic?: MediaStream;
  micSource?: AudioNode;
  iceServers: RTCIceServer[];
  connectTimeoutMs: number;
  /** The call is connected: called before any message is handed over. */
  onReady(connection: Connection): void;
  /** A message after the call connected (signalling stays inside). */
  onMessage(message: ServerMessage): void;
  /** The socket closed after the call connected; `code` 1006 when the media path failed. */
  onClose(code: number, ended: boolean): void;
}

/** Why a connection never got to a connected call. */
export class ConnectFailure extends Error {
  constructor(
    readonly error: VapiClientError,
    /** A WebRTC problem: the same call may work over the socket. */
    readonly fallback: boolean,
    /** Whether the socket opened (when it did not: a bad key, a wrong URL, the server down). */
    readonly opened: boolean,
  ) {
    super(error.message);
  }
}

export class Connection {
  callId = '';
  /** The server said the call ended. */
  ended = false;
  /** The bot's audio as it reaches the speaker. */
  botMeter: Meter | undefined;
  private socket: WebSocket | undefined;
  private pc: RTCPeerConnection | undefined;
  private player: PcmPlayer | undefined;
  private capture: PcmCapture | undefined;
  private remoteAudio: HTMLAudioElement | undefined;
  private opened = false;
  private serverConnected = false;
  private audioReady = false;
  private ready = false;
  private closed = false;
  private mediaLost = false;
  private settled = false;
  private settle: { resolve(): void; reject(failure: ConnectFailure): void } | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly pending: ServerMessage[] = [];
  private readonly outbox: string[] = [];
  private lastError: VapiErrorEvent | undefined;
  private pcOps: Promise<unknown> = Promise.resolve();
  private closeWaiters: Array<() => void> = [];

  constructor(private readonly env: ConnectionEnv) {}

  get transport(): Transport {
    return this.env.mode;
  }

  /** Resolves once the call is connected (for WebRTC: the peer too); rejects with a ConnectFailure. */
  open(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.settle = { resolve, reject };
      this.timer = setTimeout(() => {
        const webrtc = this.env.mode === 'webrtc' && this.opened;
        this.fail(
          webrtc
            ? new VapiClientError('VAPI_ERR_SDK_WEBRTC', `the WebRTC connection did not connect within ${this.env.connectTimeoutMs} ms`, 'check that UDP can reach the server (firewall, announcedIp, a TURN server), or use transport: "websocket"')
            : new VapiClientError('VAPI_ERR_SDK_CONNECT', `the call did not connect within ${this.env.connectTimeoutMs} ms`, 'check the server is reachable and ready (GET /ready)'),
          webrtc,
        );
      }, this.env.connectTimeoutMs);
      this.begin().catch((error: unknown) =>
        this.fail(
          error instanceof VapiClientError ? error : new VapiClientError('VAPI_ERR_SDK_WEBRTC', `WebRTC could not start: ${describe(error)}`, 'use transport: "websocket"'),
          this.env.mode === 'webrtc',
        ),
      );
    });
  }

  sendJson(message: Record<string, unknown>): void {
    const text = JSON.stringify(message);
    if (this.closed) return;
    if (!this.socket || this.socket.readyState === 0) this.outbox.push(text);
    else if (this.socket.readyState === 1) this.socket.send(text);
  }

  /** Ends the call politely: `stop`, then waits (briefly) for the server to close. */
  async finish(): Promise<void> {
    if (this.closed) return;
    if (this.socket?.readyState === 1) {
      this.socket.send(JSON.stringify({ type: 'stop' }));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, STOP_WAIT_MS);
        this.closeWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    this.close();
  }

  /** Closes everything at once, without reporting a drop. */
  close(): void {
    if (!this.settled) this.fail(new VapiClientError('VAPI_ERR_SDK_STOPPED', 'stop() was called before the call connected'), false);
    this.closed = true;
    this.releaseMedia();
    const socket = this.socket;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onerror = socket.onclose = null;
      if (socket.readyState === 0 || socket.readyState === 1) socket.close(1000);
    }
    for (const waiter of this.closeWaiters.splice(0)) waiter();
  }

  private async begin(): Promise<void> {
    const { env } = this;
    let offer: string | undefined;
    if (env.mode === 'webrtc') {
      if (typeof RTCPeerConnection !== 'function') throw new VapiClientError('VAPI_ERR_SDK_WEBRTC', 'this browser has no WebRTC (RTCPeerConnection)', 'use transport: "websocket"');
      const pc = (this.pc = new RTCPeerConnection({ iceServers: env.iceServers }));
      if (env.mic) for (const track of env.mic.getAudioTracks()) pc.addTrack(track, env.mic);
      else pc.addTransceiver('audio', { direction: 'recvonly' });
      pc.ontrack = (event) => this.onRemoteTrack(event);
      pc.onicecandidate = (event) => this.sendJson({ type: 'ice_candidate', candidate: event.candidate ? event.candidate.toJSON() : null });
      pc.onconnectionstatechange = () => this.onPeerState();
      await pc.setLocalDescription(await pc.createOffer());
      offer = pc.localDescription?.sdp;
      if (this.closed) return;
    }
    const socket = (this.socket = new env.WebSocket(env.url));
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => {
      this.opened = true;
      socket.send(
        JSON.stringify({
          type: 'start',
          assistant_id: env.assistantId,
          variables: env.variables,
          config: { sampleRate: PCM_RATE, encoding: 'pcm' },
          ...(offer ? { sdp_offer: offer } : {}),
        }),
      );
      for (const text of this.outbox.splice(0)) socket.send(text);
    };
    socket.onmessage = (event: MessageEvent) => this.onSocketMessage(event.data);
    socket.onclose = (event: CloseEvent) => this.onSocketClose(event.code);
    socket.onerror = () => {
      // A close event always follows.
    };
  }

  private onSocketMessage(data: unknown): void {
    if (this.closed) return;
    if (typeof data !== 'string') {
      if (this.player && data instanceof ArrayBuffer) this.player.enqueue(data);
      return;
    }
    const message = parseServerMessage(data);
    if (!message) return;
    switch (message.type) {
      case 'sdp_answer':
        return this.peerOp((pc) => pc.setRemoteDescription({ type: 'answer', sdp: message.sdp }), true);
      case 'ice_candidate':
        return this.peerOp((pc) => pc.addIceCandidate(message.candidate ?? undefined), false);
      case 'status':
        if (message.status === 'connected') {
          this.callId = message.call_id ?? '';
          this.serverConnected = true;
          void this.startSocketAudio(message.sample_rate ?? PCM_RATE);
          return;
        }
        if (message.status === 'ended') this.ended = true;
        break;
      case 'clear':
        this.player?.clear();
        break;
      case 'error':
        this.lastError = { code: message.code, message: message.message, ...(message.fix ? { fix: message.fix } : {}) };
        break;
    }
    if (this.ready) this.env.onMessage(message);
    else this.pending.push(message);
  }

  private peerOp(op: (pc: RTCPeerConnection) => Promise<unknown>, essential: boolean): void {
    const pc = this.pc;
    if (!pc) return;
    this.pcOps = this.pcOps
      .then(() => (this.closed ? undefined : op(pc)))
      .catch((error: unknown) => {
        // A candidate the browser cannot use is not fatal; a rejected answer is.
        if (essential) this.fail(new VapiClientError('VAPI_ERR_SDK_WEBRTC', `the server's WebRTC answer was not accepted: ${describe(error)}`, 'use transport: "websocket"'), true);
      });
  }

  /** Socket (PCM) calls: the bot's audio is played and the microphone sent once the call exists. */
  private async startSocketAudio(rate: number): Promise<void> {
    const { context, micSource } = this.env;
    if (this.env.mode === 'websocket' && context && micSource) {
      this.player = new PcmPlayer(context, rate);
      this.botMeter = new Meter(context, this.player.output);
      try {
        const capture = await PcmCapture.start(context, micSource, rate, (frame) => {
          const socket = this.socket;
          if (socket?.readyState === 1 && socket.bufferedAmount < MAX_BUFFERED_BYTES) socket.send(frame.buffer);
        });
        if (this.closed) return capture.stop();
        this.capture = capture;
      } catch (error) {
        return this.fail(new VapiClientError('VAPI_ERR_SDK_AUDIO', `the microphone could not be captured: ${describe(error)}`, 'use a browser with Web Audio (AudioWorklet or ScriptProcessor)'), false);
      }
    }
    this.audioReady = true;
    this.maybeReady();
  }

  private onRemoteTrack(event: RTCTrackEvent): void {
    const stream = event.streams[0] ?? new MediaStream([event.track]);
    // Chromium feeds a remote track to Web Audio only while a media element plays it: the element
    // is the speaker, and the meter taps the same stream.
    const audio = (this.remoteAudio = new Audio());
    audio.autoplay = true;
    audio.srcObject = stream;
    void audio.play().catch(() => undefined);
    const { context } = this.env;
    if (context) {
      this.botMeter?.close();
      this.botMeter = new Meter(context, context.createMediaStreamSource(stream));
    }
  }

  private onPeerState(): void {
    const state = this.pc?.connectionState;
    if (state === 'connected') return this.maybeReady();
    if (state !== 'failed') return;
    if (!this.ready) {
      this.fail(new VapiClientError('VAPI_ERR_SDK_WEBRTC', 'the WebRTC connection failed', 'check that UDP can reach the server (firewall, announcedIp, a TURN server), or use transport: "websocket"'), true);
      return;
    }
    // A connected call lost its media path: close the socket (the server ends that call) and report a drop.
    this.mediaLost = true;
    this.socket?.close(1000);
  }

  private maybeReady(): void {
    if (this.ready || this.closed || !this.serverConnected || !this.audioReady) return;
    if (this.env.mode === 'webrtc' && this.pc?.connectionState !== 'connected') return;
    this.ready = true;
    this.settled = true;
    clearTimeout(this.timer);
    this.env.onReady(this);
    for (const message of this.pending.splice(0)) {
      if (this.closed) break;
      this.env.onMessage(message);
    }
    this.settle?.resolve();
  }

  private onSocketClose(code: number): void {
    const wasClosed = this.closed;
    this.closed = true;
    this.releaseMedia();
    for (const waiter of this.closeWaiters.splice(0)) waiter();
    if (wasClosed) return;
    if (!this.ready) {
      const error = this.lastError
        ? new VapiClientError(this.lastError.code, this.lastError.message, this.lastError.fix)
        : new VapiClientError('VAPI_ERR_SDK_CONNECT', this.opened ? `the server closed the connection before the call connected (code ${code})` : 'could not open the voice WebSocket', 'check the API key, the assistant id and that the server runs transport-websocket');
      const webrtcProblem = !this.lastError || /^VAPI_ERR_(WEBRTC|WS_PROTOCOL)/.test(this.lastError.code);
      this.fail(error, this.env.mode === 'webrtc' && this.opened && webrtcProblem);
      return;
    }
    this.env.onClose(this.mediaLost ? 1006 : code, this.ended);
  }

  private fail(error: VapiClientError, fallback: boolean): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    const failure = new ConnectFailure(error, fallback, this.opened);
    if (!this.closed) this.close();
    this.settle?.reject(failure);
  }

  private releaseMedia(): void {
    this.capture?.stop();
    this.capture = undefined;
    this.player?.close();
    this.player = undefined;
    this.botMeter?.close();
    this.botMeter = undefined;
    if (this.remoteAudio) {
      this.remoteAudio.pause();
      this.remoteAudio.srcObject = null;
      this.remoteAudio = undefined;
    }
    if (this.pc) {
      this.pc.ontrack = this.pc.onicecandidate = this.pc.onconnectionstatechange = null;
      this.pc.close();
      this.pc = undefined;
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
