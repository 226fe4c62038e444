import { randomUUID } from 'node:crypto';
import { uuidAudioStream } from './audio-stream-api.js';
import { basicData, profileData, variableData } from './channel-data.js';
import type { EmulatedCall } from './emulated-call.js';
import { serializeEvent, type EventFormat } from './event-serializer.js';
import type { EventFactory } from './fs-event.js';
import { parseHangupCause } from './hangup-causes.js';
import { separateString } from './separate-string.js';

/**
 * The API commands a telephony app uses (`api`/`bgapi`), with mod_commands' output texts
 * (src/mod/applications/mod_commands/mod_commands.c; `-ERR No such channel!` spelling as the
 * 1.10.12 capture shows). An unknown command yields undefined: the ESL layer answers
 * `-ERR <cmd> Command not found!`.
 */
export interface ApiContext {
  readonly events: EventFactory;
  readonly startedAtMs: number;
  readonly maxSessions: number;
  /** A channel that still exists (hung up but not yet destroyed counts, as in FreeSWITCH). */
  findCall(uuid: string): EmulatedCall | undefined;
  liveCalls(): EmulatedCall[];
  sessionsSinceStartup(): number;
  peakSessions(): number;
  originate(args: string): Promise<string>;
  log(level: number, file: string, func: string, line: number, message: string): void;
}

const VERSION = '1.10.12-release';
const NO_SUCH_CHANNEL = '-ERR No such channel!\n';

type Handler = (ctx: ApiContext, args: string | undefined) => string | Promise<string>;

