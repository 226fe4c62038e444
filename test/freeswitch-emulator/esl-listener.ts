import { randomUUID } from 'node:crypto';
import type net from 'node:net';
import type { EmulatorCounters } from './call-host.js';
import { basicData, profileData, variableData } from './channel-data.js';
import { EslCommandParser, commandHeader, type EslCommand } from './command-parser.js';
import type { EmulatedCall, SessionHolder } from './emulated-call.js';
import { eventType, EVENT_NAMES, MYEVENTS_TYPES } from './event-names.js';
import {
  apiResponse, commandReply, disconnectNotice, eventFrame, GOODBYE, lingerNotice, logDataFrame, rawCommandReply,
  serializePlain, type EventFormat, type LogLine,
} from './event-serializer.js';
import type { EventFactory, FsEvent } from './fs-event.js';
import { parseHangupCause } from './hangup-causes.js';
import type { EmulatorProbe } from './probe.js';

/** What one ESL connection needs from the switch. */
export interface ListenerHost {
  readonly password: string;
  readonly authTimeoutMs: number;
  readonly events: EventFactory;
  readonly counters: EmulatorCounters;
  /** Measurement hooks (load tests). */
  readonly probe: EmulatorProbe | undefined;
  findCall(uuid: string): EmulatedCall | undefined;
  /** Runs an API command (mod_commands & co); resolves with its output text. */
  runApi(command: string, args: string | undefined, listener: EslListener): string | Promise<string>;
  fire(event: FsEvent): void;
  listenerClosed(listener: EslListener): void;
}

export interface OutboundMode {
  /** The socket app's `async` flag: sendmsg is queued and the reply comes at once. */
  async: boolean;
  /** The `full` flag: without it, api/bgapi/event/linger/log... get `-ERR command not found`. */
  full: boolean;
}

type Held = { kind: 'event'; event: FsEvent } | { kind: 'action'; run: () => void };

const LOG_LEVELS: Record<string, number> = {
  console: 0, alert: 1, crit: 2, err: 3, error: 3, warning: 4, notice: 5, info: 6, debug: 7,
};

/**
 * One Event Socket connection, inbound (the app dialled us) or outbound (we dialled the app for
 * the `socket` application). Command semantics follow mod_event_socket.c parse_command in its
 * order (prefix matching included); replies are written before any event the command caused,
 * because FreeSWITCH writes replies from the listener thread that also drains the event queue.
 */
export class EslListener implements SessionHolder {
  readonly id = randomUUID();
  readonly mode: 'inbound' | 'outbound';
  session: EmulatedCall | undefined;
  format: EventFormat = 'plain';

  private readonly parser = new EslCommandParser();
  private readonly pending: EslCommand[] = [];
  private draining = false;
  private holding = false;
  private held: Held[] = [];
  private authed: boolean;
  private running = true;
  private closed = false;
  private gotFirstCommand = false;
  private firstCommandTimer: NodeJS.Timeout | undefined;
  private lingerTimer: NodeJS.Timeout | undefined;

  private eventsEnabled = false;
  private eventAll = false;
  private readonly types = new Set<string>();
  private readonly subclasses = new Set<string>();
  private allSubclasses = false;
  private filters: Array<[string, string]> = [];
  private myevents = false;
  private lingerSeconds: number | undefined;
  private handleDisco = false;
  private logLevel: number | undefined;
  private connected = false;

  constructor(
    private readonly socket: net.Socket,
    private readonly host: ListenerHost,
    readonly outbound?: OutboundMode,
    session?: EmulatedCall,
  ) {
    this.mode = outbound ? 'outbound' : 'inbound';
    this.authed = Boolean(outbound);
    this.session = session;
    session?.hold(this);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => this.cleanup());
    socket.on('close', () => this.cleanup());
    // read_packet(listener, &event, 25): the first command must come within the auth timeout.
    this.firstCommandTimer = setTimeout(() => this.finish(), host.authTimeoutMs);
    this.firstCommandTimer.unref();
    if (!outbound) this.write('Content-Type: auth/request\n\n');
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Every fired event passes here; subscriptions, filters and myevents decide. */
  deliver(event: FsEvent): void {
    if (!this.running || this.closed || !this.wants(event)) return;
    if (this.holding) this.held.push({ kind: 'event', event });
    else this.sendEvent(event);
  }

