/**
 * Phone calls through FreeSWITCH. A call reaches us either parked by the dialplan (we see its
 * CHANNEL_PARK on the node's inbound Event Socket) or by the dialplan's `socket … async full`
 * (FreeSWITCH connects to our outbound listener). Either way we route the called number to an
 * assistant, answer, start mod_audio_stream towards our WebSocket, and hand the leg to the
 * engine. Outbound calls are `originate`d through a carrier gateway. After an Event Socket
 * reconnect, calls still up are re-attached (`show channels as json`), so a blip of the control
 * connection does not drop them: their audio flows on its own socket meanwhile.
 */
import { randomBytes } from 'node:crypto';
import {
  isDtmfDigit,
  VapiError,
  type CallLeg,
  type CallManager,
  type Carrier,
  type Clock,
  type DialRequest,
  type IncomingCall,
  type Logger,
  type NumberRouter,
  type Transport,
  type WebSocketConnection,
} from '@vapi-cn/sdk-plugin-api';
import { acceptAudioStream, type ExpectedStream } from './audio-stream-socket.js';
import { FreeswitchLeg, type ChannelControl } from './freeswitch-leg.js';
import { FreeswitchNode, type NodeSettings } from './freeswitch-node.js';
import { dialOutcomeOf } from './hangup-causes.js';
import { listenOutbound } from './esl/index.js';
import { parseJsonEvent } from './esl/esl-event-parse.js';
import type { EslConnection, EslEvent } from './esl/types.js';

export interface FreeswitchTransportSettings {
  nodes: NodeSettings[];
  mode: 'inbound' | 'outbound';
  outboundListen: { host: string; port: number };
  /** Base URL FreeSWITCH reaches our audio WebSocket at, e.g. ws://10.0.0.5:3000. */
  audioUrl: () => string;
  audioPath: string;
  streamSampleRate: 8000 | 16000;
  audioConnectTimeoutMs: number;
  playback: { dir: string; sampleRate: 8000 | 16000; leadMs: number; maxChunkMs: number; lowWaterMs: number };
  answer: boolean;
  transferContext: string;
  defaultCarrier?: string;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  reconnect: { initialDelayMs: number; maxDelayMs: number };
}

export interface FreeswitchTransportDeps {
  clock: Clock;
  log: Logger;
  calls: CallManager;
  numbers: NumberRouter | undefined;
  carriers: ReadonlyMap<string, Carrier>;
}

/** Events every node connection subscribes to. */
export const SUBSCRIBED_EVENTS = [
  'CHANNEL_PARK',
  'CHANNEL_ANSWER',
  'CHANNEL_HANGUP',
  'CHANNEL_PROGRESS',
  'CHANNEL_PROGRESS_MEDIA',
  'DTMF',
  'BACKGROUND_JOB',
  'CUSTOM',
  'mod_audio_stream::error',
] as const;

interface PendingDial {
  request: DialRequest;
  cause?: string;
}

interface Attached extends ExpectedStream {
  node: FreeswitchNode | undefined;
  mediaTimer: ReturnType<Clock['setTimeout']> | undefined;
}

export class FreeswitchTransport implements Transport {
  readonly name = 'freeswitch';
  private handler: ((leg: CallLeg, call: IncomingCall) => Promise<void>) | undefined;
  readonly nodes: FreeswitchNode[];
  private readonly calls = new Map<string, Attached>();
  private readonly dialling = new Map<string, PendingDial>();
  /** Calls being routed (a lookup is in flight): a repeated CHANNEL_PARK must not take them twice. */
  private readonly taking = new Set<string>();
  private listener: { port: number; close(): Promise<void> } | undefined;
  /** Measurement hook (benchmarks): every bot audio chunk as it goes to FreeSWITCH (see PlaybackWriterOptions.onBroadcast). */
  onBroadcast: ((callId: string, chunkMs: number, firstAudio: boolean, sinceAudioMs: number) => void) | undefined;

  constructor(
    private readonly settings: FreeswitchTransportSettings,
    private readonly deps: FreeswitchTransportDeps,
  ) {
    this.nodes = settings.nodes.map(
      (node) =>
        new FreeswitchNode(node, {
          connectTimeoutMs: settings.connectTimeoutMs,
          commandTimeoutMs: settings.commandTimeoutMs,
          reconnect: settings.reconnect,
          events: SUBSCRIBED_EVENTS,
          clock: deps.clock,
          log: deps.log,
          onEvent: (from, event) => this.onEvent(from, event),
          onConnected: (from, reconnected) => void (reconnected && this.reattach(from)),
        }),
    );
  }

