import { randomUUID } from 'node:crypto';
import type { EmulatedCall, EmulatedCallInit } from './emulated-call.js';
import { isHangupCause } from './hangup-causes.js';
import { cleanup, separateString } from './separate-string.js';

/**
 * `originate <call url> <exten>|&<app>(<args>) [<dialplan>] [<context>] [<cid_name>] [<cid_num>] [<timeout_sec>]`
 * (mod_commands originate_function). The far end is scripted by the test through
 * `emulator.onOriginate(attempt => script)`; the channel events follow the
 * esl_inbound_bgapi_originate capture: CHANNEL_CREATE, CHANNEL_PROGRESS (or _MEDIA),
 * CHANNEL_ANSWER, then `+OK <uuid>\n`; a failure hangs the channel up and answers `-ERR <CAUSE>\n`.
 */
export interface OriginateAttempt {
  /** The call URL as given, `{...}` variables included. */
  readonly dialString: string;
  /** The endpoint without the variables, e.g. `sofia/gateway/carrier/13800138000`. */
  readonly endpoint: string;
  /** `sofia/gateway/<gateway>/...`, else undefined. */
  readonly gateway: string | undefined;
  /** `sofia/<profile>/...` (not a gateway), else undefined. */
  readonly profile: string | undefined;
  /** The dialled number (user part). */
  readonly number: string;
  /** `{var=value,...}` and `[var=value]` variables of the dial string. */
  readonly variables: Readonly<Record<string, string>>;
  /** `&park()`, `&socket(...)` or an extension. */
  readonly destination: string;
  readonly timeoutSec: number;
  /** The channel being originated (not announced yet when the script is asked). */
  readonly call: EmulatedCall;
}

export type OriginateScript =
  | { outcome: 'answer'; ringMs?: number; earlyMedia?: boolean; callerAudio?: Int16Array }
  | { outcome: 'busy'; ringMs?: number }
  | { outcome: 'no-answer'; ringMs?: number }
  | { outcome: 'fail'; cause: string; ringMs?: number };

export type OriginateHandler = (attempt: OriginateAttempt) => OriginateScript | Promise<OriginateScript>;

export interface OriginateHost {
  handler: OriginateHandler | undefined;
  findCall(uuid: string): EmulatedCall | undefined;
  /** Builds a channel (not yet registered or announced). */
  createCall(init: EmulatedCallInit): EmulatedCall;
  /** Registers the channel and fires CHANNEL_CREATE. */
  launch(call: EmulatedCall): void;
  readonly record: boolean;
}

export const ORIGINATE_USAGE =
  '-USAGE: <call url> <exten>|&<application_name>(<app_args>) [<dialplan>] [<context>] [<cid_name>] [<cid_num>] [<timeout_sec>]\n';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

