import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runApiCommand, type ApiContext } from './api-commands.js';
import type { CallHost, EmulatorCounters } from './call-host.js';
import { EmulatedCall, type EmulatedCallInit } from './emulated-call.js';
import { EslListener, type ListenerHost } from './esl-listener.js';
import type { LogLine } from './event-serializer.js';
import { EventFactory, formatLocalDate, nowMicros, type FsEvent } from './fs-event.js';
import { originate, type OriginateHandler } from './originate.js';
import type { EmulatorProbe } from './probe.js';
import { SharedTicker } from './ticker.js';

export interface FreeSwitchEmulatorOptions {
  /** ESL password (event_socket.conf `password`). Default `ClueCon`. */
  password?: string;
  /** Default 127.0.0.1: the emulator never listens beyond loopback unless told to. */
  host?: string;
  /** Default 0: an ephemeral port (read it from `eslPort`). */
  port?: number;
  /** Time allowed for the first command of a connection (FreeSWITCH: 25 s). */
  authTimeoutMs?: number;
  /** FreeSWITCH-Hostname / Switchname of every event. Default: the machine's hostname. */
  hostname?: string;
  /** HEARTBEAT + RE_SCHEDULE events every so often (FreeSWITCH: 20 s). 0 disables. */
  heartbeatIntervalMs?: number;
  /** temp_dir for mod_audio_stream's streamAudio files. Default: a fresh directory, removed by stop(). */
  tempDir?: string;
  /** `status` reports it. */
  maxSessions?: number;
  /** TCP connect timeout of the `socket` application. Default 5000 ms. */
  outboundConnectTimeoutMs?: number;
  /** Keep the far-end track of originated calls (placeCall has its own `record`). Default true. */
  record?: boolean;
  /** Measurement hooks for load tests (see probe.ts). */
  probe?: EmulatorProbe;
}

export type DialplanTarget =
  | { type: 'park' }
  | { type: 'socket'; address: string; async?: boolean; full?: boolean };

export interface PlaceCallOptions {
  /** Caller number (Caller-Caller-ID-Number, sip_from_user). */
  from: string;
  /** Dialled number (Caller-Destination-Number). */
  to: string;
  callerIdName?: string;
  /** Extra channel variables, e.g. SIP headers as `sip_h_X-Foo`. Any UTF-8 text. */
  variables?: Readonly<Record<string, string>>;
  /** What the caller says once answered: 8 kHz PCM (more can come with `call.say()`). */
  callerAudio?: Int16Array;
  /** What the dialplan does with the call: park it (inbound ESL control) or run `socket`. */
  dialplan: DialplanTarget;
  /** Keep what the caller hears (`farEnd()`). Default true; turn off for load tests. */
  record?: boolean;
  /** Force the channel UUID. */
  uuid?: string;
}

export interface EmulatorStats extends EmulatorCounters {
  eslConnectionsOpen: number;
  callsActive: number;
  audioStreamsOpen: number;
  tickerLateTicks: number;
  tickerSkippedTicks: number;
}

const LEVEL_NAMES = ['CONSOLE', 'ALERT', 'CRIT', 'ERR', 'WARNING', 'NOTICE', 'INFO', 'DEBUG'];

/**
 * A FreeSWITCH 1.10 stand-in for tests: the Event Socket (inbound and outbound), the channel
 * events of calls, the mod_commands API, mod_audio_stream and playback — byte for byte as
 * specs/protocols.md §1–2 and the captures in fixtures/freeswitch/ show.
 */
export class FreeSwitchEmulator {
  readonly eslHost: string;
  readonly password: string;
  readonly tempDir: string;

  private readonly options: Required<Omit<FreeSwitchEmulatorOptions, 'tempDir' | 'hostname' | 'probe'>>;
  private readonly probe: EmulatorProbe | undefined;
  private readonly factory: EventFactory;
  private readonly ticker = new SharedTicker();
  private readonly counters: EmulatorCounters = {
    eslConnectionsTotal: 0, outboundConnectionsTotal: 0, commandsReceived: 0, apiCommands: 0, bgapiCommands: 0,
    eventsFired: 0, eventsDelivered: 0, eslBytesSent: 0, callsTotal: 0, audioStreamsOpened: 0, audioFramesSent: 0,
    audioBytesSent: 0,
  };
  private readonly listeners = new Set<EslListener>();
  private readonly live = new Map<string, EmulatedCall>();
  private readonly everyCall: EmulatedCall[] = [];
  private readonly callWaiters = new Set<(call: EmulatedCall) => void>();
  private readonly outboundSockets = new Set<net.Socket>();
  private readonly ownsTempDir: boolean;
  private originateHandler: OriginateHandler | undefined;
  private server: net.Server | undefined;
  private port = 0;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly startedAtMs = performance.now();
  private peak = 0;
  private stopping: Promise<void> | undefined;
  private readonly callHost: CallHost;
  private readonly listenerHost: ListenerHost;
  private readonly apiContext: ApiContext;

