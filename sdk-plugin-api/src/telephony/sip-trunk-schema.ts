/**
 * The options of one SIP trunk, as a TypeBox schema built from a vendor profile: every carrier
 * plugin shares the shape (gateway, codecs, DTMF, inbound addresses, number and caller-ID rules)
 * and a profile narrows it to what the vendor supports (Huawei UAP: no registration, G.711 only).
 */
import { Type, type TObject, type TProperties, type TSchema } from '@sinclair/typebox';
import type { DtmfMode } from '../carrier.js';
import type { CallerIdRules } from './caller-id-rules.js';
import type { TrunkNumberRules } from './trunk-numbers.js';

/** Codec names as FreeSWITCH spells them in codec strings (G729 needs mod_bcg729, AMR mod_amr). */
export const FREESWITCH_CODECS = ['PCMA', 'PCMU', 'G722', 'G729', 'OPUS', 'GSM', 'iLBC', 'AMR', 'AMR-WB', 'G7221', 'speex', 'L16'] as const;

export const DTMF_MODES: readonly DtmfMode[] = ['rfc2833', 'inband', 'info'];

export type SipTransport = 'udp' | 'tcp' | 'tls';

/** Trunk options as they come out of the schema. Every field may be left out when building one by hand. */
export interface SipTrunkOptions {
  gateway?: {
    /** `host[:port]` of the carrier's SIP proxy or SBC. */
    proxy?: string;
    realm?: string;
    fromDomain?: string;
    register?: boolean;
    username?: string;
    /** Secret: written only into the FreeSWITCH gateway file, never logged. */
    password?: string;
    transport?: SipTransport;
    /** Caller ID in the From header (IP trunks and PBXes); defaults to `!register`. */
    callerIdInFrom?: boolean;
    /** SIP OPTIONS keep-alive every N seconds: marks the gateway down when the carrier stops answering. */
    pingSeconds?: number;
    /** Further FreeSWITCH gateway `<param>`s. */
    params?: Record<string, string>;
  };
  codecs?: string[];
  dtmfMode?: DtmfMode;
  inboundIps?: string[];
  maxConcurrentCalls?: number;
  numbers?: Partial<TrunkNumberRules>;
  callerId?: Partial<CallerIdRules>;
}

/** What a vendor's trunks support and default to. */
export interface TrunkProfile {
  /** Codecs the trunk may use (an unknown one is rejected with this list). */
  codecs: readonly string[];
  defaultCodecs: readonly string[];
  dtmfModes: readonly DtmfMode[];
  defaultDtmfMode: DtmfMode;
  /** `never`: an IP trunk; the options have no register, username or password. */
  registration: 'optional' | 'never';
  defaultRegister: boolean;
  /** False when the plugin derives the proxy itself (Aliyun from its region). */
  proxyRequired: boolean;
  /** Whether `callerId.allowAny` is offered (cloud carriers accept only numbers bought from them). */
  allowAnyCallerId: boolean;
  /** Vendor options next to the common ones. */
  extra?: TProperties;
}

/** A generic SIP trunk: everything offered, registration off unless asked for. */
export const GENERIC_TRUNK_PROFILE: TrunkProfile = {
  codecs: FREESWITCH_CODECS,
  defaultCodecs: ['PCMA', 'PCMU'],
  dtmfModes: DTMF_MODES,
  defaultDtmfMode: 'rfc2833',
  registration: 'optional',
  defaultRegister: false,
  proxyRequired: true,
  allowAnyCallerId: true,
};

const oneOf = <T extends string>(values: readonly T[], options: Record<string, unknown>) => Type.Union(values.map((v) => Type.Literal(v)), options);

/**
 * The schema of one trunk under a vendor profile. Strings may be empty (an unset `${env:X:-}`):
 * sipTrunkProblems() then says what is missing and how to set it. Properties with defaults are also Optional:
 * the server (ajv) fills defaults inside the `trunks` record, the testkit harness (TypeBox) does
 * not, and SipTrunkCarrier applies the same defaults itself.
 */
