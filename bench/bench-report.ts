import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

import { scrubSecrets } from '@agentgov/telemetry';

export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
  target?: string;
  /** Whether the figure meets its target (undefined: no target). */
  meets?: boolean;
  note?: string;
}

/** pending → running → done, failed (it threw; `error` says why) or skipped (not run, because running it was not safe). */
export type BenchmarkStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped';

export interface BenchmarkEntry {
  name: string;
  status: BenchmarkStatus;
  error?: string;
}

/**
 * bench/results/latest.json. `at`, `machine` and `figures` are what it always held; `status` and `benchmarks` say
 * whether the run is still going and what failed, since the file is rewritten after every figure.
 */
export interface BenchReportData {
  /** When the run started. */
  at: string;
  machine: string;
  /** running while benchmarks are left; complete when every one is done; failed when one failed or was skipped. */
  status: 'running' | 'complete' | 'failed';
  benchmarks: BenchmarkEntry[];
  figures: BenchFigure[];
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function machine(): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

/** How a figure's value is shown in latest.md and on the console. */
export function formatValue(f: BenchFigure): string {
  return `${Number.isInteger(f.value) ? f.value : f.value.toFixed(2)} ${f.unit}`;
}

/** An error as one line for the report: its message only (no stack), tokens and credentials scrubbed, bounded. */
export function errorSummary(error: unknown): string {
  const message = error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
  const line = scrubSecrets(message).replace(/\s+/g, ' ').trim();
  return line.length > 500 ? `${line.slice(0, 499)}…` : line || 'failed without a message';
}

/**
 * Replaces `path` in one step: the text goes to a temporary file beside it, which is then renamed over it, so a
 * reader (or a run killed mid-write) sees the old file or the new one, never half of one.
 */
export function writeFileAtomically(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/**
 * The report of one run, rewritten to latest.json and latest.md after every change (a figure measured, a benchmark
 * started, failed or finished), so that whatever happens later in the run, every figure measured so far is on disk.
 */
export class BenchReport {
  private readonly data: BenchReportData;

  constructor(
    benchmarks: string[],
    private readonly dir = join(__dirname, 'results'),
    startedAt = new Date(),
  ) {
    this.data = {
      at: startedAt.toISOString(),
      machine: machine(),
      status: 'running',
      benchmarks: benchmarks.map((name) => ({ name, status: 'pending' })),
      figures: [],
    };
  }

  get failed(): boolean {
    return this.data.benchmarks.some((b) => b.status === 'failed' || b.status === 'skipped');
  }

  /** A copy of what the files hold. */
  snapshot(): BenchReportData {
    return JSON.parse(JSON.stringify(this.data));
  }

  start(benchmark: string): void {
    this.entry(benchmark).status = 'running';
    this.write();
  }

  /** A figure as soon as it is measured; one of the same name (a provisional "best of N so far") is replaced in place. */
  record(figure: BenchFigure): void {
    const at = this.data.figures.findIndex((f) => f.name === figure.name);
    if (at >= 0) this.data.figures[at] = figure;
    else this.data.figures.push(figure);
    this.write();
  }

  done(benchmark: string): void {
    this.entry(benchmark).status = 'done';
    this.write();
  }

  fail(benchmark: string, error: unknown): void {
    Object.assign(this.entry(benchmark), { status: 'failed', error: errorSummary(error) });
    this.write();
  }

  skip(benchmark: string, reason: string): void {
    Object.assign(this.entry(benchmark), { status: 'skipped', error: reason });
    this.write();
  }

  /** The run is over: complete, or failed if any benchmark failed or was skipped. */
  finish(): void {
    for (const b of this.data.benchmarks)
      if (b.status === 'pending' || b.status === 'running') Object.assign(b, { status: 'skipped', error: 'never finished' });
    this.data.status = this.failed ? 'failed' : 'complete';
    this.write();
  }

  private entry(benchmark: string): BenchmarkEntry {
    let entry = this.data.benchmarks.find((b) => b.name === benchmark);
    if (!entry) {
      entry = { name: benchmark, status: 'pending' };
      this.data.benchmarks.push(entry);
    }
    return entry;
  }

  private write(): void {
    mkdirSync(this.dir, { recursive: true });
    writeFileAtomically(join(this.dir, 'latest.json'), `${JSON.stringify(this.data, null, 2)}\n`);
    writeFileAtomically(join(this.dir, 'latest.md'), renderMarkdown(this.data));
  }
}

/** latest.md: the table of figures as it always was, plus, unless the run completed, where it stands and what failed. */
export function renderMarkdown(data: BenchReportData): string {
  const rows = data.figures.map(
    (f) => `| ${f.name} | ${formatValue(f)} | ${f.target ?? ''} | ${f.meets === undefined ? '' : f.meets ? 'yes' : '**no**'} | ${f.note ?? ''} |`,
  );
  const lines = [`# Benchmarks`, '', `Run at ${data.at} on ${data.machine}.`, ''];
  if (data.status !== 'complete') {
    const state = data.benchmarks.map((b) => `${b.name} ${b.status === 'failed' ? '**failed**' : b.status}`).join(', ');
    lines.push(`${data.status === 'running' ? 'Still running' : '**Incomplete**'}: ${state}.`, '');
  }
  lines.push('| figure | value | target | meets | note |', '| --- | --- | --- | --- | --- |', ...rows, '');
  const failures = data.benchmarks.filter((b) => b.status === 'failed' || b.status === 'skipped');
  if (failures.length) {
    lines.push('## Not measured', '', ...failures.map((b) => `- ${b.name} ${b.status === 'failed' ? 'failed' : 'was skipped'}: ${b.error ?? ''}`), '');
  }
  return lines.join('\n');
}