export async function originate(host: OriginateHost, argText: string): Promise<string> {
  const argv: Array<string | undefined> = separateString(argText, 10);
  if (argv.length < 2 || argv.length > 7) return ORIGINATE_USAGE;
  for (let i = 0; i < argv.length; i++) if (argv[i]?.toLowerCase() === 'undef') argv[i] = undefined;
  const [url, exten, dialplan, context, cidName, cidNum, timeoutArg] = argv;
  if (!url || !exten) return ORIGINATE_USAGE;

  const { variables, endpoint } = parseDialString(url);
  const target = parseEndpoint(endpoint);
  if ('error' in target) return `-ERR ${target.error}\n`;
  const uuid = variables.origination_uuid || randomUUID();
  if (host.findCall(uuid)) return '-ERR DESTINATION_OUT_OF_ORDER\n';
  const timeoutSec = Number.parseInt(variables.originate_timeout ?? timeoutArg ?? '60', 10) || 60;
  const callerIdName = variables.origination_caller_id_name ?? cidName ?? 'FreeSWITCH';
  const callerIdNumber = variables.origination_caller_id_number ?? cidNum ?? '0000000000';
  const channelName = target.gateway ? `sofia/gateway/${target.gateway}/${target.number}` : endpoint;

  const call = host.createCall({
    uuid,
    direction: 'outbound',
    record: host.record,
    codecFromStart: false,
    profile: {
      direction: 'outbound',
      callerIdName,
      callerIdNumber,
      origCallerIdName: callerIdName,
      origCallerIdNumber: callerIdNumber,
      calleeIdName: 'Outbound Call',
      calleeIdNumber: target.number,
      ani: callerIdNumber,
      destinationNumber: target.number,
      source: 'src/switch_ivr_originate.c',
      context: context ?? 'default',
      dialplan: undefined,
      channelName,
    },
    variables: [
      ['direction', 'outbound'],
      ['is_outbound', 'true'],
      ['uuid', uuid],
      ['call_uuid', uuid],
      ['session_id', String(Math.floor(Math.random() * 100000))],
      ['sip_profile_name', target.profile ?? 'external'],
      ['video_media_flow', 'disabled'],
      ['text_media_flow', 'disabled'],
      ['channel_name', channelName],
      ['sip_destination_url', `sip:${target.number}@${target.gateway ?? '127.0.0.1'}`],
      ...(target.gateway ? ([['sip_gateway_name', target.gateway]] as Array<[string, string]>) : []),
      ...Object.entries(variables),
      ['originate_early_media', 'true'],
      ['originate_endpoint', endpoint.split('/')[0]],
      ['rtp_use_codec_string', 'PCMA,PCMU'],
      ['local_media_ip', '127.0.0.1'],
      ['advertised_media_ip', '127.0.0.1'],
      ['audio_media_flow', 'sendrecv'],
      ['sofia_profile_name', target.profile ?? 'external'],
      ['recovery_profile_name', target.profile ?? 'external'],
    ],
  });

  const attempt: OriginateAttempt = {
    dialString: url, endpoint, gateway: target.gateway, profile: target.profile, number: target.number,
    variables, destination: exten, timeoutSec, call,
  };
  let script: OriginateScript;
  try {
    script = host.handler ? await host.handler(attempt) : { outcome: 'answer' };
    validateScript(script);
  } catch (error) {
    // A script that throws is a test bug: fail the call visibly rather than hang.
    script = { outcome: 'fail', cause: 'NORMAL_TEMPORARY_FAILURE' };
    process.emitWarning(`FreeSwitchEmulator: originate script failed: ${(error as Error).message}`);
  }

  host.launch(call);
  await sleep(20);
  if (call.hangupCause !== undefined) return `-ERR ${call.hangupCause}\n`;
  if (script.outcome === 'answer' && script.earlyMedia) call.markPreAnswered();
  else call.markRingReady();

  const timeoutMs = timeoutSec * 1000;
  const ringMs = Math.min(script.ringMs ?? (script.outcome === 'no-answer' ? timeoutMs : 0), timeoutMs);
  await waitUnlessHungUp(call, ringMs);
  if (call.hangupCause !== undefined) return `-ERR ${call.hangupCause}\n`;

  switch (script.outcome) {
    case 'busy':
      call.hangupWith('USER_BUSY');
      return '-ERR USER_BUSY\n';
    case 'no-answer':
      call.hangupWith('NO_ANSWER');
      return '-ERR NO_ANSWER\n';
    case 'fail':
      call.hangupWith(script.cause);
      return `-ERR ${script.cause}\n`;
    case 'answer':
      if (script.callerAudio) call.say(script.callerAudio);
      call.markAnswered();
      setImmediate(() => runDestination(call, exten, dialplan, context));
      return `+OK ${uuid}\n`;
  }
}

