/**
 * Telephony carriers (SIP trunks): how to reach them through FreeSWITCH, how they write
 * numbers and which caller IDs they let you present. Carrier plugins add one entry per trunk to
 * `carrierRefs.carriers`, keyed by carrier id (also the FreeSWITCH gateway name); the telephony
 * transport routes calls through them and `vapi-cn freeswitch render-config` writes their
 * FreeSWITCH configuration.
 */
import { createCollectionRef } from './refs.js';

export type DtmfMode = 'rfc2833' | 'inband' | 'info';

export interface GatewayConfig {
  /** FreeSWITCH gateway name (the carrier id). */
  name: string;
  /** `host[:port]` of the carrier's SIP proxy or SBC. */
  proxy: string;
  realm?: string;
  /** Domain in the From header. */
  fromDomain?: string;
  username?: string;
  /** Secret: goes only into the gateway file; `toJSON()` of a carrier redacts it. */
  password?: string;
  register: boolean;
  transport: 'udp' | 'tcp' | 'tls';
  /** Caller ID in the From header (IP trunks and PBXes) rather than only in P-Asserted-Identity. */
  callerIdInFrom?: boolean;
  /** SIP OPTIONS keep-alive interval in seconds. */
  pingSeconds?: number;
  /** Extra `<param>`s for the gateway XML. */
  params?: Record<string, string>;
}

export interface DialStringOptions {
  /** The number to present; checked against the trunk's caller-ID rules (default: the trunk's default). */
  callerId?: string;
  /** More channel variables for the `{...}` block (names: letters, digits, _; values without , ' { }). */
  variables?: Record<string, string>;
}

export interface Carrier {
  readonly id: string;
  /** The kind of trunk, for logs and metrics: `aliyun`, `tencent`, `ronglian`, `huawei-uap`, `sip-trunk`. */
  readonly vendor: string;
  readonly gateway: GatewayConfig;
  /** FreeSWITCH codec names in preference order, e.g. ['PCMA', 'PCMU']. */
  readonly codecs: string[];
  readonly dtmfMode: DtmfMode;
  /** Source IPs/CIDRs the carrier sends from (for the ACL), as CIDRs. */
  readonly inboundIps: string[];
  /** Calls at once on this trunk; the transport refuses more. Undefined: no limit. */
  readonly maxConcurrentCalls?: number;
  /**
   * Rewrites a number the way the carrier wants it: `called` for the Request-URI (format,
   * prefixes), `calling` for a caller ID. Throws a VapiError (VAPI_ERR_CARRIER_NUMBER,
   * VAPI_ERR_CARRIER_CALLER_ID) for a number the trunk cannot take.
   */
  normalizeNumber(number: string, role: 'called' | 'calling'): string;
  /**
   * The caller ID to present for `from` (a call's from number), or the trunk's default when
   * `from` is undefined. Throws VAPI_ERR_CARRIER_CALLER_ID when the trunk does not allow `from`
   * (Aliyun only lets you present numbers you bought) or there is neither `from` nor a default.
   */
  callerIdFor(from?: string): string;
  /** FreeSWITCH dial string for `originate`: `{vars}sofia/gateway/<id>/<number>`. */
  dialString(number: string, options?: DialStringOptions): string;
}

export const carrierRefs = {
  carriers: createCollectionRef<Carrier>('carriers'),
} as const;