const COMMANDS: Record<string, Handler> = {
  status: (ctx) => statusText(ctx),
  version: (_ctx, args) => (args && /short/i.test(args) ? '1.10.12\n' : `FreeSWITCH Version ${VERSION}~64bit ( 64bit)\n`),
  hostname: (ctx) => ctx.events.identity.hostname,
  switchname: (ctx) => ctx.events.identity.switchname,
  create_uuid: () => randomUUID(),
  echo: (_ctx, args) => args ?? '',
  reloadxml: (ctx) => {
    // What FreeSWITCH logs when the XML (and the timezones with it) is reloaded.
    ctx.log(6, 'switch_time.c', 'switch_load_timezones', 1436, 'Timezone reloaded 0 definitions');
    return '+OK [Success]\n';
  },
  global_getvar: (ctx, args) => {
    const vars: Record<string, string> = {
      hostname: ctx.events.identity.hostname,
      local_ip_v4: ctx.events.identity.ipv4,
      local_ip_v6: ctx.events.identity.ipv6,
      domain: ctx.events.identity.ipv4,
      core_uuid: ctx.events.identity.coreUuid,
      temp_dir: '/tmp',
    };
    if (!args) return Object.entries(vars).map(([k, v]) => `${k}=${v}\n`).join('');
    return vars[args.trim()] ?? '';
  },
  show: (ctx, args) => show(ctx, args),
  uuid_exists: (ctx, args) => (args && ctx.findCall(args) ? 'true' : 'false'),
  uuid_answer: (ctx, args) => answer(ctx, args, (call) => call.markAnswered() || call.state === 'answered'),
  uuid_pre_answer: (ctx, args) => answer(ctx, args, (call) => call.markPreAnswered()),
  uuid_kill: (ctx, args) => {
    if (!args) return '-USAGE: <uuid> [cause]\n';
    const space = args.indexOf(' ');
    const uuid = space < 0 ? args : args.slice(0, space);
    const call = ctx.findCall(uuid);
    if (!call) return NO_SUCH_CHANNEL;
    call.hangupWith(parseHangupCause(space < 0 ? undefined : args.slice(space + 1)));
    return '+OK\n';
  },
  uuid_getvar: (ctx, args) => {
    const argv = args ? separateString(args, 4) : [];
    if (argv.length < 2 || !argv[0]) return '-USAGE: <uuid> <var>\n';
    const call = ctx.findCall(argv[0]);
    if (!call) return NO_SUCH_CHANNEL;
    if (!argv[1]) return '-ERR No variable name specified!\n';
    return call.getVariable(argv[1]) ?? '_undef_';
  },
  uuid_setvar: (ctx, args) => {
    const argv = args ? separateString(args, 3) : [];
    if ((argv.length !== 2 && argv.length !== 3) || !argv[0]) return '-USAGE: <uuid> <var> [value]\n';
    const call = ctx.findCall(argv[0]);
    if (!call) return NO_SUCH_CHANNEL;
    if (!argv[1]) return '-ERR No variable specified\n';
    if (argv.length === 3 && argv[2] !== '' && argv[2] !== '_undef_') call.variables.set(argv[1], argv[2]);
    else call.variables.delete(argv[1]);
    return '+OK\n';
  },
  uuid_setvar_multi: (ctx, args) => {
    const space = args ? args.indexOf(' ') : -1;
    if (!args || space < 0) return '-USAGE: <uuid> <var>=<value>;<var>=<value>...\n';
    const call = ctx.findCall(args.slice(0, space));
    if (!call) return NO_SUCH_CHANNEL;
    let set = 0;
    for (const assignment of args.slice(space + 1).split(';')) {
      const eq = assignment.indexOf('=');
      const name = eq < 0 ? assignment : assignment.slice(0, eq);
      if (!name) continue;
      if (eq < 0 || assignment.slice(eq + 1) === '') call.variables.delete(name);
      else call.variables.set(name, assignment.slice(eq + 1));
      set++;
    }
    return set ? '+OK\n' : '-USAGE: <uuid> <var>=<value>;<var>=<value>...\n';
  },
  uuid_broadcast: (ctx, args) => {
    const argv = args ? separateString(args, 4) : [];
    if (argv.length < 2) return '-USAGE: <uuid> <path> [aleg|bleg|holdb|both]\n';
    const call = ctx.findCall(argv[0]);
    if (!call || call.hangupCause !== undefined) return '-ERR invalid uuid\n';
    const legs = (argv[2] ?? 'aleg').toLowerCase();
    call.broadcasts.push(argv[1]);
    // There is no b-leg in the emulator: only a broadcast to the a-leg reaches the caller.
    if (/aleg|both/.test(legs) || !/bleg|holdb/.test(legs)) call.execute({ name: 'playback', arg: argv[1], source: 'broadcast' });
    return '+OK Message sent\n';
  },
  uuid_break: (ctx, args) => {
    if (!args) return '-USAGE: <uuid> [all]\n';
    const space = args.indexOf(' ');
    const call = ctx.findCall(space < 0 ? args : args.slice(0, space));
    if (!call) return NO_SUCH_CHANNEL;
    call.breaks++;
    call.apps.breakCurrent(space >= 0 && args.slice(space + 1).includes('all'));
    return '+OK\n';
  },
  uuid_transfer: (ctx, args) => {
    const usage = '-USAGE: <uuid> [-bleg|-both] <dest-exten> [<dialplan>] [<context>]\n';
    const argv = args ? separateString(args, 5) : [];
    if (argv.length < 2 || argv.length > 5) return usage;
    const call = ctx.findCall(argv[0]);
    if (!argv[0] || !call) return NO_SUCH_CHANNEL;
    let [, dest, dialplan, context] = argv;
    if (dest.startsWith('-')) [, , dest, dialplan, context] = argv;
    if (!dest || call.hangupCause !== undefined) return '-ERR\n';
    // No bridged b-leg exists here, so -bleg and -both transfer the channel itself.
    setImmediate(() => call.transfer(dest, dialplan || 'XML', context || 'default'));
    return '+OK\n';
  },
  uuid_send_dtmf: (ctx, args) => {
    const argv = args ? separateString(args, 2) : [];
    if (argv.length < 2 || !argv[0] || !argv[1]) return '-USAGE: <uuid> <dtmf_data>\n';
    const call = ctx.findCall(argv[0]);
    if (!call) return '-ERR Cannot locate session!\n';
    if (call.hangupCause !== undefined) return '-ERR Operation failed\n';
    call.dtmfSent += argv[1].split('@')[0].replace(/[^0-9A-Da-d*#wW]/g, '');
    return `+OK ${argv[0]} sent DTMF ${argv[1]}.\n`;
  },
  uuid_park: (ctx, args) => {
    const call = args ? ctx.findCall(args.trim()) : undefined;
    if (!args) return '-USAGE: <uuid>\n';
    if (!call) return NO_SUCH_CHANNEL;
    call.execute({ name: 'park', arg: '', source: 'sendmsg' });
    return '+OK\n';
  },
  uuid_dump: (ctx, args) => {
    const argv = args ? separateString(args, 2) : [];
    if (!argv[0]) return '-USAGE: <uuid> [format]\n';
    const call = ctx.findCall(argv[0]);
    if (!call) return NO_SUCH_CHANNEL;
    const event = ctx.events.create('CHANNEL_DATA', { site: ['mod_commands.c', 'uuid_dump_function', 6054] });
    event.addAll(basicData(call.status)).addAll(profileData(call.profile)).addAll(variableData(call.variables));
    const format = (argv[1] ?? 'txt').toLowerCase();
    return serializeEvent(event, (format === 'json' || format === 'xml' ? format : 'plain') as EventFormat);
  },
  uuid_audio_stream: (ctx, args) => uuidAudioStream(args, (uuid) => ctx.findCall(uuid)),
  originate: (ctx, args) => ctx.originate(args ?? ''),
  hupall: (ctx, args) => {
    const argv = args ? separateString(args, 11) : [];
    const cause = parseHangupCause(argv[0], 'MANAGER_REQUEST');
    const matches: Array<[string, string]> = [];
    for (let i = 1; i + 1 < argv.length; i += 2) if (argv[i] && argv[i + 1]) matches.push([argv[i], argv[i + 1]]);
    for (const call of ctx.liveCalls()) {
      if (matches.every(([name, value]) => call.getVariable(name) === value)) call.hangupWith(cause);
    }
    if (matches.length === 0) return `+OK hangup all channels with cause ${cause}\n`;
    const [name, value] = matches[0];
    return `+OK hangup all channels matching [${name}]=[${value}]${matches.length > 1 ? '...' : ''} with cause: ${cause}\n`;
  },
};

/** Runs an API command; undefined when there is no such command. */
export function runApiCommand(ctx: ApiContext, name: string, args: string | undefined): string | Promise<string> | undefined {
  const handler = COMMANDS[name.toLowerCase()];
  return handler ? handler(ctx, args === '' ? undefined : args) : undefined;
}

function answer(ctx: ApiContext, args: string | undefined, act: (call: EmulatedCall) => boolean): string {
  const call = args ? ctx.findCall(args.trim()) : undefined;
  if (!call || call.hangupCause !== undefined) return '-ERROR\n';
  return act(call) ? '+OK\n' : '-ERROR\n';
}

function statusText(ctx: ApiContext): string {
  let micros = Math.floor((performance.now() - ctx.startedAtMs) * 1000);
  const units: Array<[string, number]> = [['year', 31536000e6], ['day', 86400e6], ['hour', 3600e6], ['minute', 60e6], ['second', 1e6], ['millisecond', 1e3], ['microsecond', 1]];
  const parts = units.map(([name, size]) => {
    const n = Math.floor(micros / size);
    micros -= n * size;
    return `${n} ${name}${n === 1 ? '' : 's'}`;
  });
  const live = ctx.liveCalls().length;
  const peak = ctx.peakSessions();
  return (
    `UP ${parts.join(', ')}\n` +
    `FreeSWITCH (Version ${VERSION}  64bit) is ready\n` +
    `${ctx.sessionsSinceStartup()} session(s) since startup\n` +
    `${live} session(s) - peak ${peak}, last 5min ${peak} \n` +
    `0 session(s) per Sec out of max 30, peak 0, last 5min 0 \n` +
    `${ctx.maxSessions} session(s) max\n` +
    'min idle cpu 0.00/100.00\n' +
    'Current Stack Size/Max 240K/8192K\n'
  );
}

const SHOW_USAGE =
  '-USAGE: codec|endpoint|application|api|dialplan|file|timer|calls [count]|channels [count|like <match string>]|calls|detailed_calls|bridged_calls|detailed_bridged_calls|aliases|complete|chat|management|modules|nat_map|say|interfaces|interface_types|tasks|limits|status\n';

/** `show channels [count|like <text>] [as json|xml|delim]` over the channels of the emulator. */
function show(ctx: ApiContext, args: string | undefined): string {
  const argv = args ? separateString(args, 6) : [];
  const what = argv[0]?.toLowerCase();
  if (what === 'status') return statusText(ctx);
  if (what !== 'channels' && what !== 'calls') return SHOW_USAGE;
  let as: string | undefined;
  let count = false;
  let like: string | undefined;
  if (argv[1]?.toLowerCase() === 'as') as = argv[2];
  else if (argv[1]?.toLowerCase() === 'count') {
    count = true;
    if (argv[2]?.toLowerCase() === 'as') as = argv[3];
  } else if (argv[1]?.toLowerCase() === 'like') {
    like = argv[2];
    if (argv[3]?.toLowerCase() === 'as') as = argv[4];
  }
  const hostname = ctx.events.identity.hostname;
  let rows = ctx.liveCalls().map((call) => call.channelRow(hostname));
  if (like) {
    const needle = like.replace(/%/g, '');
    rows = rows.filter((row) => ['uuid', 'name', 'cid_name', 'cid_num', 'presence_data', 'accountcode'].some((k) => row[k].includes(needle)));
  }
  const format = (as ?? 'delim').toLowerCase();
  if (format === 'json') {
    if (rows.length === 0 && !count) return '{"row_count": 0}\n';
    return JSON.stringify({ row_count: rows.length, rows: count ? [] : rows });
  }
  if (format === 'xml') {
    if (rows.length === 0) return '<result row_count="0"/>\n';
    let xml = `<result row_count="${rows.length}">\n`;
    rows.forEach((row, i) => {
      xml += `  <row row_id="${i + 1}">\n`;
      for (const [k, v] of Object.entries(row)) xml += v === '' ? `    <${k}/>\n` : `    <${k}>${v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</${k}>\n`;
      xml += '  </row>\n';
    });
    return `${xml}</result>\n`;
  }
  if (format !== 'delim' && format !== 'csv') return `-ERR Cannot find format ${as}\n`;
  let out = '';
  if (!count && rows.length > 0) {
    out += Object.keys(rows[0]).join(',') + '\n';
    for (const row of rows) out += Object.values(row).join(',') + '\n';
  }
  return `${out}\n${rows.length} total.\n`;
}