  private constructor(options: FreeSwitchEmulatorOptions) {
    this.options = {
      password: options.password ?? 'ClueCon',
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 0,
      authTimeoutMs: options.authTimeoutMs ?? 25000,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 20000,
      maxSessions: options.maxSessions ?? 1000,
      outboundConnectTimeoutMs: options.outboundConnectTimeoutMs ?? 5000,
      record: options.record ?? true,
    };
    this.probe = options.probe;
    this.eslHost = this.options.host;
    this.password = this.options.password;
    this.factory = new EventFactory({ hostname: options.hostname });
    this.ownsTempDir = !options.tempDir;
    this.tempDir = options.tempDir ?? mkdtempSync(join(tmpdir(), 'fs-emulator-'));
    this.callHost = this.makeCallHost();
    this.listenerHost = this.makeListenerHost();
    this.apiContext = this.makeApiContext();
  }

  /** Starts the ESL server (inbound mode) and resolves once it listens. */
  static async start(options: FreeSwitchEmulatorOptions = {}): Promise<FreeSwitchEmulator> {
    const emulator = new FreeSwitchEmulator(options);
    await emulator.listen(emulator.options.port);
    if (emulator.options.heartbeatIntervalMs > 0) {
      emulator.heartbeat = setInterval(() => emulator.fireHeartbeat(), emulator.options.heartbeatIntervalMs);
      emulator.heartbeat.unref();
    }
    return emulator;
  }

  get eslPort(): number {
    return this.port;
  }

  get coreUuid(): string {
    return this.factory.identity.coreUuid;
  }

  get hostname(): string {
    return this.factory.identity.hostname;
  }

  /** Every call placed or originated since start, in creation order. */
  get calls(): readonly EmulatedCall[] {
    return this.everyCall;
  }

  /** A channel that still exists (FreeSWITCH keeps a hung-up channel until it is destroyed). */
  findCall(uuid: string): EmulatedCall | undefined {
    return this.live.get(uuid);
  }

