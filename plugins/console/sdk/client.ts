/**
 * VapiClient: talk to a VAPI-CN assistant from a web page.
 *
 *   const client = new VapiClient({ apiKey });
 *   client.on('transcript', (t) => console.log(t.role, t.text, t.isFinal));
 *   await client.start('demo');          // WebRTC, or the WebSocket when WebRTC cannot connect
 *   client.stop();
 *
 * Media goes over WebRTC (Opus, echo cancellation on by default) when the browser and server can,
 * otherwise over the voice WebSocket as 16 kHz PCM. A connection that drops unexpectedly is
 * reopened with exponential backoff (a new call on the same assistant).
 */
import { Meter } from './audio.js';
import { backoffDelay, isUnexpectedClose, RECONNECT_DEFAULTS, type ReconnectOptions } from './backoff.js';
import { ConnectFailure, Connection, type Transport, type WebSocketConstructor } from './connection.js';
import { Emitter } from './emitter.js';
import { toErrorEvent, VapiClientError, type VapiErrorEvent } from './errors.js';
import { voiceSocketUrl, type ServerMessage, type ServerStatus, type TurnLatency } from './protocol.js';

export interface VapiClientOptions {
  /** An API key of the server (`npx vapi-cn api-keys create --name web`). */
  apiKey: string;
  /** The server, e.g. `https://voice.example.com`; default: the page's origin. */
  baseUrl?: string;
  /** Path of the voice WebSocket API; default `/v1/voice/ws`. */
  path?: string;
  /** Reopen a connection that dropped unexpectedly (default on: 0.5 s doubling to 8 s, 5 attempts); `false` to never. */
  reconnect?: ReconnectOptions | false;
  /** STUN/TURN servers for WebRTC; default none (the server's address is in its answer). */
  iceServers?: RTCIceServer[];
  /** A call whose connection (and WebRTC peer) is not up within this fails or falls back; default 10000 ms. */
  connectTimeoutMs?: number;
  /** How often `audioLevel` fires; default 100 ms. */
  levelIntervalMs?: number;
  /** The WebSocket class to use; default the browser's (in Node, pass the `ws` package's). */
  WebSocket?: WebSocketConstructor;
}

export interface AudioOptions {
  /** Default true: the bot's voice is removed from the microphone (speakers, not headphones). */
  echoCancellation?: boolean;
  /** Default true. */
  noiseSuppression?: boolean;
  /** Default true. */
  autoGainControl?: boolean;
  /** A microphone from `navigator.mediaDevices.enumerateDevices()`. */
  deviceId?: string;
}

export interface StartOptions {
  /** Default: WebRTC, falling back to the WebSocket when WebRTC is missing or does not connect. Naming one uses only that one. */
  transport?: Transport;
  /** Values for the assistant's `{{name}}` placeholders. */
  variables?: Record<string, string>;
  /** Microphone settings, or `false` for a text-only call over the WebSocket (no microphone, no sound; `sendMessage` to talk). */
  audio?: AudioOptions | false;
}

export type ClientStatus = 'idle' | 'connecting' | 'connected' | 'reconnecting' | Exclude<ServerStatus, 'connected'> | 'disconnected';

export interface StatusEvent {
  status: ClientStatus;
  /** Why the call ended (`ended`), or the disconnect reason. */
  reason?: string;
  /** Reconnect attempt (1-based) with `reconnecting`. */
  attempt?: number;
  /** Wait before that attempt. */
  delayMs?: number;
}

export interface VapiEvents {
  /** The client's state, and the call's as the server reports it (listening, speaking...). */
  status: StatusEvent;
  /** A call is connected (again, after a reconnect: with a new call id). */
  connected: { callId: string; transport: Transport };
  /** The session is over: stopped, ended by the server, or lost for good. */
  disconnected: { reason: string };
  /** The caller's words: interim hypotheses, then the final of each utterance. */
  transcript: { role: 'user' | 'assistant'; text: string; isFinal: boolean };
  /** The bot's words: each sentence as it starts to be spoken, then `isFinal` with the turn as heard. */
  response: { text: string; isFinal: boolean };
  /**
   * A tool the model called. With `awaitsResult` it is a client tool: run it and answer with
   * `sendFunctionResult(callId, result)` within `timeoutMs`; otherwise the server ran it and this
   * only informs.
   */
  functionCall: { name: string; arguments: unknown; callId: string; awaitsResult: boolean; timeoutMs?: number };
  /** RMS levels (0..1) of the bot's voice and the microphone, every `levelIntervalMs`. */
  audioLevel: { bot: number; mic: number };
  /** Latencies of a bot turn, in ms, after the turn. */
  latency: TurnLatency;
  /** Barge-in: the bot's unplayed audio was dropped. */
  clear: { callId: string };
  error: VapiErrorEvent;
}

