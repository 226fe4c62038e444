/**
 * Source addresses a carrier sends calls from, as operators write them in a config file: single
 * IPv4/IPv6 addresses or CIDR ranges. Each entry is checked on its own so an error can name the
 * bad entry and say how to write it; the result is the CIDR form FreeSWITCH ACL nodes take.
 */
import { isIPv4, isIPv6 } from 'node:net';

export type IpRangeCheck =
  | { ok: true; cidr: string; version: 4 | 6 }
  | { ok: false; message: string; fix: string };

const EXAMPLES = 'an address (203.0.113.10, 2001:db8::10) or a CIDR range (203.0.113.0/24, 2001:db8::/32)';

/** Checks one entry and returns it as a CIDR (`203.0.113.10` → `203.0.113.10/32`). */
export function checkIpRange(entry: unknown): IpRangeCheck {
  if (typeof entry !== 'string' || entry.trim() === '') {
    return { ok: false, message: `${JSON.stringify(entry)} is not an IP address or range`, fix: `write ${EXAMPLES}` };
  }
  const text = entry.trim();
  const slash = text.indexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  const prefixText = slash === -1 ? undefined : text.slice(slash + 1);
  const version = isIPv4(address) ? 4 : isIPv6(address) ? 6 : undefined;
  if (!version) {
    const hint = /^[a-z0-9.-]+$/i.test(address) && /[a-z]/i.test(address) ? ' (host names are not allowed: FreeSWITCH ACLs match addresses)' : '';
    return { ok: false, message: `'${text}' is not an IP address or range${hint}`, fix: `write ${EXAMPLES}` };
  }
  const maxPrefix = version === 4 ? 32 : 128;
  if (prefixText === undefined) return { ok: true, cidr: `${address}/${maxPrefix}`, version };
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > maxPrefix) {
    return { ok: false, message: `'${text}' has an invalid prefix length '/${prefixText}'`, fix: `an IPv${version} prefix length is 0 to ${maxPrefix}, e.g. ${address}/${version === 4 ? 24 : 64}` };
  }
  const prefix = Number(prefixText);
  if (prefix === 0) {
    return { ok: false, message: `'${text}' would accept calls from every address`, fix: "list only the carrier's signalling addresses (its console or support gives them)" };
  }
  const network = networkOf(address, version, prefix);
  if (network !== normaliseAddress(address, version)) {
    return { ok: false, message: `'${text}' has host bits set beyond /${prefix}`, fix: `write the range as ${network}/${prefix}, or the single address as ${address}` };
  }
  return { ok: true, cidr: `${address}/${prefix}`, version };
}

function toBigInt(address: string, version: 4 | 6): bigint {
  if (version === 4) return address.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
  // Expand `::` (and an embedded IPv4 tail) into eight 16-bit groups.
  let text = address;
  const v4Tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4Tail) {
    const v4 = toBigInt(v4Tail[1]!, 4);
    text = text.slice(0, -v4Tail[1]!.length) + `${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : new Array(8 - headGroups.length - tailGroups.length).fill('0');
  return [...headGroups, ...zeros, ...tailGroups].reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n);
}

function fromBigInt(value: bigint, version: 4 | 6): string {
  if (version === 4) return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
  const groups = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((shift) => ((value >> shift) & 0xffffn).toString(16));
  // Compress the longest run of zero groups, as people write IPv6.
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.length && j - i > 1) best = { start: i, length: j - i };
    i = j;
  }
  if (best.start === -1) return groups.join(':');
  return `${groups.slice(0, best.start).join(':')}::${groups.slice(best.start + best.length).join(':')}`;
}

function normaliseAddress(address: string, version: 4 | 6): string {
  return fromBigInt(toBigInt(address, version), version);
}

function networkOf(address: string, version: 4 | 6, prefix: number): string {
  const bits = version === 4 ? 32n : 128n;
  const hostBits = bits - BigInt(prefix);
  const mask = ((1n << bits) - 1n) ^ ((1n << hostBits) - 1n);
  return fromBigInt(toBigInt(address, version) & mask, version);
}
