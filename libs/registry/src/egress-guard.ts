import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { RegistryError } from '@scangate/analysis';
import { forbiddenAddressReason } from './address-ranges';

/** One address a name resolves to (what `dns.lookup(name, { all: true })` returns). */
export interface ResolvedAddress {
  readonly address: string;
  readonly family: number;
}

/** DNS resolution, injectable so tests never depend on (or send packets to) real DNS. */
export type DnsLookup = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export const systemLookup: DnsLookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/**
 * A list of `host` or `host:port` entries (`registries.privateHosts`, `registries.insecure`).
 * An entry without a port matches the host on any port; IPv6 hosts are written in brackets.
 */
export class HostList {
  private readonly entries: ReadonlySet<string>;

  constructor(entries: readonly string[]) {
    this.entries = new Set(entries.map((entry) => entry.trim().toLowerCase()).filter((entry) => entry !== ''));
  }

  /** `hostname` as in a URL (brackets around IPv6 optional), `port` the effective port. */
  has(hostname: string, port: number | string): boolean {
    const host = bracketed(hostname.toLowerCase());
    return this.entries.has(host) || this.entries.has(`${host}:${port}`);
  }
}

/** `::1` → `[::1]`; other hosts unchanged. */
export function bracketed(hostname: string): string {
  const bare = hostname.replace(/^\[|\]$/g, '');
  return isIP(bare) === 6 ? `[${bare}]` : bare;
}

export interface EgressGuardOptions {
  /** `registries.allowPrivateNetworks`: any address may be reached (lab use only). */
  readonly allowPrivateNetworks: boolean;
  /** `registries.privateHosts`: hosts whose private/loopback addresses may be reached. */
  readonly privateHosts: readonly string[];
  readonly lookup?: DnsLookup;
}

/**
 * Decides, immediately before a socket is opened, which address a host may be reached at. The
 * transport connects to exactly the address returned here (an IP literal), so a name cannot
 * resolve to a public address for the check and to a private one for the connect.
 */
export class EgressGuard {
  private readonly privateHosts: HostList;
  private readonly lookup: DnsLookup;

  constructor(private readonly options: EgressGuardOptions) {
    this.privateHosts = new HostList(options.privateHosts);
    this.lookup = options.lookup ?? systemLookup;
  }

  /** Whether private, loopback and link-local addresses are acceptable for this host. */
  mayReachPrivate(hostname: string, port: number | string): boolean {
    return this.options.allowPrivateNetworks || this.privateHosts.has(hostname, port);
  }

  /**
   * Refuses an IP-literal host in a forbidden range without any I/O (names are checked by
   * `addressFor`, at connect time). Call before building a request, so the refusal is immediate.
   */
  checkLiteral(hostname: string, port: number | string): void {
    const bare = hostname.replace(/^\[|\]$/g, '');
    if (isIP(bare.split('%')[0] ?? '') === 0) return;
    if (this.mayReachPrivate(hostname, port)) return;
    const reason = forbiddenAddressReason(bare);
    if (reason !== undefined) throw denied(hostname, port, bare, reason);
  }

  /**
   * The address to connect to for `hostname:port`, or EGRESS_DENIED. For a name, every address it
   * resolves to must be acceptable (a mix of public and private answers is refused outright).
   */
  async addressFor(hostname: string, port: number | string): Promise<ResolvedAddress> {
    const bare = hostname.replace(/^\[|\]$/g, '');
    const family = isIP(bare);
    if (family !== 0) {
      this.checkLiteral(hostname, port);
      return { address: bare, family };
    }
    let addresses: readonly ResolvedAddress[];
    try {
      addresses = await this.lookup(bare);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      // ENOTFOUND is an answer (the name does not exist), not a network hiccup.
      const transient = code !== 'ENOTFOUND';
      throw new RegistryError('NETWORK', `cannot resolve ${hostname}: ${String(code ?? error)}`, transient);
    }
    const first = addresses[0];
    if (!first) throw new RegistryError('NETWORK', `${hostname} resolves to no address`, true);
    if (!this.mayReachPrivate(hostname, port)) {
      for (const { address } of addresses) {
        const reason = forbiddenAddressReason(address);
        if (reason !== undefined) throw denied(hostname, port, address, reason);
      }
    }
    return first;
  }
}

function denied(hostname: string, port: number | string, address: string, reason: string): RegistryError {
  return new RegistryError(
    'EGRESS_DENIED',
    `refusing to connect to ${bracketed(hostname)}:${port}: ${address} is ${reason}; ` +
      'list the host in registries.privateHosts to allow it',
    false,
  );
}