interface Run {
  assistantId: string;
  options: StartOptions;
  mode: Transport;
  stopping: boolean;
  finished: boolean;
  context?: AudioContext;
  mic?: MediaStream;
  micSource?: MediaStreamAudioSourceNode;
  micMeter?: Meter;
  levelTimer?: ReturnType<typeof setInterval>;
  /** The connected connection. */
  connection?: Connection;
  /** The one being opened. */
  opening?: Connection;
  endReason?: string;
  wake?: () => void;
}

type AudioContextClass = typeof AudioContext;

export class VapiClient extends Emitter<VapiEvents> {
  private readonly apiKey: string;
  private readonly baseUrl: string;
  private readonly path: string;
  private readonly reconnectOptions: Required<ReconnectOptions> | false;
  private readonly iceServers: RTCIceServer[];
  private readonly connectTimeoutMs: number;
  private readonly levelIntervalMs: number;
  private readonly WebSocketClass: WebSocketConstructor | undefined;
  private run: Run | undefined;
  private currentStatus: ClientStatus = 'idle';
  private currentCallId: string | undefined;
  private currentTransport: Transport | undefined;

  constructor(options: VapiClientOptions) {
    super();
    if (!options || typeof options.apiKey !== 'string' || !options.apiKey.trim()) {
      throw new VapiClientError('VAPI_ERR_SDK_OPTIONS', 'VapiClient needs an apiKey', 'create one on the server: npx vapi-cn api-keys create --name web');
    }
    const origin = typeof location !== 'undefined' ? location.origin : undefined;
    const baseUrl = options.baseUrl ?? origin;
    if (!baseUrl || baseUrl === 'null') throw new VapiClientError('VAPI_ERR_SDK_OPTIONS', 'VapiClient needs a baseUrl outside a web page', 'pass baseUrl: "https://your-server"');
    this.apiKey = options.apiKey.trim();
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.path = options.path ?? '/v1/voice/ws';
    this.reconnectOptions = options.reconnect === false ? false : { ...RECONNECT_DEFAULTS, ...(options.reconnect ?? {}) };
    this.iceServers = options.iceServers ?? [];
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.levelIntervalMs = options.levelIntervalMs ?? 100;
    this.WebSocketClass = options.WebSocket ?? (typeof WebSocket === 'function' ? WebSocket : undefined);
  }

  get status(): ClientStatus {
    return this.currentStatus;
  }

  /** The call in progress (it changes after a reconnect). */
  get callId(): string | undefined {
    return this.currentCallId;
  }

  /** How the call's audio travels. */
  get transport(): Transport | undefined {
    return this.currentTransport;
  }

  /** Whether a call is starting, connected or reconnecting. */
  get active(): boolean {
    return this.run !== undefined;
  }

  /**
   * Starts a call with an assistant: asks for the microphone, connects, and resolves once the call
   * is connected. Rejects (and emits `error`) when it cannot; call it from a click so the page may
   * play sound.
   */
  async start(assistantId: string, options: StartOptions = {}): Promise<void> {
    if (this.run) throw new VapiClientError('VAPI_ERR_SDK_STATE', 'a call is already active', 'call stop() before starting another');
    if (typeof assistantId !== 'string' || !assistantId) throw new VapiClientError('VAPI_ERR_SDK_OPTIONS', 'start() needs an assistant id', 'pass the id of an assistant (GET /v1/assistants lists them)');
    const audio = options.audio ?? {};
    if (audio === false && options.transport === 'webrtc') {
      throw new VapiClientError('VAPI_ERR_SDK_OPTIONS', 'a text-only call (audio: false) goes over the WebSocket', 'leave out transport, or pass audio options');
    }
    const canWebRtc = typeof RTCPeerConnection === 'function';
    const run: Run = {
      assistantId,
      options,
      mode: options.transport ?? (audio !== false && canWebRtc ? 'webrtc' : 'websocket'),
      stopping: false,
      finished: false,
    };
    this.run = run;
    this.currentCallId = undefined;
    this.currentTransport = undefined;
    this.setStatus({ status: 'connecting' });
    try {
      if (!this.WebSocketClass) throw new VapiClientError('VAPI_ERR_SDK_OPTIONS', 'there is no WebSocket class here', 'pass options.WebSocket (in Node: the ws package)');
      if (audio !== false) await this.openAudio(run, audio);
      try {
        await this.connect(run, run.mode);
      } catch (failure) {
        const fallback = failure instanceof ConnectFailure && failure.fallback && options.transport === undefined && run.mode === 'webrtc' && !run.stopping;
        if (!fallback) throw failure;
        run.mode = 'websocket';
        await this.connect(run, run.mode);
      }
    } catch (failure) {
      const error = failure instanceof ConnectFailure ? failure.error : failure;
      if (run.stopping) throw new VapiClientError('VAPI_ERR_SDK_STOPPED', 'stop() was called before the call connected');
      this.emit('error', toErrorEvent(error));
      this.finish(run, 'failed');
      throw error;
    }
  }

