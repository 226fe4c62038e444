import { randomUUID } from 'node:crypto';
import { hostname as osHostname } from 'node:os';

/**
 * A FreeSWITCH event: ordered headers (duplicates allowed, as switch_event keeps them; e.g.
 * CHANNEL_HANGUP_COMPLETE carries Hangup-Cause twice) and an optional body.
 */
export class FsEvent {
  readonly headers: Array<[string, string]> = [];
  body: string | undefined;
  /** Serializations are cached: one event goes to many listeners. */
  readonly cache: { plain?: string; json?: string; xml?: string } = {};

  constructor(readonly name: string, readonly subclass?: string) {}

  add(name: string, value: string | number | boolean | undefined | null): this {
    if (value === undefined || value === null) return this;
    this.headers.push([name, String(value)]);
    return this;
  }

  addAll(headers: Iterable<readonly [string, string]>): this {
    for (const [name, value] of headers) this.headers.push([name, value]);
    return this;
  }

  /** First header with that name, case-insensitively (switch_event_get_header). */
  get(name: string): string | undefined {
    const lower = name.toLowerCase();
    for (const [key, value] of this.headers) if (key.toLowerCase() === lower) return value;
    return undefined;
  }

  /** The headers as a plain object (later duplicates win, as a JSON parser would see them). */
  toObject(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [key, value] of this.headers) out[key] = value;
    if (this.body !== undefined) out._body = this.body;
    return out;
  }
}

export interface CoreIdentity {
  readonly coreUuid: string;
  readonly hostname: string;
  readonly switchname: string;
  readonly ipv4: string;
  readonly ipv6: string;
}

/** Where an event comes from in FreeSWITCH's source: Event-Calling-File/Function/Line-Number. */
export type CallingSite = readonly [file: string, func: string, line: number];

const DEFAULT_SITES: Record<string, CallingSite> = {
  BACKGROUND_JOB: ['mod_event_socket.c', 'api_exec', 1572],
  CHANNEL_CREATE: ['switch_core_state_machine.c', 'switch_core_session_run', 626],
  CHANNEL_STATE: ['switch_channel.c', 'switch_channel_perform_set_running_state', 2408],
  CHANNEL_CALLSTATE: ['switch_channel.c', 'switch_channel_perform_set_callstate', 301],
  CHANNEL_ANSWER: ['switch_channel.c', 'switch_channel_perform_mark_answered', 3846],
  CHANNEL_PROGRESS: ['switch_channel.c', 'switch_channel_perform_mark_ring_ready_value', 3505],
  CHANNEL_PROGRESS_MEDIA: ['switch_channel.c', 'switch_channel_perform_mark_pre_answered', 3695],
  CHANNEL_EXECUTE: ['switch_core_session.c', 'switch_core_session_exec', 2944],
  CHANNEL_EXECUTE_COMPLETE: ['switch_core_session.c', 'switch_core_session_exec', 2984],
  CHANNEL_PARK: ['switch_ivr.c', 'switch_ivr_park', 1001],
  CHANNEL_UNPARK: ['switch_ivr.c', 'switch_ivr_park', 1396],
  CHANNEL_HANGUP: ['switch_channel.c', 'switch_channel_perform_hangup', 3606],
  CHANNEL_HANGUP_COMPLETE: ['switch_core_state_machine.c', 'switch_core_session_reporting_state', 943],
  CHANNEL_DESTROY: ['switch_core_session.c', 'switch_core_session_perform_destroy', 1714],
  CHANNEL_DATA: ['mod_event_socket.c', 'parse_command', 2021],
  DTMF: ['switch_channel.c', 'switch_channel_dequeue_dtmf', 677],
  PLAYBACK_START: ['switch_ivr_play_say.c', 'switch_ivr_play_file', 1646],
  PLAYBACK_STOP: ['switch_ivr_play_say.c', 'switch_ivr_play_file', 2020],
  HEARTBEAT: ['switch_core.c', 'send_heartbeat', 95],
  RE_SCHEDULE: ['switch_scheduler.c', 'switch_scheduler_execute', 73],
  CUSTOM: ['mod_audio_stream.c', 'responseHandler', 16],
};

/**
 * Creates events the way switch_event_create does: Event-Subclass (CUSTOM only) and Event-Name,
 * then the standard headers of switch_event_prep_for_delivery, with a global Event-Sequence.
 */
export class EventFactory {
  private sequence = 0;
  readonly identity: CoreIdentity;

  constructor(identity?: Partial<CoreIdentity>) {
    const host = identity?.hostname ?? osHostname();
    this.identity = {
      coreUuid: identity?.coreUuid ?? randomUUID(),
      hostname: host,
      switchname: identity?.switchname ?? host,
      ipv4: identity?.ipv4 ?? '127.0.0.1',
      ipv6: identity?.ipv6 ?? '::1',
    };
  }

  create(name: string, options: { subclass?: string; site?: CallingSite } = {}): FsEvent {
    const event = new FsEvent(name, options.subclass);
    if (options.subclass !== undefined) event.add('Event-Subclass', options.subclass);
    event.add('Event-Name', name);
    const { coreUuid, hostname, switchname, ipv4, ipv6 } = this.identity;
    const micros = nowMicros();
    const site = options.site ?? DEFAULT_SITES[name] ?? ['switch_event.c', 'switch_event_fire_detailed', 2089];
    event
      .add('Core-UUID', coreUuid)
      .add('FreeSWITCH-Hostname', hostname)
      .add('FreeSWITCH-Switchname', switchname)
      .add('FreeSWITCH-IPv4', ipv4)
      .add('FreeSWITCH-IPv6', ipv6)
      .add('Event-Date-Local', formatLocalDate(micros))
      .add('Event-Date-GMT', new Date(micros / 1000).toUTCString())
      .add('Event-Date-Timestamp', micros)
      .add('Event-Calling-File', site[0])
      .add('Event-Calling-Function', site[1])
      .add('Event-Calling-Line-Number', site[2])
      .add('Event-Sequence', ++this.sequence);
    return event;
  }
}

let lastMicros = 0;
/** Wall-clock microseconds, strictly increasing (FreeSWITCH timestamps never go backwards). */
export function nowMicros(): number {
  const micros = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  lastMicros = micros > lastMicros ? micros : lastMicros + 1;
  return lastMicros;
}

/** `2026-11-22 04:31:24` in local time, FreeSWITCH's Event-Date-Local and *_stamp format. */
export function formatLocalDate(micros: number): string {
  const d = new Date(micros / 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
