/**
 * Hands out pod IPs from a node's pod CIDR (e.g. `10.244.1.0/24`), as a CNI
 * host-local IPAM does: the network and broadcast addresses and the first
 * host (the node's bridge, `.1`) are never given out, and addresses go
 * round-robin, so a released one is not handed out again at once.
 */
export class PodIpAllocator {
  private readonly base: number;
  private readonly size: number;
  private readonly used = new Set<number>();
  private next = 2;

  constructor(readonly cidr: string) {
    const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
    if (!m || Number(m[5]) > 30 || Number(m[5]) < 8 || m.slice(1, 5).some((o) => Number(o) > 255)) throw new Error(`invalid pod CIDR ${JSON.stringify(cidr)}`);
    const prefix = Number(m[5]);
    const ip = ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0;
    this.size = 2 ** (32 - prefix);
    this.base = ip - (ip % this.size);
  }

  /** A free address; throws when the range is exhausted. */
  allocate(): string {
    const usable = this.size - 3;
    for (let tried = 0; tried < usable; tried++) {
      const offset = this.next;
      this.next = this.next + 1 >= this.size - 1 ? 2 : this.next + 1;
      if (!this.used.has(offset)) {
        this.used.add(offset);
        return this.format(offset);
      }
    }
    throw new Error(`no free pod IP in ${this.cidr}`);
  }

  /** Marks an address taken (a pod that already had it, e.g. after a restart); false if it is not in range. */
  reserve(ip: string): boolean {
    const offset = this.offsetOf(ip);
    if (offset === undefined) return false;
    this.used.add(offset);
    return true;
  }

  release(ip: string | undefined): void {
    const offset = ip ? this.offsetOf(ip) : undefined;
    if (offset !== undefined) this.used.delete(offset);
  }

  get inUse(): number {
    return this.used.size;
  }

  private offsetOf(ip: string): number | undefined {
    const parts = ip.split('.').map(Number);
    if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
    const n = ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
    const offset = n - this.base;
    return offset >= 2 && offset < this.size - 1 ? offset : undefined;
  }

  private format(offset: number): string {
    const n = this.base + offset;
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  }
}