  /** Ends the call (the server records it as ended by the caller) and releases the microphone. */
  async stop(): Promise<void> {
    const run = this.run;
    if (!run) return;
    run.stopping = true;
    run.wake?.();
    run.opening?.close();
    await run.connection?.finish();
    this.finish(run, 'stopped');
  }

  /** A typed caller turn, as if spoken. */
  sendMessage(text: string): void {
    this.connected().sendJson({ type: 'text', text });
  }

  /** Answers a client tool (a `functionCall` with `awaitsResult`): `result` is any JSON value; text reaches the model as it is. */
  sendFunctionResult(callId: string, result: unknown): void {
    this.connected().sendJson({ type: 'function_result', call_id: callId, result });
  }

  private connected(): Connection {
    const connection = this.run?.connection;
    if (!connection) throw new VapiClientError('VAPI_ERR_SDK_STATE', 'no call is connected', 'call start() and wait for it (or for the connected event)');
    return connection;
  }

  private async openAudio(run: Run, audio: AudioOptions): Promise<void> {
    const Context: AudioContextClass | undefined =
      typeof AudioContext === 'function' ? AudioContext : (globalThis as unknown as { webkitAudioContext?: AudioContextClass }).webkitAudioContext;
    if (!Context || typeof navigator === 'undefined' || !navigator.mediaDevices?.getUserMedia) {
      throw new VapiClientError('VAPI_ERR_SDK_MIC', 'this page cannot use a microphone', 'open the page over https (or from localhost) in a browser with getUserMedia, or start with audio: false');
    }
    // Created before the first await, inside the click that started the call, so it may play.
    const context = (run.context = new Context());
    void context.resume().catch(() => undefined);
    let mic: MediaStream;
    try {
      mic = await navigator.mediaDevices.getUserMedia({
        audio: {
          echoCancellation: audio.echoCancellation ?? true,
          noiseSuppression: audio.noiseSuppression ?? true,
          autoGainControl: audio.autoGainControl ?? true,
          channelCount: 1,
          ...(audio.deviceId ? { deviceId: { exact: audio.deviceId } } : {}),
        },
      });
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      throw new VapiClientError(
        'VAPI_ERR_SDK_MIC',
        `the microphone is not available (${name || String(error)})`,
        name === 'NotAllowedError' ? 'allow this page to use the microphone (the icon in the address bar)' : 'check that a microphone is connected and not used by another application',
      );
    }
    if (run.stopping || run.finished) {
      // stop() came while the browser was asking: release the microphone it just gave.
      for (const track of mic.getTracks()) track.stop();
      return;
    }
    run.mic = mic;
    run.micSource = context.createMediaStreamSource(mic);
    run.micMeter = new Meter(context, run.micSource);
    run.levelTimer = setInterval(() => {
      this.emit('audioLevel', { bot: run.connection?.botMeter?.level() ?? 0, mic: run.micMeter?.level() ?? 0 });
    }, this.levelIntervalMs);
  }

  private async connect(run: Run, mode: Transport): Promise<void> {
    if (run.stopping) throw new ConnectFailure(new VapiClientError('VAPI_ERR_SDK_STOPPED', 'stop() was called before the call connected'), false, false);
    const connection = new Connection({
      url: voiceSocketUrl(this.baseUrl, this.path, this.apiKey),
      WebSocket: this.WebSocketClass!,
      mode,
      assistantId: run.assistantId,
      variables: run.options.variables ?? {},
      ...(run.context ? { context: run.context } : {}),
      ...(run.mic ? { mic: run.mic } : {}),
      ...(run.micSource ? { micSource: run.micSource } : {}),
      iceServers: this.iceServers,
      connectTimeoutMs: this.connectTimeoutMs,
      onReady: (ready) => {
        run.opening = undefined;
        run.connection = ready;
        run.endReason = undefined;
        this.currentCallId = ready.callId;
        this.currentTransport = mode;
        this.setStatus({ status: 'connected' });
        this.emit('connected', { callId: ready.callId, transport: mode });
      },
      onMessage: (message) => this.onMessage(run, connection, message),
      onClose: (code, ended) => this.onClose(run, connection, code, ended),
    });
    run.opening = connection;
    try {
      await connection.open();
    } catch (failure) {
      if (run.opening === connection) run.opening = undefined;
      if (failure instanceof ConnectFailure && !failure.opened && !run.stopping && failure.error.code === 'VAPI_ERR_SDK_CONNECT') {
        throw new ConnectFailure(await this.diagnose(run.assistantId, failure.error), false, false);
      }
      throw failure;
    }
  }