  /** A console log line for `log <level>` listeners. */
  deliverLog(line: LogLine): void {
    if (this.logLevel === undefined || line.level > this.logLevel || this.closed) return;
    const frame = logDataFrame(line);
    if (this.holding) this.held.push({ kind: 'action', run: () => this.write(frame) });
    else this.write(frame);
  }

  /** Raw bytes onto the wire (fault injection). */
  writeRaw(bytes: Buffer): void {
    if (!this.closed) this.socket.write(bytes);
  }

  /** An ESL blip: the TCP connection is gone, nothing is said. */
  destroy(): void {
    this.socket.destroy();
    this.cleanup();
  }

  /** Emulator shutdown: kill_listener's notice, then close. */
  shutdown(): void {
    if (this.closed) return;
    const { head, body } = disconnectNotice('The system is being shut down.\n', this.session?.uuid);
    this.write(head + body);
    this.socket.end();
    this.cleanup();
  }

  /** SessionHolder: the controlled channel is going down (linger or goodbye). */
  onChannelDown(phase: 'hangup' | 'complete'): void {
    const act = () => {
      if (this.closed || this.handleDisco) return;
      const session = this.session!;
      if (this.lingerSeconds === undefined) {
        if (phase === 'hangup') {
          this.handleDisco = true;
          this.finish();
        }
        return;
      }
      // Bare `linger`: the notice after the hangup events, then the socket stays up until the
      // app closes it. `linger N`: the notice at once, the events, then goodbye after N s.
      if (this.lingerSeconds === -1 && phase === 'complete') {
        this.handleDisco = true;
        this.write(lingerNotice(session.uuid, session.status.channelName, -1));
      } else if (this.lingerSeconds !== -1 && phase === 'hangup') {
        this.handleDisco = true;
        this.write(lingerNotice(session.uuid, session.status.channelName, this.lingerSeconds));
        this.lingerTimer = setTimeout(() => this.finish(), this.lingerSeconds * 1000);
        this.lingerTimer.unref();
      }
    };
    if (this.holding) this.held.push({ kind: 'action', run: act });
    else act();
  }

