import { scrubSecrets } from '@agentgov/telemetry';
import { createProgress, formatDuration, Progress, ProgressStream } from '@agentgov/terminal-progress';

import { BenchFigure, BenchReport, errorSummary, formatValue } from './bench-report';

/** What a benchmark gets from the run: where its figures go, and how it says what it is doing. */
export interface BenchContext {
  /** A figure as soon as it is measured: it is on disk when this returns. The same name again replaces it. */
  record(figure: BenchFigure): void;
  /** A phase of the benchmark with its progress (one at a time); finish it with done() or fail(). */
  progress(label: string, options?: { total?: number; unit?: string }): Progress;
  /** A line of the benchmark's own, prefixed like its progress. */
  log(message: string): void;
  /** A pause the measurement needs (a warm-up, a refresh to wait out), with a countdown. */
  pause(label: string, ms: number): Promise<void>;
}

export interface Benchmark {
  name: string;
  run(context: BenchContext): Promise<void>;
}

export interface RunOptions {
  /** Where latest.json and latest.md go (default bench/results). */
  dir?: string;
  /** Where progress and log lines go (default stdout, so they stay in order with the rest of the output). */
  stream?: ProgressStream;
  isTTY?: boolean;
  /**
   * Asked after a benchmark failed, before the next one: a reason not to go on (the broker or the database is gone
   * and did not come back), or undefined. The benchmarks left are then recorded as skipped with that reason.
   */
  problemAfterFailure?: () => Promise<string | undefined>;
}

/**
 * Runs the benchmarks in turn. Every figure is written to the report as it is measured; a benchmark that throws is
 * recorded as failed with its error and the next one runs (unless problemAfterFailure says it is not safe). The
 * report's `failed` says whether the command must exit non-zero.
 */
export async function runBenchmarks(benchmarks: Benchmark[], options: RunOptions = {}): Promise<BenchReport> {
  const stream = options.stream ?? process.stdout;
  const report = new BenchReport(
    benchmarks.map((b) => b.name),
    options.dir,
  );
  const say = (line: string) => writeLine(stream, line);
  let stopReason: string | undefined;
  for (const [i, benchmark] of benchmarks.entries()) {
    if (stopReason) {
      report.skip(benchmark.name, stopReason);
      say(`benchmark ${i + 1} of ${benchmarks.length}: ${benchmark.name} skipped (${stopReason})`);
      continue;
    }
    const context = new RunContext(`[${i + 1}/${benchmarks.length} ${benchmark.name}]`, report, stream, options.isTTY);
    const started = performance.now();
    say(`benchmark ${i + 1} of ${benchmarks.length}: ${benchmark.name}`);
    report.start(benchmark.name);
    try {
      await benchmark.run(context);
      context.end();
      report.done(benchmark.name);
      say(`benchmark ${i + 1} of ${benchmarks.length}: ${benchmark.name} done in ${formatDuration(performance.now() - started)}`);
    } catch (error) {
      context.end(errorSummary(error));
      report.fail(benchmark.name, error);
      say(`benchmark ${i + 1} of ${benchmarks.length}: ${benchmark.name} FAILED after ${formatDuration(performance.now() - started)}: ${errorSummary(error)}`);
      if (error instanceof Error && error.stack) say(scrubSecrets(error.stack.split('\n').slice(1).join('\n')));
      if (i < benchmarks.length - 1) stopReason = await options.problemAfterFailure?.();
    }
  }
  report.finish();
  return report;
}

/** The figures and failures of a finished run, as lines for the console. */
export function summaryLines(report: BenchReport, where: string, { notes = false } = {}): string[] {
  const data = report.snapshot();
  return [
    ...data.figures.map(
      (f) => `${f.name}: ${formatValue(f)}${f.target ? ` (target ${f.target}: ${f.meets ? 'met' : 'NOT met'})` : ''}${notes && f.note ? `\n  ${f.note}` : ''}`,
    ),
    ...data.benchmarks.filter((b) => b.status === 'failed' || b.status === 'skipped').map((b) => `${b.name} ${b.status}: ${b.error}`),
    `${data.status === 'complete' ? 'all benchmarks done' : 'INCOMPLETE'}: ${where}`,
  ];
}

class RunContext implements BenchContext {
  /** The phase whose progress is on screen: lines go through it so that they do not land after its bar. */
  private active?: Progress;

  constructor(
    private readonly prefix: string,
    private readonly report: BenchReport,
    private readonly stream: ProgressStream,
    private readonly isTTY: boolean | undefined,
  ) {}

  record(figure: BenchFigure): void {
    this.report.record(figure);
    this.log(`measured ${figure.name}: ${formatValue(figure)}${figure.target ? ` (target ${figure.target}: ${figure.meets ? 'met' : 'NOT met'})` : ''}`);
  }

  progress(label: string, options: { total?: number; unit?: string } = {}): Progress {
    this.active?.done();
    const progress = createProgress({ label: `${this.prefix} ${label}`, ...options, stream: this.stream, isTTY: this.isTTY });
    const finished = () => {
      if (this.active === wrapper) this.active = undefined;
    };
    const wrapper: Progress = {
      update: (done, detail) => progress.update(done, detail),
      tick: (n, detail) => progress.tick(n, detail),
      log: (message) => progress.log(message),
      done: (summary) => {
        finished();
        progress.done(summary);
      },
      fail: (reason) => {
        finished();
        progress.fail(reason);
      },
    };
    this.active = wrapper;
    return wrapper;
  }

  log(message: string): void {
    const text = message
      .split('\n')
      .map((line) => `${this.prefix} ${line}`)
      .join('\n');
    if (this.active) this.active.log(text);
    else writeLine(this.stream, text);
  }

  async pause(label: string, ms: number): Promise<void> {
    const seconds = Math.ceil(ms / 1000);
    const progress = this.progress(label, { total: seconds, unit: 's' });
    const until = performance.now() + ms;
    for (let left = ms; left > 0; left = until - performance.now()) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, left)));
      progress.update(Math.min(seconds, Math.round(seconds - (until - performance.now()) / 1000)));
    }
    progress.done();
  }

  /** The benchmark ended: a phase it left open is done, or failed with the reason the benchmark threw. */
  end(failure?: string): void {
    if (failure === undefined) this.active?.done();
    else this.active?.fail(failure);
  }
}

function writeLine(stream: ProgressStream, line: string): void {
  try {
    stream.write(`${line}\n`);
  } catch {
    // A closed stream loses the line, not the run: the figures are in the report.
  }
}
