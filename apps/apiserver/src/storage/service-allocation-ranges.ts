/**
 * IPv4 ranges and port ranges the Service registry allocates from. Pure.
 */

export const ipToInt = (ip: string): number => ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
export const intToIp = (n: number): string => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** An IPv4 CIDR's usable addresses: the network and broadcast addresses are never handed out. */
export class Ipv4Range {
  readonly first: number;
  readonly last: number;

  constructor(readonly cidr: string) {
    const m = /^([\d.]+)\/(\d{1,2})$/.exec(cidr.trim());
    if (!m || !IPV4.test(m[1]) || Number(m[2]) > 30 || Number(m[2]) < 8) throw new Error(`${JSON.stringify(cidr)} is not an IPv4 CIDR between /8 and /30`);
    const size = 2 ** (32 - Number(m[2]));
    const base = ipToInt(m[1]) - (ipToInt(m[1]) % size);
    this.first = base + 1;
    this.last = base + size - 2;
  }

  get size(): number {
    return this.last - this.first + 1;
  }

  contains(ip: string): boolean {
    if (!IPV4.test(ip)) return false;
    const n = ipToInt(ip);
    return n >= this.first && n <= this.last;
  }

  /** The `i`th usable address (0: the first, which the `kubernetes` Service gets). */
  at(i: number): string {
    return intToIp(this.first + i);
  }

  /**
   * Kubernetes' static band (KEP-3070): the low addresses — 16 to 256, a
   * sixteenth of the range — that addresses asked for by hand (the cluster
   * DNS's `.10`) are meant to come from; picked addresses avoid it while the
   * rest of the range has room.
   */
  get staticBand(): number {
    return Math.min(Math.max(16, Math.floor(this.size / 16)), 256, this.size);
  }

  /**
   * A free address picked at random (scanning on from there), or undefined
   * when every one is taken: above the first `reserveLow` addresses while
   * there is one free there, else among them.
   */
  pickFree(taken: ReadonlySet<string>, random: () => number = Math.random, reserveLow = 0): string | undefined {
    const scan = (from: number, size: number): string | undefined => {
      const start = Math.floor(random() * size);
      for (let i = 0; i < size; i++) {
        const ip = intToIp(from + ((start + i) % size));
        if (!taken.has(ip)) return ip;
      }
      return undefined;
    };
    const low = Math.min(Math.max(reserveLow, 0), this.size);
    return (low < this.size ? scan(this.first + low, this.size - low) : undefined) ?? (low > 0 ? scan(this.first, low) : undefined);
  }
}

/** A free port of [min, max] picked at random (scanning on), or undefined when the range is full. */
export function pickFreePort(range: { min: number; max: number }, taken: ReadonlySet<number>, random: () => number = Math.random): number | undefined {
  const size = range.max - range.min + 1;
  const start = Math.floor(random() * size);
  for (let i = 0; i < size; i++) {
    const port = range.min + ((start + i) % size);
    if (!taken.has(port)) return port;
  }
  return undefined;
}