  onCall(handler: (leg: CallLeg, call: IncomingCall) => Promise<void>): void {
    this.handler = handler;
  }

  /** Port of the outbound-mode listener (FreeSWITCH's `socket` app dials it). */
  get outboundPort(): number | undefined {
    return this.listener?.port;
  }

  get activeLegs(): number {
    return this.calls.size;
  }

  leg(uuid: string): FreeswitchLeg | undefined {
    return this.calls.get(uuid)?.leg;
  }

  async start(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.start()));
    if (this.settings.mode === 'outbound') {
      this.listener = await listenOutbound(
        { host: this.settings.outboundListen.host, port: this.settings.outboundListen.port, commandTimeoutMs: this.settings.commandTimeoutMs },
        (connection) => void this.onOutboundSocket(connection),
        this.deps.log,
      );
      this.deps.log.info({ port: this.listener!.port }, 'listening for FreeSWITCH outbound sockets');
    }
  }

  async stop(): Promise<void> {
    await this.listener?.close();
    for (const attached of [...this.calls.values()]) await attached.leg.hangup('SYSTEM_SHUTDOWN');
    await Promise.all(this.nodes.map((node) => node.stop()));
  }

  /** mod_audio_stream's WebSocket for call `uuid`. */
  acceptAudio(socket: WebSocketConnection, uuid: string): void {
    acceptAudioStream(socket, uuid, this.calls.get(uuid), this.deps.log);
  }

  // ---- inbound calls ----

  private onEvent(node: FreeswitchNode | undefined, event: EslEvent): void {
    const uuid = event.uuid;
    if (!uuid) return;
    const found = this.calls.get(uuid);
    // A call taken over an outbound socket hears its events there (myevents); the node's inbound
    // connection, subscribed to every channel, sees them too: each event counts once.
    const attached = found && found.node === node ? found : undefined;
    switch (event.name) {
      case 'CHANNEL_PARK':
        // In outbound mode `socket … async` parks the channel as well: that call is the socket's.
        if (this.settings.mode === 'inbound' && !found && node && event.headers['Call-Direction'] === 'inbound' && !this.dialling.has(uuid) && !this.taking.has(uuid)) void this.takeInbound(event, node, node);
        return;
      case 'DTMF': {
        const digit = event.headers['DTMF-Digit'] ?? '';
        if (attached && isDtmfDigit(digit)) attached.leg.callerDtmf(digit);
        return;
      }
      case 'CHANNEL_HANGUP': {
        const cause = event.headers['Hangup-Cause'] ?? 'NORMAL_CLEARING';
        const dial = this.dialling.get(uuid);
        if (dial) dial.cause = cause;
        attached?.leg.farEndGone(cause);
        return;
      }
      case 'CHANNEL_PROGRESS':
        this.dialling.get(uuid)?.request.onProgress?.('ringing');
        return;
      case 'CHANNEL_PROGRESS_MEDIA':
        this.dialling.get(uuid)?.request.onProgress?.('early-media');
        return;
      case 'CUSTOM':
        if (attached && event.subclass === 'mod_audio_stream::error') {
          this.deps.log.error({ callId: uuid, body: event.body }, 'mod_audio_stream failed for the call');
          void this.abort(attached, 'media-timeout');
        }
        return;
    }
  }

  /**
   * A call for an assistant: routed, answered, its audio stream started, handed to the engine.
   * `control` runs its commands (the node, or the call's own outbound socket).
   */
  private async takeInbound(event: EslEvent, control: ChannelControl, node: FreeswitchNode | undefined): Promise<void> {
    const uuid = event.uuid!;
    this.taking.add(uuid);
    try {
      await this.routeAndAttach(event, control, node);
    } finally {
      this.taking.delete(uuid);
    }
  }

  private async routeAndAttach(event: EslEvent, control: ChannelControl, node: FreeswitchNode | undefined): Promise<void> {
    const uuid = event.uuid!;
    const headers = event.headers;
    const log = this.deps.log.child({ callId: uuid });
    const called = headers['Caller-Destination-Number'] ?? '';
    const caller = headers['Caller-Caller-ID-Number'];
    const carrierId = headers['variable_vapi_carrier'];
    const carrier = carrierId ? this.deps.carriers.get(carrierId) : undefined;
    if (carrierId && !carrier) log.warn({ carrier: carrierId }, 'the dialplan tagged the call with a carrier that is not enabled');

    if (carrier?.maxConcurrentCalls !== undefined && this.callsOn(carrier.id) >= carrier.maxConcurrentCalls) {
      log.warn({ carrier: carrier.id, limit: carrier.maxConcurrentCalls }, 'carrier concurrent-call limit reached: call refused');
      await this.refuse(uuid, control, 'carrier-limit', { carrier: carrier.id, fromNumber: caller, toNumber: called });
      return;
    }
    const assistantId = headers['variable_vapi_assistant_id'] || (await this.route(called, log));
    const leg = this.attach(uuid, 'inbound', control, node, carrier?.id, log);
    if (assistantId) {
      // Answer and start listening before the engine speaks; commands run in order on the socket.
      if (this.settings.answer && headers['Answer-State'] !== 'answered') {
        await control.api('uuid_answer', uuid).catch((error: Error) => log.warn({ err: error }, 'uuid_answer failed'));
      }
      this.startAudioStream(uuid, control, log);
    }
    await this.handOver(leg, {
      ...(assistantId ? { assistantId } : {}),
      ...(caller ? { fromNumber: caller } : {}),
      ...(called ? { toNumber: called } : {}),
      variables: channelVariables(headers),
      metadata: { freeswitchNode: node?.name ?? 'outbound-socket', ...(carrier ? { carrier: carrier.id } : {}) },
    }, log);
  }

  private async route(called: string, log: Logger): Promise<string | undefined> {
    if (!this.deps.numbers || !called) return undefined;
    try {
      return (await this.deps.numbers.route(called))?.assistantId;
    } catch (error) {
      log.error({ err: error }, 'number routing failed');
      return undefined;
    }
  }

  private async handOver(leg: FreeswitchLeg, call: IncomingCall, log: Logger): Promise<void> {
    if (!this.handler) {
      log.error('a call arrived before the engine was ready: hung up');
      await leg.hangup('NORMAL_TEMPORARY_FAILURE');
      return;
    }
    try {
      await this.handler(leg, call);
    } catch (error) {
      log.error({ err: error }, 'the engine did not take the call');
      await leg.hangup('NORMAL_TEMPORARY_FAILURE');
    }
  }

  /** A call we will not take: its record says why, and FreeSWITCH hangs it up with the cause. */
  private async refuse(uuid: string, control: ChannelControl, reason: string, details: { carrier: string; fromNumber?: string | undefined; toNumber?: string }): Promise<void> {
    await control.api('uuid_kill', `${uuid} USER_BUSY`).catch(() => {});
    try {
      const call = await this.deps.calls.open({
        id: uuid,
        transport: this.name,
        direction: 'inbound',
        fromNumber: details.fromNumber ?? null,
        toNumber: details.toNumber ?? null,
        metadata: { carrier: details.carrier },
      });
      await call.end(reason);
    } catch (error) {
      this.deps.log.warn({ err: error, callId: uuid }, 'could not record the refused call');
    }
  }

  private attach(uuid: string, direction: 'inbound' | 'outbound', control: ChannelControl, node: FreeswitchNode | undefined, carrier: string | undefined, log: Logger): FreeswitchLeg {
    const { settings, deps } = this;
    const leg = new FreeswitchLeg({
      uuid,
      direction,
      inputSampleRate: settings.streamSampleRate,
      playback: {
        dir: settings.playback.dir,
        sampleRate: settings.playback.sampleRate,
        maxChunkMs: settings.playback.maxChunkMs,
        lowWaterMs: settings.playback.lowWaterMs,
        clock: deps.clock,
        onBroadcast: (chunkMs, firstAudio, sinceAudioMs) => this.onBroadcast?.(uuid, chunkMs, firstAudio, sinceAudioMs),
      },
      playoutBufferMs: settings.playback.leadMs,
      control,
      log,
      transferContext: settings.transferContext,
      ...(carrier ? { carrier } : {}),
      onEnd: (ended) => this.detach(ended),
    });
    const attached: Attached = {
      leg,
      token: randomBytes(16).toString('hex'),
      node,
      mediaTimer: undefined,
      connected: () => {
        if (attached.mediaTimer) deps.clock.clearTimeout(attached.mediaTimer);
        attached.mediaTimer = undefined;
        log.debug('call audio connected');
      },
      lost: (code) => {
        // FreeSWITCH closes the stream when the call hangs up; the hangup event follows at once.
        // If it does not, either we missed it (Event Socket down) or the call lost its ears.
        log.warn({ code }, 'call audio socket closed while the call was up');
        attached.mediaTimer = deps.clock.setTimeout(() => void this.audioLost(attached, log), 2000);
      },
    };
    this.calls.set(uuid, attached);
    if (node) node.activeCalls++;
    return leg;
  }

  private detach(leg: FreeswitchLeg): void {
    const attached = this.calls.get(leg.id);
    if (!attached || attached.leg !== leg) return;
    if (attached.mediaTimer) this.deps.clock.clearTimeout(attached.mediaTimer);
    this.calls.delete(leg.id);
    if (attached.node) attached.node.activeCalls--;
  }

  private startAudioStream(uuid: string, control: ChannelControl, log: Logger): void {
    const attached = this.calls.get(uuid)!;
    const { settings } = this;
    const url = `${settings.audioUrl()}${settings.audioPath}/${uuid}`;
    // Metadata is one argument of an API command: JSON without spaces.
    const metadata = JSON.stringify({ callId: uuid, token: attached.token });
    const rate = settings.streamSampleRate === 8000 ? '8k' : '16k';
    attached.mediaTimer = this.deps.clock.setTimeout(() => {
      log.error({ timeoutMs: settings.audioConnectTimeoutMs }, 'mod_audio_stream did not connect: is the module loaded and the audio URL reachable from FreeSWITCH?');
      void this.abort(attached, 'media-timeout');
    }, settings.audioConnectTimeoutMs);
    control
      .api('uuid_audio_stream', `${uuid} start ${url} mono ${rate} ${metadata}`)
      .then((reply) => {
        if (!reply.startsWith('+OK')) {
          log.error({ reply: reply.trim() }, 'uuid_audio_stream refused: is mod_audio_stream loaded?');
          void this.abort(attached, 'media-timeout');
        }
      })
      .catch((error: Error) => {
        log.error({ err: error }, 'uuid_audio_stream failed');
        void this.abort(attached, 'media-timeout');
      });
  }

  /**
   * The audio socket closed and no hangup followed. FreeSWITCH is asked whether the channel
   * still exists (the question waits for a reconnect, up to commandTimeoutMs): a channel that is
   * gone hung up while we could not hear; one still up has lost its media and is ended.
   */
  private async audioLost(attached: Attached, log: Logger): Promise<void> {
    attached.mediaTimer = undefined;
    if (attached.leg.isEnded) return;
    const exists = await attached.leg.control.api('uuid_exists', attached.leg.id).then((reply) => reply.trim(), (error: Error) => {
      log.warn({ err: error }, 'could not ask FreeSWITCH whether the channel still exists');
      return 'unknown';
    });
    if (exists === 'false') attached.leg.farEndGone('NORMAL_CLEARING');
    else await this.abort(attached, 'media-timeout');
  }

  /** Ends a call from our side: FreeSWITCH hangs it up, the engine hears why. */
  private async abort(attached: Attached, reason: string): Promise<void> {
    if (attached.leg.isEnded) return;
    const kill = attached.leg.control.api('uuid_kill', `${attached.leg.id} RECOVERY_ON_TIMER_EXPIRE`).catch(() => '');
    attached.leg.farEndGone(reason);
    await kill;
  }

  private callsOn(carrier: string): number {
    let count = 0;
    for (const attached of this.calls.values()) if (attached.leg.carrier === carrier) count++;
    for (const dial of this.dialling.values()) if (dial.request.carrier === carrier) count++;
    return count;
  }

  // ---- outbound-socket mode ----

  private async onOutboundSocket(connection: EslConnection): Promise<void> {
    const data = connection.channelData;
    if (!data?.uuid) {
      await connection.close();
      return;
    }
    const uuid = data.uuid;
    connection.on('event', (event) => this.onEvent(undefined, event));
    connection.on('close', () => this.calls.get(uuid)?.leg.farEndGone('NORMAL_CLEARING'));
    try {
      await connection.command('myevents json');
    } catch (error) {
      this.deps.log.error({ err: error, callId: uuid }, 'outbound socket: myevents failed');
      await connection.close();
      return;
    }
    const control: ChannelControl = { api: (command, args) => connection.api(command, args, this.settings.commandTimeoutMs) };
    await this.takeInbound(data, control, undefined);
    const leg = this.calls.get(uuid)?.leg;
    if (!leg) await connection.close();
    else leg.on('hangup', () => void connection.close());
  }

  // ---- outbound calls ----

  async dial(request: DialRequest): Promise<CallLeg> {
    const node = this.nodes.filter((n) => n.connected).sort((a, b) => a.activeCalls - b.activeCalls)[0] ?? this.nodes[0];
    if (!node) throw new VapiError('no FreeSWITCH node is configured', { code: 'VAPI_ERR_FREESWITCH_NO_NODE', category: 'invalid_request', fix: 'add a node under plugins.transport-freeswitch.nodes' });
    const carrierId = request.carrier ?? this.settings.defaultCarrier;
    const carrier = carrierId ? this.deps.carriers.get(carrierId) : undefined;
    if (!carrier) {
      throw new VapiError(carrierId ? `carrier '${carrierId}' is not enabled` : 'the call names no carrier and the transport has no defaultCarrier', {
        code: 'VAPI_ERR_FREESWITCH_CARRIER_UNKNOWN',
        category: 'invalid_request',
        details: { outcome: 'failed', cause: 'NO_CARRIER' },
        fix: `enable a carrier plugin (carrier-sip-trunk, carrier-aliyun...) and name it in the request or in plugins.transport-freeswitch.defaultCarrier; enabled: ${[...this.deps.carriers.keys()].join(', ') || 'none'}`,
      });
    }
    if (carrier.maxConcurrentCalls !== undefined && this.callsOn(carrier.id) >= carrier.maxConcurrentCalls) {
      throw new VapiError(`carrier '${carrier.id}' is at its limit of ${carrier.maxConcurrentCalls} concurrent calls`, {
        code: 'VAPI_ERR_FREESWITCH_CARRIER_LIMIT',
        category: 'rate_limit',
        retryable: true,
        details: { outcome: 'failed', cause: 'CARRIER_LIMIT' },
        fix: 'retry later, or raise the carrier\'s maxConcurrentCalls if the trunk allows more',
      });
    }
    const uuid = request.callId;
    const log = this.deps.log.child({ callId: uuid });
    const timeoutS = Math.max(1, Math.ceil((request.timeoutMs ?? 30_000) / 1000));
    // The carrier writes the number its way and adds its caller ID and tag to our variables.
    const dialString = carrier.dialString(request.to, {
      ...(request.from ? { callerId: request.from } : {}),
      variables: {
        origination_uuid: uuid,
        originate_timeout: String(timeoutS),
        vapi_call_id: uuid,
        ...(request.assistantId ? { vapi_assistant_id: request.assistantId } : {}),
      },
    });
    const { signal } = request;
    if (signal?.aborted) throw dialCancelled();
    const pending: PendingDial = { request };
    this.dialling.set(uuid, pending);
    // Cancelled while it rings (DELETE /v1/calls/:id, shutdown): FreeSWITCH stops ringing and the
    // dial rejects at once. A channel not created yet when the kill went out is killed on answer.
    const kill = () => void node.api('uuid_kill', `${uuid} ORIGINATOR_CANCEL`).catch((error: Error) => log.warn({ err: error }, 'could not cancel the outbound call'));
    let onAbort = () => {};
    const cancelled = new Promise<never>((_resolve, reject) => {
      onAbort = () => {
        log.info('outbound call cancelled while ringing');
        kill();
        reject(dialCancelled());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    const originate = node.bgapi('originate', `${dialString} &park()`, { timeoutMs: (timeoutS + 15) * 1000 });
    originate.then((result) => signal?.aborted && result.startsWith('+OK') && kill(), () => {});
    let reply: string;
    try {
      reply = await Promise.race([originate, cancelled]);
    } catch (error) {
      this.dialling.delete(uuid);
      if (signal?.aborted) throw error;
      throw new VapiError(`originate could not be run: ${(error as Error).message}`, {
        code: 'VAPI_ERR_DIAL_FAILED',
        category: 'connectivity',
        retryable: true,
        cause: error,
        details: { outcome: 'failed', cause: 'ESL_UNAVAILABLE' },
      });
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    this.dialling.delete(uuid);
    if (!reply.startsWith('+OK')) {
      const cause = reply.replace(/^-ERR\s*/, '').trim() || pending.cause || 'UNKNOWN';
      const outcome = dialOutcomeOf(cause);
      log.info({ outcome, cause }, 'outbound call not answered');
      throw new VapiError(`the call was not answered: ${cause}`, {
        code: outcome === 'busy' ? 'VAPI_ERR_DIAL_BUSY' : outcome === 'no-answer' ? 'VAPI_ERR_DIAL_NO_ANSWER' : 'VAPI_ERR_DIAL_FAILED',
        category: 'connectivity',
        retryable: outcome !== 'failed',
        details: { outcome, cause },
      });
    }
    const leg = this.attach(uuid, 'outbound', node, node, carrier.id, log);
    this.startAudioStream(uuid, node, log);
    return leg;
  }

  // ---- after an Event Socket reconnect ----

  /**
   * Calls of this node that hung up while we could not hear are ended with that cause; parked
   * inbound calls that arrived meanwhile are taken now.
   */
  private async reattach(node: FreeswitchNode): Promise<void> {
    let rows: ChannelRow[];
    try {
      const parsed = JSON.parse(await node.api('show', 'channels as json')) as { rows?: ChannelRow[] };
      rows = parsed.rows ?? [];
    } catch (error) {
      this.deps.log.error({ err: error, node: node.name }, 'could not list channels after reconnecting');
      return;
    }
    const up = new Map(rows.map((row) => [row.uuid, row]));
    let kept = 0;
    for (const attached of [...this.calls.values()]) {
      if (attached.node !== node) continue;
      if (up.has(attached.leg.id)) kept++;
      else attached.leg.farEndGone('NORMAL_CLEARING');
    }
    const adopted = rows.filter((row) => this.settings.mode === 'inbound' && row.direction === 'inbound' && row.application === 'park' && !this.calls.has(row.uuid) && !this.dialling.has(row.uuid));
    this.deps.log.info({ node: node.name, kept, adopted: adopted.length }, 'Event Socket reconnected: calls re-attached');
    for (const row of adopted) void this.adopt(node, row);
  }

  /**
   * A parked call that arrived while we could not hear. `show channels` lacks the channel
   * variables (vapi_assistant_id, vapi_carrier...), so its channel data is read first.
   */
  private async adopt(node: FreeswitchNode, row: ChannelRow): Promise<void> {
    const log = this.deps.log.child({ callId: row.uuid });
    let event: EslEvent | string;
    try {
      const reply = await node.api('uuid_dump', `${row.uuid} json`);
      if (reply.startsWith('-ERR')) {
        log.info({ reply: reply.trim() }, 'a parked call hung up before it could be taken');
        return;
      }
      event = parseJsonEvent(Buffer.from(reply));
    } catch (error) {
      event = (error as Error).message;
    }
    if (typeof event === 'string' || event.uuid !== row.uuid) {
      log.warn({ problem: typeof event === 'string' ? event : 'another channel' }, 'uuid_dump unreadable: the parked call is taken with what show channels gives');
      const headers: Record<string, string> = { 'Unique-ID': row.uuid, 'Call-Direction': 'inbound', 'Caller-Destination-Number': row.dest ?? '', 'Answer-State': row.callstate === 'ACTIVE' ? 'answered' : 'ringing' };
      if (row.cid_num) headers['Caller-Caller-ID-Number'] = row.cid_num;
      event = { name: 'CHANNEL_PARK', uuid: row.uuid, headers };
    }
    if (this.calls.has(row.uuid)) return;
    await this.takeInbound(event, node, node);
  }
}

/** The server stopped waiting for the answer: the record already says why (cancelled, shutdown). */
function dialCancelled(): VapiError {
  return new VapiError('the outbound call was cancelled before it was answered', {
    code: 'VAPI_ERR_DIAL_FAILED',
    category: 'invalid_request',
    details: { outcome: 'failed', cause: 'ORIGINATOR_CANCEL' },
  });
}

/** A row of `show channels as json` (the fields used here). */
interface ChannelRow {
  uuid: string;
  direction?: string;
  dest?: string;
  cid_num?: string;
  application?: string;
  callstate?: string;
}

/** `variable_vapi_var_<name>` channel variables become the assistant's `{{name}}` values. */
function channelVariables(headers: Readonly<Record<string, string>>): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (key.startsWith('variable_vapi_var_')) variables[key.slice('variable_vapi_var_'.length)] = value;
  }
  return variables;
}