  /** Why the socket would not open: asks the REST API with the same key and assistant. */
  private async diagnose(assistantId: string, fallback: VapiClientError): Promise<VapiClientError> {
    if (typeof fetch !== 'function') return fallback;
    try {
      const response = await fetch(`${this.baseUrl}/v1/assistants/${encodeURIComponent(assistantId)}`, { headers: { authorization: `Bearer ${this.apiKey}` } });
      if (response.ok) return fallback;
      const body = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string; fix?: string } };
      if (body.error?.code) return new VapiClientError(body.error.code, body.error.message ?? `HTTP ${response.status}`, body.error.fix);
      return new VapiClientError('VAPI_ERR_SDK_CONNECT', `the server answered HTTP ${response.status}`, 'check baseUrl');
    } catch {
      return new VapiClientError('VAPI_ERR_SDK_CONNECT', `the server at ${this.baseUrl} is not reachable`, 'check baseUrl and that the server is running');
    }
  }

  private onMessage(run: Run, connection: Connection, message: ServerMessage): void {
    if (run.connection !== connection) return;
    switch (message.type) {
      case 'status':
        if (message.status === 'connected') return;
        if (message.status === 'ended') run.endReason = message.reason;
        return this.setStatus({ status: message.status, ...(message.reason ? { reason: message.reason } : {}) });
      case 'transcript':
        return this.emit('transcript', { role: message.role === 'assistant' ? 'assistant' : 'user', text: message.text, isFinal: message.is_final });
      case 'response':
        return this.emit('response', { text: message.text, isFinal: message.is_final });
      case 'function_call':
        return this.emit('functionCall', {
          name: message.function_name,
          arguments: message.arguments,
          callId: message.call_id,
          awaitsResult: message.awaits_result === true,
          ...(typeof message.timeout_ms === 'number' ? { timeoutMs: message.timeout_ms } : {}),
        });
      case 'latency':
        return this.emit('latency', message.turn);
      case 'clear':
        return this.emit('clear', { callId: connection.callId });
      case 'error':
        return this.emit('error', { code: message.code, message: message.message, ...(message.fix ? { fix: message.fix } : {}) });
    }
  }

  private onClose(run: Run, connection: Connection, code: number, ended: boolean): void {
    if (run.connection !== connection) return;
    run.connection = undefined;
    if (run.stopping || run.finished) return;
    if (this.reconnectOptions && isUnexpectedClose(code, { stopped: false, ended })) {
      void this.reconnect(run, this.reconnectOptions);
      return;
    }
    this.finish(run, run.endReason ?? (ended ? 'ended' : `closed (${code})`));
  }

  private async reconnect(run: Run, options: Required<ReconnectOptions>): Promise<void> {
    let last: VapiClientError | undefined;
    for (let attempt = 1; attempt <= options.maxAttempts; attempt++) {
      const delayMs = backoffDelay(attempt, options);
      this.setStatus({ status: 'reconnecting', attempt, delayMs });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delayMs);
        run.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      run.wake = undefined;
      if (run.stopping || run.finished) return;
      try {
        await this.connect(run, run.mode);
        return;
      } catch (failure) {
        if (run.stopping || run.finished) return;
        last = failure instanceof ConnectFailure ? failure.error : toClientError(failure);
        // A refused key or a deleted assistant will not get better by waiting.
        if (/^VAPI_ERR_(AUTH|HTTP_NOT_FOUND|ASSISTANT)/.test(last.code)) break;
      }
    }
    this.emit('error', {
      code: 'VAPI_ERR_SDK_RECONNECT',
      message: `the connection dropped and could not be reopened${last ? `: ${last.message}` : ''}`,
      fix: 'check the network and the server, then start again',
    });
    this.finish(run, 'connection-lost');
  }

  private finish(run: Run, reason: string): void {
    if (run.finished) return;
    run.finished = true;
    run.wake?.();
    if (run.levelTimer) clearInterval(run.levelTimer);
    run.opening?.close();
    run.connection?.close();
    run.connection = undefined;
    run.micMeter?.close();
    run.micSource?.disconnect();
    for (const track of run.mic?.getTracks() ?? []) track.stop();
    void run.context?.close().catch(() => undefined);
    if (this.run !== run) return;
    this.run = undefined;
    this.setStatus({ status: 'disconnected', reason });
    this.emit('disconnected', { reason });
  }

  private setStatus(event: StatusEvent): void {
    this.currentStatus = event.status;
    this.emit('status', event);
  }
}

function toClientError(error: unknown): VapiClientError {
  if (error instanceof VapiClientError) return error;
  const event = toErrorEvent(error);
  return new VapiClientError(event.code, event.message, event.fix);
}
