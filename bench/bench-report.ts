import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
  target?: string;
  /** Whether the figure meets its target (undefined: no target). */
  meets?: boolean;
  note?: string;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function machine(): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

/** Writes results/latest.json and results/latest.md beside this file. */
export function writeReport(figures: BenchFigure[], dir = join(__dirname, 'results')): void {
  mkdirSync(dir, { recursive: true });
  const at = new Date().toISOString();
  writeFileSync(join(dir, 'latest.json'), `${JSON.stringify({ at, machine: machine(), figures }, null, 2)}\n`);
  const rows = figures.map(
    (f) =>
      `| ${f.name} | ${Number.isInteger(f.value) ? f.value : f.value.toFixed(2)} ${f.unit} | ${f.target ?? ''} | ${f.meets === undefined ? '' : f.meets ? 'yes' : '**no**'} | ${f.note ?? ''} |`,
  );
  writeFileSync(
    join(dir, 'latest.md'),
    [
      `# Benchmarks`,
      '',
      `Run at ${at} on ${machine()}.`,
      '',
      '| figure | value | target | meets | note |',
      '| --- | --- | --- | --- | --- |',
      ...rows,
      '',
    ].join('\n'),
  );
}
