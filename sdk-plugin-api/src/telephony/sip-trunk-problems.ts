/**
 * Everything about a trunk's options the schema cannot say: addresses that must parse, values
 * that depend on each other, numbers that must be numbers. One function, so check-config, a
 * plugin's setup() and a hand-built SipTrunkCarrier all find the same problems, each with the
 * path inside the trunk's options and the fix.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { PluginOptionProblem } from '../plugin.js';
import { checkIpRange } from './ip-ranges.js';
import { formatCallingNumber, DEFAULT_NUMBER_RULES, type TrunkNumberRules } from './trunk-numbers.js';
import { GENERIC_TRUNK_PROFILE, type SipTrunkOptions, type TrunkProfile } from './sip-trunk-schema.js';

/** Carrier ids become FreeSWITCH gateway names, file names and ACL list names. */
export const CARRIER_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,39}$/;

/** Gateway params the trunk options set themselves; `params` may not override them. */
const OWN_PARAMS = ['proxy', 'realm', 'from-domain', 'username', 'password', 'register', 'register-transport', 'caller-id-in-from', 'context', 'extension', 'ping'];

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** Why a `host[:port]` is unusable, or undefined when it is fine. */
export function hostPortProblem(text: string): { message: string; fix: string } | undefined {
  const example = 'write host[:port], e.g. sip.example.cn:5060, 203.0.113.10 or [2001:db8::10]:5060';
  if (/^sips?:/i.test(text)) return { message: `'${text}' starts with a URI scheme`, fix: `${example}, without sip:` };
  if (text.includes(';')) return { message: `'${text}' carries URI parameters`, fix: `${example}; set gateway.transport for ;transport=` };
  let host: string;
  let port: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) {
    [, host, port] = bracketed as unknown as [string, string, string | undefined];
    if (!isIPv6(host)) return { message: `'${host}' is not an IPv6 address`, fix: example };
  } else {
    if ((text.match(/:/g) ?? []).length > 1) return { message: `'${text}' looks like an IPv6 address without brackets`, fix: 'write IPv6 proxies as [2001:db8::10]:5060' };
    [host, port] = text.split(':') as [string, string | undefined];
    if (!isIPv4(host) && (!HOST_NAME.test(host) || /^\d+(\.\d+)*$/.test(host))) return { message: `'${host}' is not a host name or IP address`, fix: example };
  }
  if (port !== undefined && !(/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) {
    return { message: `'${text}' has an invalid port`, fix: 'a port is 1 to 65535 (SIP listens on 5060, or 5061 for TLS)' };
  }
  return undefined;
}

/**
 * Blank entries stand for "not set": configs fill lists and numbers from environment variables,
 * and `${env:X:-}` of an unset variable is ''.
 */
export function isBlank(value: string | undefined): boolean {
  return value === undefined || value.trim() === '';
}

/** Number rules with defaults applied and blank values dropped. */
export function resolveNumberRules(numbers: Partial<TrunkNumberRules> = {}): TrunkNumberRules {
  const rules: TrunkNumberRules = { ...DEFAULT_NUMBER_RULES, ...numbers, localMobileSegments: (numbers.localMobileSegments ?? []).filter((s) => !isBlank(s)) };
  if (isBlank(rules.areaCode)) delete rules.areaCode;
  return rules;
}