  /** Resolves with the first call (past or future) that matches, e.g. the next originated one. */
  waitForCall(predicate: (call: EmulatedCall) => boolean = () => true, timeoutMs = 5000): Promise<EmulatedCall> {
    const existing = this.everyCall.find(predicate);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const waiter = (call: EmulatedCall) => {
        if (!predicate(call)) return;
        clearTimeout(timer);
        this.callWaiters.delete(waiter);
        resolve(call);
      };
      const timer = setTimeout(() => {
        this.callWaiters.delete(waiter);
        reject(new Error(`FreeSwitchEmulator: no matching call within ${timeoutMs} ms (${this.everyCall.length} calls so far)`));
      }, timeoutMs);
      this.callWaiters.add(waiter);
    });
  }

  /**
   * An inbound call arrives (SIP INVITE): CHANNEL_CREATE, then the dialplan parks it (the app
   * answers when it wants) or runs `socket <address> [async] [full]` (the emulator dials the app).
   */
  placeCall(options: PlaceCallOptions): EmulatedCall {
    this.assertRunning();
    const { from, to } = options;
    if (typeof from !== 'string' || !/^[^\s@]+$/.test(from)) throw new TypeError(`placeCall: "from" must be a caller number without spaces or @ (got ${JSON.stringify(from)})`);
    if (typeof to !== 'string' || !/^[^\s@]+$/.test(to)) throw new TypeError(`placeCall: "to" must be a dialled number without spaces or @ (got ${JSON.stringify(to)})`);
    const dialplan = options.dialplan;
    if (!dialplan || (dialplan.type !== 'park' && dialplan.type !== 'socket')) {
      throw new TypeError('placeCall: dialplan must be { type: "park" } or { type: "socket", address: "127.0.0.1:PORT" }');
    }
    if (dialplan.type === 'socket' && !/^[^\s:|/]+(:\d{1,5})?$/.test(dialplan.address ?? '')) {
      throw new TypeError(`placeCall: socket address must be host:port (got ${JSON.stringify(dialplan.address)})`);
    }
    if (options.callerAudio !== undefined && !(options.callerAudio instanceof Int16Array)) throw new TypeError('placeCall: callerAudio must be an Int16Array of 8 kHz PCM');
    const uuid = options.uuid ?? randomUUID();
    if (this.live.has(uuid)) throw new Error(`placeCall: a channel ${uuid} already exists`);
    const variables = Object.entries(options.variables ?? {});
    for (const [name, value] of variables) {
      if (!name || /[\s:]/.test(name) || typeof value !== 'string') throw new TypeError(`placeCall: variable ${JSON.stringify(name)} needs a name without spaces or colons and a string value`);
    }
    const call = this.createCall(inboundInit(uuid, options, variables));
    this.launch(call);
    if (dialplan.type === 'park') {
      call.execute({ name: 'park', arg: '', source: 'dialplan' });
    } else {
      const flags = `${dialplan.async === false ? '' : ' async'}${dialplan.full === false ? '' : ' full'}`;
      call.execute({ name: 'socket', arg: `${dialplan.address}${flags}`, source: 'dialplan' });
    }
    return call;
  }

  /** Scripts the far end of `originate` (default: answer at once). Replaces the previous script. */
  onOriginate(handler: OriginateHandler | undefined): void {
    this.originateHandler = handler;
  }

  /** Fires a HEARTBEAT (and the RE_SCHEDULE that follows it), as the core does every 20 s. */
  fireHeartbeat(): void {
    const uptimeMs = Math.floor(performance.now() - this.startedAtMs);
    const event = this.factory.create('HEARTBEAT')
      .add('Event-Info', 'System Ready')
      .add('Up-Time', `0 years, 0 days, 0 hours, 0 minutes, ${Math.floor(uptimeMs / 1000)} seconds, ${uptimeMs % 1000} milliseconds, 0 microseconds`)
      .add('FreeSWITCH-Version', '1.10.12-release~64bit')
      .add('Uptime-msec', uptimeMs)
      .add('Session-Count', this.live.size)
      .add('Max-Sessions', this.options.maxSessions)
      .add('Session-Per-Sec', 30)
      .add('Session-Per-Sec-Last', 0)
      .add('Session-Per-Sec-Max', 0)
      .add('Session-Per-Sec-FiveMin', 0)
      .add('Session-Since-Startup', this.counters.callsTotal)
      .add('Session-Peak-Max', this.peak)
      .add('Session-Peak-FiveMin', this.peak)
      .add('Idle-CPU', '100.000000');
    this.fire(event);
    const reschedule = this.factory.create('RE_SCHEDULE')
      .add('Task-ID', 1).add('Task-Desc', 'heartbeat').add('Task-Group', 'core')
      .add('Task-Runtime', Math.floor(Date.now() / 1000) + 20);
    this.fire(reschedule);
  }

  // ------------------------------------------------------------------ faults

  /** Destroys every ESL socket (inbound and outbound) without a word; calls and streams stay up. */
  dropEslConnections(): void {
    for (const listener of [...this.listeners]) listener.destroy();
  }

  /** While refusing, new ESL connections are refused (nothing listens on the port). */
  async refuseEsl(refuse: boolean): Promise<void> {
    if (refuse && this.server) {
      const server = this.server;
      this.server = undefined;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // close() waits for open connections; the listening socket itself is gone already.
        setImmediate(resolve);
      });
    } else if (!refuse && !this.server && !this.stopping) {
      await this.listen(this.port);
    }
  }

  /** Writes raw bytes on every ESL socket: garbage, a lying Content-Length, a truncated event... */
  injectRaw(bytes: string | Uint8Array): void {
    const buffer = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes);
    for (const listener of this.listeners) listener.writeRaw(buffer);
  }

  stats(): EmulatorStats {
    let streams = 0;
    let active = 0;
    for (const call of this.live.values()) {
      if (call.streaming) streams++;
      if (call.hangupCause === undefined) active++;
    }
    return {
      ...this.counters,
      eslConnectionsOpen: this.listeners.size,
      callsActive: active,
      audioStreamsOpen: streams,
      tickerLateTicks: this.ticker.lateTicks,
      tickerSkippedTicks: this.ticker.skippedTicks,
    };
  }

  /** Closes everything: ESL sockets (with FreeSWITCH's shutdown notice), calls, streams, timers. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  // ------------------------------------------------------------------ internals

  private async shutdown(): Promise<void> {
    clearInterval(this.heartbeat);
    const server = this.server;
    this.server = undefined;
    for (const listener of [...this.listeners]) listener.shutdown();
    for (const socket of this.outboundSockets) socket.destroy();
    for (const call of [...this.live.values()]) call.hangupWith('SYSTEM_SHUTDOWN');
    this.ticker.stop();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    if (this.ownsTempDir) rmSync(this.tempDir, { recursive: true, force: true });
  }

  private assertRunning(): void {
    if (this.stopping) throw new Error('FreeSwitchEmulator: already stopped');
  }

  private listen(port: number): Promise<void> {
    const server = net.createServer((socket) => this.accept(socket));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.options.host, () => {
        server.off('error', reject);
        this.server = server;
        this.port = (server.address() as net.AddressInfo).port;
        resolve();
      });
    });
  }

  private accept(socket: net.Socket): void {
    if (this.stopping) {
      socket.destroy();
      return;
    }
    this.counters.eslConnectionsTotal++;
    this.listeners.add(new EslListener(socket, this.listenerHost));
  }

  private fire(event: FsEvent): void {
    this.counters.eventsFired++;
    for (const listener of this.listeners) listener.deliver(event);
    // Events stay in call.events; their serializations need not.
    event.cache.plain = event.cache.json = event.cache.xml = undefined;
  }

  private log(level: number, file: string, func: string, line: number, message: string, uuid?: string): void {
    if (this.listeners.size === 0) return;
    const micros = nowMicros();
    const stamp = `${formatLocalDate(micros)}.${String(micros % 1e6).padStart(6, '0')}`;
    const text = `${uuid ? `${uuid} ` : ''}${stamp} 100.00% [${LEVEL_NAMES[level] ?? 'DEBUG'}] ${file}:${line} ${message}\n`;
    const logLine: LogLine = { level, file, func, line, userData: uuid, text };
    for (const listener of this.listeners) listener.deliverLog(logLine);
  }

  private createCall(init: EmulatedCallInit): EmulatedCall {
    return new EmulatedCall(this.callHost, init);
  }

  private launch(call: EmulatedCall): void {
    this.live.set(call.uuid, call);
    this.everyCall.push(call);
    this.counters.callsTotal++;
    this.peak = Math.max(this.peak, this.live.size);
    call.announce();
    for (const waiter of [...this.callWaiters]) waiter(call);
  }

  /** The `socket` application: `host[:port][/path] [async] [full]`, hosts separated by `|`. */
  private dialSocket(call: EmulatedCall, data: string, done: (connected: boolean) => void): void {
    const [targets = '', ...flags] = data.split(/\s+/).filter(Boolean);
    const mode = { async: flags.some((f) => f.toLowerCase() === 'async'), full: flags.some((f) => f.toLowerCase() === 'full') };
    const hosts = targets.split('|').filter(Boolean);
    const tryHost = (index: number) => {
      if (index >= hosts.length || call.hangupCause !== undefined || this.stopping) {
        this.log(3, 'mod_event_socket.c', 'socket_function', 544, 'Socket Error!', call.uuid);
        done(false);
        return;
      }
      const [hostPort] = hosts[index].split('/');
      const colon = hostPort.lastIndexOf(':');
      const host = colon >= 0 ? hostPort.slice(0, colon) : hostPort;
      const port = colon >= 0 ? Number(hostPort.slice(colon + 1)) : 8084;
      call.variables.set('socket_host', host);
      const socket = net.connect({ host, port });
      this.outboundSockets.add(socket);
      const timer = setTimeout(() => socket.destroy(new Error('connect timeout')), this.options.outboundConnectTimeoutMs);
      timer.unref();
      const failed = () => {
        clearTimeout(timer);
        this.outboundSockets.delete(socket);
        tryHost(index + 1);
      };
      socket.once('error', failed);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', failed);
        this.outboundSockets.delete(socket);
        if (call.hangupCause !== undefined || this.stopping) {
          socket.destroy();
          done(false);
          return;
        }
        this.counters.outboundConnectionsTotal++;
        this.listeners.add(new EslListener(socket, this.listenerHost, mode, call));
        done(true);
      });
    };
    tryHost(0);
  }

  private makeCallHost(): CallHost {
    return {
      events: this.factory,
      ticker: this.ticker,
      counters: this.counters,
      probe: this.probe,
      fire: (event) => this.fire(event),
      log: (level, file, func, line, message, uuid) => this.log(level, file, func, line, message, uuid),
      writeTempFile: (name, data) => {
        const path = join(this.tempDir, name);
        writeFileSync(path, data);
        return path;
      },
      dialSocket: (call, data, done) => this.dialSocket(call, data, done),
      callDestroyed: (call) => {
        this.live.delete(call.uuid);
      },
    };
  }

  private makeListenerHost(): ListenerHost {
    return {
      password: this.options.password,
      authTimeoutMs: this.options.authTimeoutMs,
      events: this.factory,
      counters: this.counters,
      probe: this.probe,
      findCall: (uuid) => this.live.get(uuid),
      runApi: (command, args) => runApiCommand(this.apiContext, command, args) ?? `-ERR ${command} Command not found!\n`,
      fire: (event) => this.fire(event),
      listenerClosed: (listener) => {
        this.listeners.delete(listener);
      },
    };
  }

  private makeApiContext(): ApiContext {
    return {
      events: this.factory,
      startedAtMs: this.startedAtMs,
      maxSessions: this.options.maxSessions,
      findCall: (uuid) => this.live.get(uuid),
      liveCalls: () => [...this.live.values()],
      sessionsSinceStartup: () => this.counters.callsTotal,
      peakSessions: () => this.peak,
      log: (level, file, func, line, message) => this.log(level, file, func, line, message),
      originate: (args) =>
        originate(
          {
            handler: this.originateHandler,
            findCall: (uuid) => this.live.get(uuid),
            createCall: (init) => this.createCall(init),
            launch: (call) => this.launch(call),
            record: this.options.record,
          },
          args,
        ),
    };
  }
}

