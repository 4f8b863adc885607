import { BlockList, isIP } from 'node:net';

/**
 * Named groups of addresses for EVENTS_WEBHOOK_BLOCKED_NETWORKS. A webhook destination is chosen by
 * whoever holds an account's credentials, so without a block list verifyd would POST wherever it
 * is told, its own network included (server-side request forgery).
 */
export const NETWORK_GROUPS: Readonly<Record<string, readonly string[]>> = {
  // Cloud instance metadata services live here (169.254.169.254, AWS's fd00:ec2::254).
  'link-local': ['169.254.0.0/16', 'fe80::/10', 'fd00:ec2::254/128'],
  // Never a receiver: "this network", multicast, the old class E and broadcast, unspecified.
  reserved: ['0.0.0.0/8', '224.0.0.0/4', '240.0.0.0/4', '::/128', 'ff00::/8'],
  loopback: ['127.0.0.0/8', '::1/128'],
  // RFC 1918, carrier-grade NAT, IPv6 unique local addresses.
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7'],
};

/**
 * The default blocks what is never a legitimate receiver and is the usual target of forgery.
 * Loopback and private networks stay reachable, because `npm start` is how developers point
 * Event Streams at a receiver on their own machine; multi-tenant deployments add them.
 */
export const DEFAULT_BLOCKED_NETWORKS = 'link-local,reserved';

/** A set of networks webhooks are never delivered to. */
export class BlockedNetworks {
  private readonly list = new BlockList();

  /** `spec`: comma-separated group names and CIDR blocks, or `none`. Throws on anything else. */
  constructor(readonly spec: string) {
    const entries = spec.split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (entries.length === 1 && entries[0] === 'none') return;
    if (entries.length === 0) throw new Error('is empty (use "none" to block nothing)');
    for (const entry of entries) {
      for (const cidr of NETWORK_GROUPS[entry] ?? [entry]) this.addCidr(cidr, entry);
    }
  }

  private addCidr(cidr: string, entry: string): void {
    const [address = '', bits, extra] = cidr.split('/');
    const family = isIP(address);
    const prefix = bits !== undefined && /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
    if (family === 0 || extra !== undefined || !(prefix <= (family === 4 ? 32 : 128))) {
      throw new Error(`has ${JSON.stringify(entry)}, which is neither a group (${Object.keys(NETWORK_GROUPS).join(', ')}, none) nor a CIDR block like 10.0.0.0/8`);
    }
    this.list.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
  }

  /** Whether an IP address (v4, v6, or v4 mapped into v6) is in a blocked network. */
  blocks(address: string): boolean {
    const family = isIP(address);
    if (family === 0) return false;
    // ::ffff:10.0.0.1 reaches 10.0.0.1; judge it by its IPv4 rules.
    const mapped = family === 6 ? /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] : undefined;
    if (mapped) return this.list.check(mapped, 'ipv4');
    if (family === 6) {
      const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
      if (hex) {
        const n = (parseInt(hex[1]!, 16) << 16) | parseInt(hex[2]!, 16);
        return this.list.check([24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.'), 'ipv4');
      }
    }
    return this.list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }
}

/** The IP address a URL names directly (no DNS involved), without IPv6 brackets. */
export function literalAddress(url: URL): string | undefined {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return isIP(host) ? host : undefined;
}

export const BLOCKED = 'in a network this server does not deliver to (EVENTS_WEBHOOK_BLOCKED_NETWORKS)';

/** Why an address is refused as a destination, or undefined when it may be requested. */
export function blockedReason(blocked: BlockedNetworks, address: string): string | undefined {
  return blocked.blocks(address) ? `${address} is ${BLOCKED}` : undefined;
}