export function sipTrunkSchema(profile: TrunkProfile): TObject {
  const proxy = Type.String({ description: "host[:port] of the carrier's SIP proxy or SBC, e.g. sip.example.cn:5060" });
  const gateway: TProperties = {
    proxy: profile.proxyRequired ? proxy : Type.Optional(proxy),
    realm: Type.Optional(Type.String({ description: 'Authentication realm (default: the proxy host)' })),
    fromDomain: Type.Optional(Type.String({ description: 'Domain in the From header (default: the proxy)' })),
    ...(profile.registration === 'optional'
      ? {
          register: Type.Optional(Type.Boolean({ default: profile.defaultRegister, description: 'Register to the carrier with username and password' })),
          username: Type.Optional(Type.String()),
          password: Type.Optional(Type.String({ writeOnly: true, description: 'Secret: never logged' })),
        }
      : {}),
    transport: Type.Optional(oneOf<SipTransport>(['udp', 'tcp', 'tls'], { default: 'udp', description: 'SIP transport (tls needs TLS on the external profile)' })),
    callerIdInFrom: Type.Optional(Type.Boolean({ description: 'Caller ID in the From header (default: true unless the trunk registers)' })),
    pingSeconds: Type.Optional(Type.Integer({ minimum: 5, maximum: 3600, description: 'SIP OPTIONS keep-alive interval' })),
    params: Type.Optional(Type.Record(Type.String(), Type.String(), { default: {}, description: 'Further FreeSWITCH gateway params' })),
  };
  const numbers = Type.Object(
    {
      format: Type.Optional(oneOf(['national', 'e164', 'e164-without-plus'], { default: 'national' })),
      dialPrefix: Type.Optional(Type.String({ default: '', description: 'Digits before every called number' })),
      areaCode: Type.Optional(Type.String({ description: "The trunk's own area code, e.g. 010 or 0571" })),
      stripLocalAreaCode: Type.Optional(Type.Boolean({ default: false })),
      mobileZeroPrefix: Type.Optional(oneOf(['never', 'always', 'out-of-area'], { default: 'never' })),
      localMobileSegments: Type.Optional(Type.Array(Type.String(), { default: [] })),
      allowInternational: Type.Optional(Type.Boolean({ default: false })),
      allowShortNumbers: Type.Optional(Type.Boolean({ default: false })),
    },
    { additionalProperties: false, default: {} },
  );
  const callerId = Type.Object(
    {
      default: Type.Optional(Type.String({ description: 'Caller ID when a call names none (empty: none)' })),
      allowed: Type.Optional(Type.Array(Type.String(), { default: [], description: 'Numbers (or prefixes ending in *) that may be presented; empty entries are ignored' })),
      ...(profile.allowAnyCallerId ? { allowAny: Type.Optional(Type.Boolean({ default: false })) } : {}),
    },
    { additionalProperties: false, default: {} },
  );
  return Type.Object(
    {
      ...(profile.extra ?? {}),
      gateway: Type.Optional(Type.Object(gateway, { additionalProperties: false, default: {} })),
      codecs: Type.Optional(Type.Array(oneOf(profile.codecs, {}), { minItems: 1, default: [...profile.defaultCodecs], description: 'FreeSWITCH codec names, preferred first' })),
      dtmfMode: Type.Optional(oneOf(profile.dtmfModes, { default: profile.defaultDtmfMode })),
      inboundIps: Type.Optional(Type.Array(Type.String(), { default: [], description: 'Addresses or CIDR ranges the carrier sends calls from; empty entries are ignored' })),
      maxConcurrentCalls: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
      numbers: Type.Optional(numbers),
      callerId: Type.Optional(callerId),
    },
    { additionalProperties: false },
  );
}

/** Options of a carrier plugin: one or more trunks, keyed by carrier id. */
export function carrierPluginSchema(profile: TrunkProfile): TObject<{ trunks: TSchema }> {
  return Type.Object(
    { trunks: Type.Record(Type.String(), sipTrunkSchema(profile), { description: 'Trunks by carrier id (the FreeSWITCH gateway name)' }) },
    { additionalProperties: false },
  );
}

/** The schema of a generic trunk's options. */
export const SipTrunkOptionsSchema = sipTrunkSchema(GENERIC_TRUNK_PROFILE);
