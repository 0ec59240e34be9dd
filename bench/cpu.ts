/**
 * Where the CPU went during a measured window: this Node process, the
 * Postgres server's processes (when it runs on this machine), and everything
 * else. The machine may be shared (other builds and tests): a run where
 * "other" is high was measured on a busy machine.
 */
import { execSync } from 'child_process';
import { cpus } from 'os';
import { readFileSync, readdirSync } from 'fs';

const CLK_TCK = (() => {
  try {
    const n = Number(execSync('getconf CLK_TCK', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim());
    return Number.isFinite(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
})();

interface Snapshot {
  wallMs: number;
  nodeMicros: number;
  /** Jiffies spent busy (user+nice+system+irq+softirq) and stolen, over all CPUs; null off Linux. */
  machine: { busy: number; steal: number } | null;
  /** Jiffies used by each Postgres process; null when unknown. */
  pg: Map<number, number> | null;
}

export interface CpuSplit {
  /** All figures in cores (1.0 = one CPU busy for the whole window). */
  node: number;
  pg: number | null;
  other: number | null;
  steal: number | null;
}

function readProcStat(pid: number): { ppid: number; ticks: number } | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) };
  } catch {
    return null;
  }
}

/** The postmaster's pid, given a backend's, when the server runs on this machine. */
export function postmasterOf(backendPid: number): number | undefined {
  const st = readProcStat(backendPid);
  if (!st) return undefined;
  try {
    const comm = readFileSync(`/proc/${st.ppid}/comm`, 'utf8').trim();
    return comm.startsWith('postgres') ? st.ppid : undefined;
  } catch {
    return undefined;
  }
}

export class CpuMeter {
  constructor(private readonly postmasterPid?: number) {}

  snapshot(): Snapshot {
    return {
      wallMs: performance.now(),
      nodeMicros: (() => {
        const u = process.cpuUsage();
        return u.user + u.system;
      })(),
      machine: this.machine(),
      pg: this.pgTicks(),
    };
  }

  since(s0: Snapshot): CpuSplit {
    const s1 = this.snapshot();
    const wallS = (s1.wallMs - s0.wallMs) / 1000;
    const node = (s1.nodeMicros - s0.nodeMicros) / 1e6 / wallS;
    let pg: number | null = null;
    if (s0.pg && s1.pg) {
      let ticks = 0;
      for (const [pid, t] of s1.pg) ticks += t - (s0.pg.get(pid) ?? 0);
      pg = ticks / CLK_TCK / wallS;
    }
    let other: number | null = null;
    let steal: number | null = null;
    if (s0.machine && s1.machine) {
      const busy = (s1.machine.busy - s0.machine.busy) / CLK_TCK / wallS;
      steal = (s1.machine.steal - s0.machine.steal) / CLK_TCK / wallS;
      if (pg !== null) other = Math.max(0, busy - node - pg);
    }
    return { node, pg, other, steal };
  }

  private machine(): Snapshot['machine'] {
    try {
      const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
      const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
      return { busy: user + nice + system + irq + softirq, steal: steal ?? 0 };
    } catch {
      return null;
    }
  }

  private pgTicks(): Map<number, number> | null {
    if (this.postmasterPid === undefined) return null;
    const out = new Map<number, number>();
    let entries: string[];
    try {
      entries = readdirSync('/proc');
    } catch {
      return null;
    }
    for (const e of entries) {
      const pid = Number(e);
      if (!Number.isInteger(pid)) continue;
      const st = readProcStat(pid);
      if (st && (pid === this.postmasterPid || st.ppid === this.postmasterPid)) out.set(pid, st.ticks);
    }
    return out;
  }
}

export function describeSplit(c: CpuSplit): string {
  const f = (n: number | null) => (n === null ? '?' : n.toFixed(2));
  return `cpu node ${f(c.node)} + pg ${f(c.pg)} + other ${f(c.other)}${c.steal && c.steal >= 0.05 ? ` (+ steal ${f(c.steal)})` : ''} of ${cpus().length} cores`;
}
