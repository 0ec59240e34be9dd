import * as fs from 'fs';

/**
 * PIDs of the processes of a pod of the process runtime: those whose
 * environment says they are one of its containers (`HOSTNAME=<pod>`, which
 * the runtime sets for every container). For tests and benchmarks that
 * look at real pods from the host.
 */
export function podProcesses(podName: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const env = fs.readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (env.includes(`HOSTNAME=${podName}`)) pids.push(Number(entry));
    } catch {
      /* gone, or not ours to read */
    }
  }
  return pids;
}