/** Problems of one trunk's (schema-validated) options, with paths relative to the trunk. */
export function sipTrunkProblems(trunk: SipTrunkOptions, profile: TrunkProfile = GENERIC_TRUNK_PROFILE): PluginOptionProblem[] {
  const problems: PluginOptionProblem[] = [];
  const add = (path: Array<string | number>, message: string, fix: string) => problems.push({ path, message, fix, code: 'VAPI_ERR_CARRIER_CONFIG' });
  const gateway = trunk.gateway ?? {};
  const register = profile.registration === 'optional' && (gateway.register ?? profile.defaultRegister);

  if (!isBlank(gateway.proxy)) {
    const bad = hostPortProblem(gateway.proxy!);
    if (bad) add(['gateway', 'proxy'], bad.message, bad.fix);
  } else if (profile.proxyRequired) {
    add(['gateway', 'proxy'], 'is required', "set gateway.proxy to the carrier's SIP address, host[:port]");
  }
  if (!isBlank(gateway.realm) && hostPortProblem(gateway.realm!)) add(['gateway', 'realm'], `'${gateway.realm}' is not a host name`, 'set the realm the carrier gives (usually its SIP domain), or leave it out');
  if (register) {
    if (isBlank(gateway.username)) add(['gateway', 'username'], 'is required when gateway.register is true', 'set the SIP account the carrier gave you, or set gateway.register: false for an IP trunk');
    if (isBlank(gateway.password)) add(['gateway', 'password'], 'is required when gateway.register is true', 'set the SIP password from an environment variable: password: ${env:CARRIER_SIP_PASSWORD}');
  }
  for (const key of Object.keys(gateway.params ?? {})) {
    if (OWN_PARAMS.includes(key)) add(['gateway', 'params', key], `'${key}' is set by the trunk options`, `remove it from params and set it through the gateway options (proxy, realm, fromDomain, username, password, register, transport, callerIdInFrom, pingSeconds)`);
    else if (!/^[a-z0-9][a-z0-9-]*$/.test(key)) add(['gateway', 'params', key], `'${key}' is not a FreeSWITCH gateway param name`, 'param names are lower-case words joined by -, e.g. expire-seconds');
  }

  const codecs = trunk.codecs ?? [];
  codecs.forEach((codec, i) => {
    if (codecs.indexOf(codec) !== i) add(['codecs', i], `'${codec}' is listed twice`, 'list each codec once, preferred first');
  });

  const ips = trunk.inboundIps ?? [];
  ips.forEach((entry, i) => {
    if (isBlank(entry)) return;
    const checked = checkIpRange(entry);
    if (!checked.ok) add(['inboundIps', i], checked.message, checked.fix);
  });
  if (!register && ips.every(isBlank)) {
    add(
      ['inboundIps'],
      'a trunk that does not register needs the addresses the carrier sends calls from: inbound calls are recognised by their source address',
      profile.registration === 'never'
        ? "add the PBX's signalling addresses, e.g. inboundIps: [10.1.1.20]"
        : "add the carrier's signalling addresses (its console or support lists them), or set gateway.register: true if the carrier gave you an account",
    );
  }

  const numbers = resolveNumberRules(trunk.numbers);
  if (numbers.areaCode !== undefined && !/^0(10|2\d|[3-9]\d\d)$/.test(numbers.areaCode)) {
    add(['numbers', 'areaCode'], `'${numbers.areaCode}' is not a Chinese area code`, 'write it with its leading 0: 010, 021, 0571');
  }
  if (numbers.stripLocalAreaCode && !numbers.areaCode) add(['numbers', 'stripLocalAreaCode'], 'needs numbers.areaCode', "set numbers.areaCode to the trunk's own area code");
  if (!/^[0-9*#]{0,12}$/.test(numbers.dialPrefix)) add(['numbers', 'dialPrefix'], `'${numbers.dialPrefix}' is not a dial prefix`, 'use up to 12 digits (or * #), as agreed with the carrier');
  if (numbers.mobileZeroPrefix !== 'never' && numbers.format !== 'national') {
    add(['numbers', 'mobileZeroPrefix'], `applies to national numbers only, but numbers.format is '${numbers.format}'`, "set numbers.format: national, or numbers.mobileZeroPrefix: never");
  }
  if (numbers.mobileZeroPrefix === 'out-of-area' && numbers.localMobileSegments.length === 0) {
    add(['numbers', 'localMobileSegments'], "is empty, so 'out-of-area' would put a 0 before every mobile", "list the trunk's local mobile segments (first 3-7 digits, e.g. 1380013), or set mobileZeroPrefix: always");
  }
  numbers.localMobileSegments.forEach((segment, i) => {
    if (!/^1[3-9]\d{1,5}$/.test(segment)) add(['numbers', 'localMobileSegments', i], `'${segment}' is not a mobile number segment`, 'write the first 3 to 7 digits of local mobiles, e.g. 1380013');
  });

  const callerId = trunk.callerId ?? {};
  if (!isBlank(callerId.default)) {
    try {
      formatCallingNumber(callerId.default!, numbers, { carrier: 'check', path: '' });
    } catch {
      add(['callerId', 'default'], `'${callerId.default}' is not a phone number`, 'write one of the numbers the carrier assigned to you, e.g. 057188886666 or 13800138000');
    }
  }
  (callerId.allowed ?? []).forEach((entry, i) => {
    if (isBlank(entry) || /^\d{3,}\*$/.test(entry)) return;
    try {
      formatCallingNumber(entry, numbers, { carrier: 'check', path: '' });
    } catch {
      add(['callerId', 'allowed', i], `'${entry}' is not a phone number or a prefix`, 'write a number (057188886666) or a prefix in national form ending in * (05718888*)');
    }
  });
  return problems;
}

/** Problems of a carrier plugin's `trunks` map: ids and each trunk, with paths from the options root. */
export function carrierPluginProblems(options: { trunks?: Record<string, SipTrunkOptions> }, profile: TrunkProfile): PluginOptionProblem[] {
  const trunks = options.trunks ?? {};
  const ids = Object.keys(trunks);
  if (ids.length === 0) {
    return [{ path: ['trunks'], message: 'has no trunks', fix: 'add a trunk under trunks, keyed by its carrier id: trunks: { main: { gateway: { proxy: … } } }', code: 'VAPI_ERR_CARRIER_CONFIG' }];
  }
  const problems: PluginOptionProblem[] = [];
  for (const id of ids) {
    if (!CARRIER_ID_PATTERN.test(id)) {
      problems.push({ path: ['trunks', id], message: `'${id}' is not a usable carrier id`, fix: 'use lower-case letters, digits, - and _ (up to 40), e.g. aliyun-sh', code: 'VAPI_ERR_CARRIER_CONFIG' });
      continue;
    }
    for (const problem of sipTrunkProblems(trunks[id]!, profile)) problems.push({ ...problem, path: ['trunks', id, ...problem.path] });
  }
  return problems;
}
