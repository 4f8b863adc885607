import { BlockList, isIP } from 'node:net';

/**
 * Named groups of addresses for EVENTS_WEBHOOK_BLOCKED_NETWORKS. A webhook destination is chosen by
 * whoever holds an account's credentials, so without a block list verifyd would POST wherever it
 * is told, its own network included (server-side request forgery).
 */
export const NETWORK_GROUPS: Readonly<Record<string, readonly string[]>> = {
  'link-local': ['169.254.0.0/16', 'fe80::/10'],
  // Cloud instance metadata and host services outside link-local: AWS's IPv6 metadata, Alibaba
  // Cloud's metadata (inside carrier-grade NAT space), Oracle Cloud Classic's, Azure's WireServer.
  metadata: ['169.254.169.254/32', 'fd00:ec2::254/128', '100.100.100.200/32', '192.0.0.192/32', '168.63.129.16/32'],
  // Never a receiver: "this network", IETF protocol assignments, benchmarking, multicast, the old
  // class E and broadcast, unspecified. 0.0.0.0 and :: connect to the local host on Linux.
  reserved: ['0.0.0.0/8', '192.0.0.0/24', '198.18.0.0/15', '224.0.0.0/4', '240.0.0.0/4', '::/128', 'ff00::/8'],
  loopback: ['127.0.0.0/8', '::1/128', '0.0.0.0/8', '::/128'],
  // RFC 1918, carrier-grade NAT, IPv6 unique local addresses.
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7'],
};

/**
 * Development's default blocks what is never a legitimate receiver and is the usual target of
 * forgery. Loopback and private networks stay reachable, because `npm start` is how developers
 * point Event Streams at a receiver on their own machine. Production's default is the strict list,
 * which adds them. A value replaces the default, it does not add to it.
 */
export const DEFAULT_BLOCKED_NETWORKS = 'link-local,metadata,reserved';
export const STRICT_BLOCKED_NETWORKS = 'link-local,metadata,reserved,loopback,private';

/** A set of networks webhooks are never delivered to. */
export class BlockedNetworks {
  private readonly list = new BlockList();

  /** `spec`: comma-separated group names and CIDR blocks, or `none`. Throws on anything else. */
  constructor(readonly spec: string) {
    const entries = spec.split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (entries.length === 1 && entries[0] === 'none') return;
    if (entries.length === 0) throw new Error('is empty (use "none" to block nothing)');
    for (const entry of entries) {
      for (const cidr of Object.hasOwn(NETWORK_GROUPS, entry) ? NETWORK_GROUPS[entry]! : [entry]) this.addCidr(cidr, entry);
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

  /**
   * Whether an IP address is in a blocked network. BlockList itself judges IPv4-mapped
   * ::ffff:a.b.c.d by the IPv4 rules; the other IPv6 forms that carry an IPv4 address are judged
   * by it too (embeddedIPv4), besides their own IPv6 rules.
   */
  blocks(address: string): boolean {
    const family = isIP(address);
    if (family === 4) return this.list.check(address, 'ipv4');
    if (family !== 6) return false;
    if (this.list.check(address, 'ipv6')) return true;
    const ipv4 = embeddedIPv4(address);
    return ipv4 !== undefined && this.list.check(ipv4, 'ipv4');
  }
}

/**
 * The IPv4 address an IPv6 address carries, where a host or the network may deliver to that IPv4
 * address: IPv4-compatible ::a.b.c.d (::/96, deprecated, but a tunnel interface still sends it to
 * a.b.c.d; :: and ::1 are the unspecified and loopback addresses themselves), NAT64's well-known
 * prefix 64:ff9b::/96 (a NAT64 gateway, as cloud networks run, forwards to a.b.c.d), and 6to4
 * 2002:AABB:CCDD::/48 (bits 16-48, relayed to the IPv4 host). Otherwise undefined.
 */
export function embeddedIPv4(address: string): string | undefined {
  const g = ipv6Groups(address);
  const quad = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (g[0] === 0x2002) return quad(g[1]!, g[2]!);
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return quad(g[6]!, g[7]!);
  if (zeros(0, 6) && (g[6] !== 0 || g[7]! > 1)) return quad(g[6]!, g[7]!);
  return undefined;
}

/** The eight 16-bit groups of a valid IPv6 address (a zone such as %eth0 is dropped). */
function ipv6Groups(address: string): number[] {
  let text = address.split('%')[0]!;
  // A trailing dotted quad stands for the last two groups.
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((h) => parseInt(h, 16)));
  const front = parse(head);
  const back = tail === undefined ? [] : parse(tail);
  return [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
}

/** The IP address a URL names directly (no DNS involved), without IPv6 brackets. */
export function literalAddress(url: URL): string | undefined {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return isIP(host) ? host : undefined;
}

export const BLOCKED = 'in a network this server does not deliver to (EVENTS_WEBHOOK_BLOCKED_NETWORKS)';

/**
 * Why a URL that names an IP address outright is refused, or undefined when it names an allowed
 * one or a host name (judged by what it resolves to, when a connection is opened).
 */
export function literalRefusal(blocked: BlockedNetworks, url: URL): string | undefined {
  const address = literalAddress(url);
  return address !== undefined && blocked.blocks(address) ? `${address} is ${BLOCKED}` : undefined;
}
