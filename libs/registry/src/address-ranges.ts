import { isIP } from 'node:net';

// Addresses a registry client must not reach unless explicitly allowed: a Pod spec names the host,
// so these ranges are where an attacker would aim it (cloud metadata, the cluster's own services,
// the node itself). IPv6 forms that embed an IPv4 address (v4-mapped, v4-translated, NAT64, 6to4,
// v4-compatible) are judged by the embedded address, so `[::ffff:127.0.0.1]` is loopback.

interface Range {
  readonly bytes: readonly number[];
  readonly prefix: number;
  readonly reason: string;
}

function v4(cidr: string, reason: string): Range {
  const [address = '', prefix = '32'] = cidr.split('/');
  return { bytes: address.split('.').map(Number), prefix: Number(prefix), reason };
}

function v6(cidr: string, reason: string): Range {
  const [address = '', prefix = '128'] = cidr.split('/');
  const bytes = ipv6Bytes(address);
  if (!bytes) throw new Error(`bad range ${cidr}`);
  return { bytes, prefix: Number(prefix), reason };
}

const IPV4_FORBIDDEN: readonly Range[] = [
  v4('0.0.0.0/8', 'unspecified ("this network")'),
  v4('10.0.0.0/8', 'private (RFC 1918)'),
  v4('100.64.0.0/10', 'carrier-grade NAT (RFC 6598)'),
  v4('127.0.0.0/8', 'loopback'),
  v4('169.254.0.0/16', 'link-local (cloud metadata)'),
  v4('172.16.0.0/12', 'private (RFC 1918)'),
  v4('192.0.0.0/24', 'IETF protocol assignments'),
  v4('192.0.2.0/24', 'documentation'),
  v4('192.168.0.0/16', 'private (RFC 1918)'),
  v4('198.18.0.0/15', 'benchmarking'),
  v4('198.51.100.0/24', 'documentation'),
  v4('203.0.113.0/24', 'documentation'),
  v4('224.0.0.0/4', 'multicast'),
  v4('240.0.0.0/4', 'reserved / broadcast'),
];

const IPV6_FORBIDDEN: readonly Range[] = [
  v6('::/128', 'unspecified'),
  v6('::1/128', 'loopback'),
  v6('64:ff9b:1::/48', 'local-use NAT64'),
  v6('100::/64', 'discard-only'),
  v6('2001::/32', 'Teredo'),
  v6('2001:db8::/32', 'documentation'),
  v6('fc00::/7', 'unique local (ULA)'),
  v6('fe80::/10', 'link-local'),
  v6('fec0::/10', 'site-local (deprecated)'),
  v6('ff00::/8', 'multicast'),
];

/** IPv6 prefixes whose addresses carry an IPv4 address, and where it sits. */
const IPV6_EMBEDDING_V4: readonly { readonly range: Range; readonly offset: number }[] = [
  { range: v6('::ffff:0:0/96', 'IPv4-mapped'), offset: 12 },
  { range: v6('::ffff:0:0:0/96', 'IPv4-translated'), offset: 12 },
  { range: v6('64:ff9b::/96', 'NAT64'), offset: 12 },
  { range: v6('2002::/16', '6to4'), offset: 2 },
  { range: v6('::/96', 'IPv4-compatible'), offset: 12 },
];

function inRange(bytes: readonly number[], range: Range): boolean {
  let bits = range.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((bytes[i] ?? 0) & mask) !== ((range.bytes[i] ?? 0) & mask)) return false;
  }
  return true;
}

/** The 16 bytes of an IPv6 address (no zone, no brackets), or undefined when it is not one. */
export function ipv6Bytes(address: string): number[] | undefined {
  if (isIP(address) !== 6) return undefined;
  let text = address;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    tail.push(...last.split('.').map(Number));
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [head = '', rest] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const restGroups = rest === undefined || rest === '' ? [] : rest.split(':');
  const missing = 8 - headGroups.length - restGroups.length;
  const groups = rest === undefined ? headGroups : [...headGroups, ...Array<string>(missing).fill('0'), ...restGroups];
  const bytes = groups.flatMap((group) => {
    const value = parseInt(group, 16);
    return [value >> 8, value & 0xff];
  });
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

/**
 * Why an IP address is off limits, or undefined when it is a public unicast address. Input is an
 * IP literal (IPv6 without brackets; a `%zone` suffix is ignored — any zone means link-local use).
 */
export function forbiddenAddressReason(address: string): string | undefined {
  const bare = address.replace(/^\[|\]$/g, '');
  const zone = bare.indexOf('%');
  const ip = zone === -1 ? bare : bare.slice(0, zone);
  const family = isIP(ip);
  if (family === 4) {
    const bytes = ip.split('.').map(Number);
    return IPV4_FORBIDDEN.find((range) => inRange(bytes, range))?.reason;
  }
  if (family !== 6) return 'not an IP address';
  if (zone !== -1) return 'scoped (zone) address';
  const bytes = ipv6Bytes(ip);
  if (!bytes) return 'not an IP address';
  for (const { range, offset } of IPV6_EMBEDDING_V4) {
    if (!inRange(bytes, range)) continue;
    // `::` and `::1` are inside ::/96 but are IPv6's own unspecified/loopback.
    const own = IPV6_FORBIDDEN.find((r) => r.prefix === 128 && inRange(bytes, r));
    if (own) return own.reason;
    const embedded = bytes.slice(offset, offset + 4).join('.');
    const reason = forbiddenAddressReason(embedded);
    return reason === undefined ? undefined : `${reason} (${range.reason} ${embedded})`;
  }
  return IPV6_FORBIDDEN.find((range) => inRange(bytes, range))?.reason;
}