/** After the answer: `&app(args)` runs that app; an extension goes through the (emulated) dialplan. */
function runDestination(call: EmulatedCall, exten: string, dialplan: string | undefined, context: string | undefined): void {
  if (call.hangupCause !== undefined) return;
  call.setState('CS_EXECUTE', 4);
  if (exten.startsWith('&') && exten.length > 1) {
    // mod_commands cuts at the first ')' and the first '(' — `&playback(tone_stream://%(2000,0,440))`
    // really runs playback with `tone_stream://%(2000,0,440`, as the capture shows.
    let app = exten.slice(1);
    const close = app.indexOf(')');
    if (close >= 0) app = app.slice(0, close);
    const open = app.indexOf('(');
    const name = open >= 0 ? app.slice(0, open) : app;
    const arg = open >= 0 ? app.slice(open + 1) : '';
    call.execute({ name, arg, source: 'originate' });
    return;
  }
  call.profile.destinationNumber = exten;
  call.profile.dialplan = dialplan ?? 'XML';
  call.profile.context = context ?? 'default';
  call.execute({ name: 'park', arg: '', source: 'dialplan' });
}

async function waitUnlessHungUp(call: EmulatedCall, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end && call.hangupCause === undefined) await sleep(Math.min(50, end - Date.now()));
}

function validateScript(script: OriginateScript): void {
  if (!script || typeof script !== 'object') throw new TypeError('the originate script must be an object');
  const outcomes = ['answer', 'busy', 'no-answer', 'fail'];
  if (!outcomes.includes(script.outcome)) throw new TypeError(`unknown originate outcome "${String(script.outcome)}" (one of ${outcomes.join(', ')})`);
  if (script.ringMs !== undefined && !(Number.isFinite(script.ringMs) && script.ringMs >= 0)) throw new TypeError('ringMs must be a number >= 0');
  if (script.outcome === 'fail' && !isHangupCause(script.cause)) throw new TypeError(`"${script.cause}" is not a FreeSWITCH hangup cause`);
}

/** `{a=1,b='x,y'}[c=2]sofia/...`: global and per-leg variables, then the endpoint. */
export function parseDialString(url: string): { variables: Record<string, string>; endpoint: string } {
  const variables: Record<string, string> = {};
  let rest = url;
  for (;;) {
    const open = rest[0];
    const close = open === '{' ? '}' : open === '[' ? ']' : open === '<' ? '>' : undefined;
    if (!close) break;
    const end = rest.indexOf(close);
    if (end < 0) break;
    for (const pair of splitVariables(rest.slice(1, end))) {
      const eq = pair.indexOf('=');
      if (eq > 0) variables[pair.slice(0, eq).trim()] = pair.slice(eq + 1);
    }
    rest = rest.slice(end + 1);
  }
  return { variables, endpoint: rest };
}

/** switch_separate_string with a character delimiter: quotes group, `\<delim>` is a literal delimiter. */
function splitVariables(text: string): string[] {
  let delimiter = ',';
  if (text.startsWith('^^') && text.length > 2) {
    delimiter = text[2];
    text = text.slice(3);
  }
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length) {
      current += c + text[++i];
      continue;
    }
    if (c === "'") quoted = !quoted;
    if (c === delimiter && !quoted) {
      out.push(cleanup(current, delimiter));
      current = '';
    } else {
      current += c;
    }
  }
  if (current) out.push(cleanup(current, delimiter));
  return out;
}

function parseEndpoint(endpoint: string): { gateway?: string; profile?: string; number: string } | { error: string } {
  const parts = endpoint.split('/');
  if (parts[0] === 'error' && parts[1]) return { error: parts[1].toUpperCase() };
  if (parts[0] === 'sofia' && parts[1] === 'gateway' && parts[2] && parts[3]) return { gateway: parts[2], number: parts.slice(3).join('/') };
  if (parts[0] === 'sofia' && parts[1] && parts[2]) return { profile: parts[1], number: parts.slice(2).join('/').split('@')[0] };
  if ((parts[0] === 'user' || parts[0] === 'loopback') && parts[1]) return { number: parts[1].split('@')[0] };
  if (parts[0] === 'sofia' || parts[0] === 'user' || parts[0] === 'loopback') return { error: 'INVALID_URL' };
  return { error: 'CHAN_NOT_IMPLEMENTED' };
}
