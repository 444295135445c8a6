import { readdirSync, readFileSync } from 'node:fs';

/** CPU ticks (USER_HZ) of the machine and of every process, read from /proc (Linux only; empty elsewhere). */
export interface CpuSnapshot {
  at: number;
  busy: number;
  all: number;
  processes: Map<number, { name: string; ticks: number; command?: string }>;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export function cpuSnapshot(): CpuSnapshot {
  const fields = (read('/proc/stat') ?? '').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  const all = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  const processes = new Map<number, { name: string; ticks: number; command?: string }>();
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    // not Linux
  }
  for (const pid of pids) {
    const stat = read(`/proc/${pid}/stat`);
    if (!stat) continue;
    const close = stat.lastIndexOf(')');
    const name = stat.slice(stat.indexOf('(') + 1, close);
    const rest = stat.slice(close + 2).split(' ');
    // Fields 14 and 15 of the line (utime, stime) are 11 and 12 after the name.
    const command = name.startsWith('node') ? read(`/proc/${pid}/cmdline`)?.split('\0').join(' ').trim().slice(0, 120) : undefined;
    processes.set(Number(pid), { name, ticks: Number(rest[11]) + Number(rest[12]), ...(command ? { command } : {}) });
  }
  return { at: Date.now(), busy: all - idle, all, processes };
}

/**
 * Where the machine's CPU went between two snapshots, as a share of one core: the whole machine, and per process
 * group (the labelled pids by label, every other process by its name: java for Kafka, postgres for its backends).
 */
export function cpuBetween(a: CpuSnapshot, b: CpuSnapshot, labels: Record<number, string>, cores: number): string {
  if (b.all === a.all) return 'no /proc';
  const perCore = (b.all - a.all) / cores;
  const byName = new Map<string, number>();
  // Node processes that are none of ours: someone else's tests or services on the same machine.
  const strangers: Array<[string, number]> = [];
  for (const [pid, p] of b.processes) {
    const before = a.processes.get(pid);
    const ticks = p.ticks - (before && before.name === p.name ? before.ticks : 0);
    if (ticks <= 0) continue;
    const stranger = labels[pid] === undefined && p.name.startsWith('node');
    const name = labels[pid] ?? (stranger ? 'other node processes' : p.name);
    byName.set(name, (byName.get(name) ?? 0) + ticks);
    if (stranger) strangers.push([`${pid} ${p.command ?? p.name}`, ticks]);
  }
  const pct = (ticks: number) => `${((ticks / perCore) * 100).toFixed(0)}%`;
  const top = [...byName.entries()].sort((x, y) => y[1] - x[1]).slice(0, 8);
  const others = strangers
    .sort((x, y) => y[1] - x[1])
    .slice(0, 3)
    .map(([what, ticks]) => `${pct(ticks)} ${what}`);
  return `machine ${pct(b.busy - a.busy)} of ${cores * 100}% busy; ${top.map(([name, ticks]) => `${name} ${pct(ticks)}`).join(', ')}${others.length ? ` (other node processes: ${others.join('; ')})` : ''}`;
}
