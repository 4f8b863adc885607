/** CPU accounting from /proc (Linux): who used the cores during a measured run. */
import { readFileSync } from 'node:fs';

const CLK_TCK = 100; // USER_HZ on Linux

export interface CpuSnapshot {
  at: bigint;
  machineBusy: number;
  machineTotal: number;
  serverTicks: number | null;
  self: NodeJS.CpuUsage;
}

export interface CpuShare {
  /** Average cores in use over the run: the server process, this load generator, everything else. */
  server: number | null;
  client: number;
  other: number | null;
  machine: number | null;
}

function machine(): { busy: number; total: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    const v = line.trim().split(/\s+/).slice(1, 9).map(Number); // user nice system idle iowait irq softirq steal
    const total = v.reduce((a, b) => a + b, 0);
    return { busy: total - v[3]! - v[4]!, total };
  } catch {
    return { busy: NaN, total: NaN };
  }
}

function processTicks(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(rest[11]) + Number(rest[12]); // utime + stime
  } catch {
    return null;
  }
}

export function snapshot(serverPid?: number): CpuSnapshot {
  const m = machine();
  return { at: process.hrtime.bigint(), machineBusy: m.busy, machineTotal: m.total, serverTicks: processTicks(serverPid), self: process.cpuUsage() };
}

export function share(a: CpuSnapshot, b: CpuSnapshot, cores: number): CpuShare {
  const seconds = Number(b.at - a.at) / 1e9;
  const client = (b.self.user - a.self.user + b.self.system - a.self.system) / 1e6 / seconds;
  const server = a.serverTicks !== null && b.serverTicks !== null ? (b.serverTicks - a.serverTicks) / CLK_TCK / seconds : null;
  const dTotal = b.machineTotal - a.machineTotal;
  const machineCores = Number.isFinite(dTotal) && dTotal > 0 ? ((b.machineBusy - a.machineBusy) / dTotal) * cores : null;
  const other = machineCores !== null && server !== null ? Math.max(0, machineCores - server - client) : null;
  return { server, client, other, machine: machineCores };
}