/** The channel of an inbound SIP call, with the variables mod_sofia sets (see the call1001 capture). */
function inboundInit(uuid: string, options: PlaceCallOptions, extra: Array<[string, string]>): EmulatedCallInit {
  const { from, to } = options;
  const name = options.callerIdName ?? from;
  const channelName = `sofia/external/${from}@127.0.0.1:5080`;
  const callId = `${randomUUID()}@127.0.0.1`;
  const sdp = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\n';
  return {
    uuid,
    direction: 'inbound',
    record: options.record ?? true,
    callerAudio: options.callerAudio,
    codecFromStart: true,
    profile: {
      direction: 'inbound',
      username: from,
      dialplan: 'XML',
      callerIdName: name,
      callerIdNumber: from,
      origCallerIdName: name,
      origCallerIdNumber: from,
      networkAddr: '127.0.0.1',
      ani: from,
      destinationNumber: to,
      source: 'mod_sofia',
      context: 'default',
      channelName,
    },
    variables: [
      ['direction', 'inbound'],
      ['uuid', uuid],
      ['call_uuid', uuid],
      ['session_id', String(Math.floor(Math.random() * 100000))],
      ['sip_from_user', from],
      ['sip_from_port', '5080'],
      ['sip_from_uri', `${from}@127.0.0.1:5080`],
      ['sip_from_host', '127.0.0.1'],
      ['video_media_flow', 'disabled'],
      ['text_media_flow', 'disabled'],
      ['channel_name', channelName],
      ['sip_call_id', callId],
      ['sip_local_network_addr', '127.0.0.1'],
      ['sip_network_ip', '127.0.0.1'],
      ['sip_network_port', '5080'],
      ['sip_received_ip', '127.0.0.1'],
      ['sip_received_port', '5080'],
      ['sip_via_protocol', 'udp'],
      ['sip_from_display', name],
      ['sip_full_from', `"${name}" <sip:${from}@127.0.0.1:5080>;tag=${uuid.slice(0, 8)}`],
      ['sip_full_to', `<sip:${to}@127.0.0.1:5060>`],
      ['sofia_profile_name', 'external'],
      ['sofia_profile_url', 'sip:mod_sofia@127.0.0.1:5060'],
      ['recovery_profile_name', 'external'],
      ['sip_req_user', to],
      ['sip_req_uri', `${to}@127.0.0.1:5060`],
      ['sip_req_host', '127.0.0.1'],
      ['sip_to_user', to],
      ['sip_to_uri', `${to}@127.0.0.1:5060`],
      ['sip_to_host', '127.0.0.1'],
      ['sip_contact_user', from],
      ['sip_contact_uri', `${from}@127.0.0.1:5080`],
      ['switch_r_sdp', sdp],
      ['ep_codec_string', 'CORE_PCM_MODULE.PCMA@8000h@20i@64000b'],
      ['rtp_use_codec_string', 'PCMA,PCMU'],
      ['remote_media_ip', '127.0.0.1'],
      ['remote_media_port', '6000'],
      ['rtp_use_codec_name', 'PCMA'],
      ['rtp_use_codec_rate', '8000'],
      ['rtp_use_codec_ptime', '20'],
      ['rtp_use_codec_channels', '1'],
      ['read_codec', 'PCMA'],
      ['original_read_codec', 'PCMA'],
      ['read_rate', '8000'],
      ['original_read_rate', '8000'],
      ['write_codec', 'PCMA'],
      ['write_rate', '8000'],
      ['dtmf_type', 'rfc2833'],
      ['endpoint_disposition', 'RECEIVED'],
      ...extra,
    ],
  };
}
