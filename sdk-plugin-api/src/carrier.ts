/**
 * Telephony carriers (SIP trunks): how to reach them through FreeSWITCH and how they write
 * numbers.
 */
import { createCollectionRef } from './refs.js';

export type DtmfMode = 'rfc2833' | 'inband' | 'info';

export interface GatewayConfig {
  /** FreeSWITCH gateway name. */
  name: string;
  proxy: string;
  realm?: string;
  username?: string;
  password?: string;
  register: boolean;
  transport: 'udp' | 'tcp' | 'tls';
  /** Extra `<param>`s for the gateway XML. */
  params?: Record<string, string>;
}

export interface Carrier {
  readonly id: string;
  readonly gateway: GatewayConfig;
  /** FreeSWITCH codec names in preference order, e.g. ['PCMA', 'PCMU']. */
  readonly codecs: string[];
  readonly dtmfMode: DtmfMode;
  /** Source IPs/CIDRs the carrier sends from (for the ACL). */
  readonly inboundIps: string[];
  readonly maxConcurrentCalls?: number;
  /** Rewrites a number the way the carrier wants to receive it. */
  normalizeNumber(number: string, role: 'called' | 'calling'): string;
  /** FreeSWITCH dial string for `originate`. */
  dialString(number: string): string;
}

export const carrierRefs = {
  carriers: createCollectionRef<Carrier>('carriers'),
} as const;
