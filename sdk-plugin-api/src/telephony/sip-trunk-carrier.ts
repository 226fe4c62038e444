/**
 * A Carrier built from a trunk's options: what every carrier plugin provides. Vendor plugins
 * differ only in their schema profile and defaults; the behaviour (numbers, caller ID, dial
 * strings) lives here once.
 */
import type { Carrier, DialStringOptions, DtmfMode, GatewayConfig } from '../carrier.js';
import { VapiError } from '../errors.js';
import type { PluginOptionProblem } from '../plugin.js';
import { chooseCallerId, DEFAULT_CALLER_ID_RULES, type CallerIdRules } from './caller-id-rules.js';
import { checkIpRange } from './ip-ranges.js';
import { GENERIC_TRUNK_PROFILE, type SipTrunkOptions, type TrunkProfile } from './sip-trunk-schema.js';
import { CARRIER_ID_PATTERN, isBlank, resolveNumberRules, sipTrunkProblems } from './sip-trunk-problems.js';
import { formatCalledNumber, formatCallingNumber, type NumberContext, type TrunkNumberRules } from './trunk-numbers.js';

export interface SipTrunkCarrierMeta {
  /** Default `sip-trunk`. */
  vendor?: string;
  /** Config path of the trunk's options, for error fixes. */
  configPath?: string;
  /** The vendor profile the options were validated against (defaults when options leave things out). */
  profile?: TrunkProfile;
}

/** Formats option problems as one error: VAPI_ERR_CARRIER_CONFIG, every problem with its path and fix. */
export function carrierConfigError(where: string, problems: PluginOptionProblem[]): VapiError {
  const pathOf = (p: PluginOptionProblem) => where + p.path.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('');
  const lines = problems.map((p) => `${pathOf(p)}: ${p.message} (fix: ${p.fix})`);
  return new VapiError(`invalid carrier options: ${lines.join('; ')}`, {
    code: 'VAPI_ERR_CARRIER_CONFIG',
    category: 'invalid_request',
    details: { problems: problems.map((p) => ({ path: pathOf(p), message: p.message, fix: p.fix })) },
    fix: problems[0]!.fix + (problems.length > 1 ? ` (and ${problems.length - 1} more: run vapi-cn check-config)` : ''),
  });
}

const VARIABLE_NAME = /^[A-Za-z0-9_]+$/;

export class SipTrunkCarrier implements Carrier {
  readonly id: string;
  readonly vendor: string;
  readonly gateway: GatewayConfig;
  readonly codecs: string[];
  readonly dtmfMode: DtmfMode;
  readonly inboundIps: string[];
  readonly maxConcurrentCalls?: number;
  readonly numberRules: TrunkNumberRules;
  readonly callerIdRules: CallerIdRules;
  private readonly where: NumberContext;

  /** Throws VAPI_ERR_CARRIER_CONFIG when the options have problems (the same ones check-config reports). */
  constructor(id: string, options: SipTrunkOptions, meta: SipTrunkCarrierMeta = {}) {
    const profile = meta.profile ?? GENERIC_TRUNK_PROFILE;
    const configPath = meta.configPath ?? `carrier ${id}`;
    const problems = sipTrunkProblems(options, profile);
    if (!CARRIER_ID_PATTERN.test(id)) problems.unshift({ path: [], message: `'${id}' is not a usable carrier id`, fix: 'use lower-case letters, digits, - and _' });
    if (problems.length > 0) throw carrierConfigError(configPath, problems);

    const gateway = options.gateway ?? {};
    const register = profile.registration === 'optional' && (gateway.register ?? profile.defaultRegister);
    this.id = id;
    this.vendor = meta.vendor ?? 'sip-trunk';
    this.gateway = {
      name: id,
      proxy: gateway.proxy!,
      register,
      transport: gateway.transport ?? 'udp',
      callerIdInFrom: gateway.callerIdInFrom ?? !register,
      ...(gateway.realm ? { realm: gateway.realm } : {}),
      ...(gateway.fromDomain ? { fromDomain: gateway.fromDomain } : {}),
      ...(register && gateway.username ? { username: gateway.username } : {}),
      ...(register && gateway.password ? { password: gateway.password } : {}),
      ...(gateway.pingSeconds ? { pingSeconds: gateway.pingSeconds } : {}),
      params: { ...gateway.params },
    };
    this.codecs = [...(options.codecs ?? profile.defaultCodecs)];
    this.dtmfMode = options.dtmfMode ?? profile.defaultDtmfMode;
    this.inboundIps = (options.inboundIps ?? []).filter((entry) => !isBlank(entry)).map((entry) => (checkIpRange(entry) as { cidr: string }).cidr);
    if (options.maxConcurrentCalls !== undefined) this.maxConcurrentCalls = options.maxConcurrentCalls;
    this.numberRules = resolveNumberRules(options.numbers);
    this.callerIdRules = {
      ...DEFAULT_CALLER_ID_RULES,
      allowed: (options.callerId?.allowed ?? []).filter((entry) => !isBlank(entry)),
      allowAny: profile.allowAnyCallerId && (options.callerId?.allowAny ?? false),
      ...(isBlank(options.callerId?.default) ? {} : { default: options.callerId!.default! }),
    };
    this.where = { carrier: id, path: configPath };
  }

  normalizeNumber(number: string, role: 'called' | 'calling'): string {
    return role === 'called' ? formatCalledNumber(number, this.numberRules, this.where) : formatCallingNumber(number, this.numberRules, this.where);
  }

  callerIdFor(from?: string): string {
    return chooseCallerId(from, this.callerIdRules, this.numberRules, this.where);
  }

  dialString(number: string, options: DialStringOptions = {}): string {
    const to = this.normalizeNumber(number, 'called');
    const variables: Record<string, string> = { vapi_carrier: this.id };
    if (options.callerId !== undefined || this.callerIdRules.default) variables.origination_caller_id_number = this.callerIdFor(options.callerId);
    for (const [name, value] of Object.entries(options.variables ?? {})) {
      if (!VARIABLE_NAME.test(name) || /[,'{}]/.test(value)) {
        throw new VapiError(`dial-string variable ${JSON.stringify(name)} cannot be passed to FreeSWITCH`, {
          code: 'VAPI_ERR_CARRIER_DIAL_VARIABLE',
          category: 'invalid_request',
          details: { carrier: this.id, variable: name },
          fix: "use names of letters, digits and _, and values without , ' { or }",
        });
      }
      variables[name] = value;
    }
    const block = Object.entries(variables).map(([name, value]) => `${name}=${value}`).join(',');
    return `{${block}}sofia/gateway/${this.id}/${to}`;
  }

  /** Safe to log: the password is redacted. */
  toJSON(): Record<string, unknown> {
    return {
      id: this.id,
      vendor: this.vendor,
      gateway: { ...this.gateway, ...(this.gateway.password ? { password: '[redacted]' } : {}) },
      codecs: this.codecs,
      dtmfMode: this.dtmfMode,
      inboundIps: this.inboundIps,
      maxConcurrentCalls: this.maxConcurrentCalls,
    };
  }
}