  // ------------------------------------------------------------------ input

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    let commands: EslCommand[];
    try {
      commands = this.parser.push(chunk);
    } catch {
      // A body over MAX_CONTENT_LENGTH: FreeSWITCH drops the connection.
      this.destroy();
      return;
    }
    if (commands.length === 0) return;
    const probe = this.host.probe?.commandReceived;
    if (probe) {
      const at = performance.now();
      for (const command of commands) probe(command.command, at);
    }
    if (!this.gotFirstCommand) {
      this.gotFirstCommand = true;
      clearTimeout(this.firstCommandTimer);
    }
    this.pending.push(...commands);
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    while (this.pending.length > 0 && this.running && !this.closed) {
      const command = this.pending.shift()!;
      this.host.counters.commandsReceived++;
      this.holding = true;
      this.socket.cork();
      try {
        await this.handle(command);
      } catch (error) {
        // A bug in the emulator must not look like FreeSWITCH behaviour: make it loud.
        this.write(commandReply(`-ERR emulator error: ${(error as Error).message}`));
      } finally {
        this.holding = false;
        this.flushHeld();
        this.socket.uncork();
      }
    }
    this.draining = false;
  }

  private flushHeld(): void {
    const held = this.held;
    this.held = [];
    for (const item of held) {
      if (this.closed) return;
      if (item.kind === 'event') this.sendEvent(item.event);
      else item.run();
    }
  }

  // ------------------------------------------------------------------ commands

  private async handle(command: EslCommand): Promise<void> {
    const line = command.command.replace(/[\r\n].*$/s, '');
    const lower = line.toLowerCase();
    const starts = (prefix: string) => lower.startsWith(prefix);

    if (starts('exit') || starts('...')) {
      this.reply('+OK bye');
      this.finish();
      return;
    }

    if (!this.authed) {
      if (starts('auth ')) {
        if (line.slice(5) === this.host.password) {
          this.authed = true;
          this.reply('+OK accepted');
        } else {
          this.reply('-ERR invalid');
          this.finish();
        }
      } else if (starts('userauth ')) {
        this.reply('-ERR invalid');
        this.finish();
      } else {
        this.reply('-ERR command not found');
      }
      return;
    }

    if (starts('filter ')) return this.filterCommand(line.slice(7));

    if (this.session && starts('resume')) {
      this.session.variables.set('socket_resume', 'true');
      this.reply('+OK');
      return;
    }

    if (this.session || starts('myevents ')) {
      if (starts('connect')) return this.connect();
      if (starts('getvar')) {
        const name = line.includes(' ') ? line.slice(line.indexOf(' ') + 1) : '';
        this.reply((name && this.session?.variables.get(name)) || '');
        return;
      }
      if (starts('myevents')) return this.myeventsCommand(line);
    }

    if (starts('divert_events')) {
      const value = line.slice(13).trim();
      if (!this.session) this.reply('-ERR not controlling a session.');
      else if (!value) this.reply('-ERR missing value.');
      else this.reply(value.toLowerCase() === 'on' ? '+OK events diverted' : '+OK events not diverted');
      return;
    }

    if (starts('sendmsg')) return this.sendmsg(command, line);

    if (this.outbound && !this.outbound.full) {
      this.reply('-ERR command not found');
      return;
    }

    if (starts('sendevent')) return this.sendevent(command, line);
    if (starts('api ')) return this.api(line.slice(4));
    if (starts('bgapi ')) return this.bgapi(command, line.slice(6));
    if (starts('log')) return this.logCommand(line.slice(3));
    if (starts('linger')) {
      if (!this.session) return this.reply('-ERR not controlling a session');
      const seconds = line[6] === ' ' && line.length > 7 ? Number.parseInt(line.slice(7), 10) || 0 : -1;
      this.lingerSeconds = seconds;
      this.reply(seconds === -1 ? '+OK will linger' : `+OK will linger ${seconds} seconds`);
      return;
    }
    if (starts('nolinger')) {
      if (!this.session) return this.reply('-ERR not controlling a session');
      this.lingerSeconds = undefined;
      this.reply('+OK will not linger');
      return;
    }
    if (starts('nolog')) {
      if (this.logLevel !== undefined) {
        this.logLevel = undefined;
        this.reply('+OK no longer logging');
      } else {
        this.reply('-ERR not loging');
      }
      return;
    }
    if (starts('event')) return this.eventCommand(line);
    if (starts('nixevent')) return this.nixeventCommand(line);
    if (starts('noevents')) {
      if (this.eventsEnabled) {
        this.clearSubscriptions();
        this.held = this.held.filter((item) => item.kind !== 'event');
        this.reply('+OK no longer listening for events');
      } else {
        this.reply('-ERR not listening for events');
      }
      return;
    }
    this.reply('-ERR command not found');
  }

  private filterCommand(rest: string): void {
    const text = rest.replace(/^ +/, '');
    const space = text.indexOf(' ');
    let name = space < 0 ? text : text.slice(0, space);
    let value: string | undefined = space < 0 ? undefined : text.slice(space + 1);
    if (name.toLowerCase() === 'delete' && value !== undefined) {
      const inner = value.indexOf(' ');
      name = inner < 0 ? value : value.slice(0, inner);
      value = inner < 0 ? undefined : value.slice(inner + 1);
      if (name.toLowerCase() === 'all') {
        this.filters = [];
      } else {
        this.filters = this.filters.filter(([n, v]) => !(n.toLowerCase() === name.toLowerCase() && (value === undefined || v === value)));
      }
      this.reply(`+OK filter deleted. [${name}][${value ?? ''}]`);
      return;
    }
    if (value === undefined) {
      this.reply('-ERR invalid syntax');
      return;
    }
    if (name.toLowerCase() === 'add') {
      const inner = value.indexOf(' ');
      name = inner < 0 ? value : value.slice(0, inner);
      value = inner < 0 ? '' : value.slice(inner + 1);
    }
    this.filters.push([name, value]);
    this.reply(`+OK filter added. [${name}]=[${value}]`);
  }

  /** Outbound `connect`: the CHANNEL_DATA serialization is the reply (no envelope). */
  private connect(): void {
    const call = this.session!;
    this.connected = true;
    const event = this.host.events.create('CHANNEL_DATA');
    event.addAll(profileData(call.profile, 'Channel'));
    event.addAll(basicData(call.status));
    event.addAll(profileData(call.profile));
    event.addAll(variableData(call.variables));
    event.add('Content-Type', 'command/reply');
    event.add('Reply-Text', '+OK\n');
    event.add('Socket-Mode', this.outbound?.async ? 'async' : 'static');
    event.add('Control', this.outbound?.full ? 'full' : 'single-channel');
    this.write(serializePlain(event));
    // In async mode the socket application parks the channel while the socket runs.
    if (this.outbound?.async) call.apps.parkForSocket();
  }

  private myeventsCommand(line: string): void {
    if (this.myevents) {
      this.reply('-ERR aready enabled.');
      return;
    }
    if (!this.session) {
      const [uuid, format] = line.slice(9).split(' ');
      const call = uuid ? this.host.findCall(uuid) : undefined;
      if (!call || call.destroyed) {
        if (format !== undefined) {
          this.reply('-ERR invalid uuid');
          return;
        }
      } else {
        this.session = call;
        call.hold(this);
      }
    }
    this.myevents = true;
    this.eventsEnabled = true;
    for (const type of MYEVENTS_TYPES) this.types.add(type);
    if (/xml|XML/.test(line)) this.format = 'xml';
    if (/json|JSON/.test(line)) this.format = 'json';
    this.reply('+OK Events Enabled');
  }

  private sendmsg(command: EslCommand, line: string): Promise<void> | void {
    let uuid: string | undefined = line.slice(7).trim() || commandHeader(command, 'session-id');
    if (uuid && this.session && uuid === this.session.uuid) uuid = undefined;
    let target: EmulatedCall | undefined;
    if (!uuid && this.session) target = this.session;
    else if (uuid) target = this.host.findCall(uuid);
    if (!target || target.destroyed) {
      this.reply(`-ERR invalid session id [${uuid ?? ''}]`);
      return;
    }
    const callCommand = (commandHeader(command, 'call-command') ?? '').toLowerCase();
    const asyncHeader = /^(true|yes|on|1)$/i.test(commandHeader(command, 'async') ?? '');
    // Only a static outbound socket's own channel runs the message inline (reply after the app).
    const inline = Boolean(this.outbound && !this.outbound.async && target === this.session && !asyncHeader);
    if (callCommand === 'execute') {
      const name = commandHeader(command, 'execute-app-name') ?? '';
      const arg = commandHeader(command, 'execute-app-arg') ?? command.body ?? '';
      const loops = Number.parseInt(commandHeader(command, 'loops') ?? '', 10);
      const request = {
        name,
        arg,
        appUuid: commandHeader(command, 'event-uuid'),
        appUuidName: commandHeader(command, 'event-uuid-name'),
        loops: Number.isFinite(loops) && loops > 0 ? loops : undefined,
        source: 'sendmsg' as const,
      };
      if (!name) {
        this.reply('+OK');
        return;
      }
      if (inline) {
        return new Promise<void>((resolve) => {
          target.execute({ ...request, onComplete: () => { this.reply('+OK'); resolve(); } });
        });
      }
      this.reply('+OK');
      target.execute(request);
      return;
    }
    this.reply('+OK');
    if (callCommand === 'hangup') {
      const cause = parseHangupCause(commandHeader(command, 'hangup-cause'));
      setImmediate(() => target.hangupWith(cause));
    }
  }

  private sendevent(command: EslCommand, line: string): void {
    const requested = line.slice(9).trim();
    const name = eventType(requested) ?? 'CUSTOM';
    const eventUuid = randomUUID();
    const subclass = name === 'CUSTOM' ? commandHeader(command, 'Event-Subclass') : undefined;
    const event = this.host.events.create(name, { subclass });
    event.add('Command', command.command);
    for (const [key, value] of command.headers) {
      if (key.toLowerCase() === 'event-subclass' || key.toLowerCase() === 'content-length') continue;
      event.add(key, value);
    }
    event.add('Event-UUID', eventUuid);
    if (command.body !== undefined) event.body = command.body;
    this.reply(`+OK ${eventUuid}`);
    this.host.fire(event);
  }

  private async api(text: string): Promise<void> {
    this.host.counters.apiCommands++;
    const space = text.indexOf(' ');
    const name = space < 0 ? text : text.slice(0, space);
    const args = space < 0 ? undefined : text.slice(space + 1);
    const output = await this.host.runApi(name, args, this);
    if (this.closed) return;
    this.write(apiResponse(output === '' ? '-ERR no reply\n' : output));
  }

  private bgapi(command: EslCommand, text: string): void {
    this.host.counters.bgapiCommands++;
    const space = text.indexOf(' ');
    const name = space < 0 ? text : text.slice(0, space);
    const args = space < 0 ? undefined : text.slice(space + 1);
    const jobUuid = commandHeader(command, 'job-uuid') ?? randomUUID();
    this.write(rawCommandReply(`Reply-Text: +OK Job-UUID: ${jobUuid}\nJob-UUID: ${jobUuid}\n\n`));
    const ownerUuid = this.session?.uuid;
    const announce = (output: string) => {
      const event = this.host.events.create('BACKGROUND_JOB');
      event.add('Job-UUID', jobUuid);
      if (ownerUuid) event.add('Job-Owner-UUID', ownerUuid);
      event.add('Job-Command', name);
      if (args !== undefined) event.add('Job-Command-Arg', args);
      event.body = output;
      this.host.fire(event);
    };
    const result = this.host.runApi(name, args, this);
    // Quick jobs finish while the reply is still corked: both go out in one TCP write, as captured.
    if (typeof result === 'string') announce(result);
    else void result.then(announce, (error: Error) => announce(`-ERR ${error.message}\n`));
  }

  private logCommand(rest: string): void {
    const levelText = rest.replace(/^ +/, '').split(' ')[0];
    let level: number | undefined = 7;
    if (levelText !== '') level = /^\d+$/.test(levelText) ? Number(levelText) : LOG_LEVELS[levelText.toLowerCase()];
    if (level === undefined || level > 7) {
      this.reply('-ERR invalid log level');
      return;
    }
    this.logLevel = level;
    this.reply(`+OK log level ${levelText} [${level}]`);
  }

  private eventCommand(line: string): void {
    const tokens = line.split(' ').slice(1);
    let keys = 0;
    let custom = false;
    tokens.forEach((token, index) => {
      if (index === 0 && /^(plain|json|xml)$/i.test(token)) {
        this.format = token.toLowerCase() as EventFormat;
        return;
      }
      if (custom) {
        if (token) this.subclasses.add(token);
        return;
      }
      const type = eventType(token);
      if (!type) return;
      keys++;
      if (type === 'ALL') {
        this.eventAll = true;
        this.allSubclasses = true;
        for (const name of EVENT_NAMES) this.types.add(name);
      }
      this.types.add(type);
      if (type === 'CUSTOM') custom = true;
    });
    if (keys === 0) {
      this.reply('-ERR no keywords supplied');
      return;
    }
    this.eventsEnabled = true;
    this.reply(`+OK event listener enabled ${this.format}`);
  }

  private nixeventCommand(line: string): void {
    const tokens = line.split(' ').slice(1);
    let keys = 0;
    let custom = false;
    for (const token of tokens) {
      if (custom) {
        this.subclasses.delete(token);
        continue;
      }
      const type = eventType(token);
      if (!type) continue;
      keys++;
      if (type === 'CUSTOM') {
        custom = true;
      } else if (type === 'ALL') {
        this.eventAll = false;
        this.types.clear();
      } else {
        if (this.eventAll) {
          this.eventAll = false;
          for (const name of EVENT_NAMES) if (name !== 'ALL') this.types.add(name);
        }
        this.types.delete(type);
      }
    }
    if (keys === 0) {
      this.reply('-ERR no keywords supplied');
      return;
    }
    this.eventsEnabled = true;
    this.reply('+OK events nixed');
  }

  private clearSubscriptions(): void {
    this.eventsEnabled = false;
    this.eventAll = false;
    this.types.clear();
    this.subclasses.clear();
    this.allSubclasses = false;
  }

  // ------------------------------------------------------------------ delivery

  /** event_handler: subscription, then filters, then myevents. */
  private wants(event: FsEvent): boolean {
    if (!this.eventsEnabled) return false;
    let send = false;
    if (this.eventAll) {
      send = true;
    } else if (this.types.has(event.name)) {
      send = event.name !== 'CUSTOM' || !event.subclass || this.allSubclasses || this.subclasses.has(event.subclass);
    }
    if (send && this.filters.length > 0) send = this.passesFilters(event);
    if (send && this.myevents) {
      const uuid = event.get('Unique-ID');
      const own = this.session?.uuid;
      if (!uuid || (own && uuid !== own)) send = false;
      if (own && event.get('Job-Owner-UUID') === own) send = true;
    }
    return send;
  }

  private passesFilters(event: FsEvent): boolean {
    let send = false;
    for (const [name, value] of this.filters) {
      const actual = event.get(name);
      if (actual === undefined) continue;
      let i = 0;
      let positive = true;
      while (i < value.length && (value[i] === '+' || value[i] === '-' || value[i] === ' ')) {
        if (value[i] === '+') positive = true;
        else if (value[i] === '-') positive = false;
        i++;
      }
      const compareTo = value.slice(i);
      if (send && positive) continue;
      let match: boolean;
      if (value.startsWith('/')) {
        try {
          match = new RegExp(compareTo.replace(/^\//, '').replace(/\/$/, '')).test(actual);
        } catch {
          match = false;
        }
      } else {
        match = actual.toLowerCase() === compareTo.toLowerCase();
      }
      if (match) {
        if (positive) send = true;
        else return false;
      }
    }
    return send;
  }

  private sendEvent(event: FsEvent): void {
    this.host.counters.eventsDelivered++;
    this.write(eventFrame(event, this.format));
  }

  // ------------------------------------------------------------------ output and end

  private reply(text: string): void {
    this.write(commandReply(text));
  }

  private write(data: string | Buffer): void {
    if (this.closed) return;
    this.host.counters.eslBytesSent += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    this.socket.write(data);
  }

  /** listener_run's exit: the disconnect notice, then close (FreeSWITCH closes the socket). */
  private finish(): void {
    if (this.closed) return;
    this.running = false;
    const { head, body } = disconnectNotice(GOODBYE, this.session?.uuid);
    // The notice's headers and its body go out as two writes, as send_disconnect does.
    this.write(head);
    this.write(body);
    this.socket.end();
    this.cleanup();
  }

  private cleanup(): void {
    if (this.closed) return;
    this.closed = true;
    this.running = false;
    this.pending.length = 0;
    this.held = [];
    clearTimeout(this.firstCommandTimer);
    clearTimeout(this.lingerTimer);
    const session = this.session;
    this.host.listenerClosed(this);
    if (session) session.release(this);
  }

  /** @internal for stats: an outbound socket counts as connected once `connect` was sent. */
  get didConnect(): boolean {
    return this.connected;
  }
}
