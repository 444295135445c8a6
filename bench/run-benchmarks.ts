/**
 * `npm run bench`: every benchmark against the real broker and database, each figure beside its target, written to
 * bench/results/latest.json and latest.md as soon as it is measured (a failure later keeps every figure so far). A
 * benchmark that throws is recorded as failed and the next one runs, unless the broker or the database is gone; the
 * command then exits non-zero. Needs `npm run infra:up` and a migrated test database. BENCH_ONLY (comma-separated
 * names) runs some of them; BENCH_RESULTS_DIR writes the report elsewhere (bench/README.md: what TLS and SASL cost).
 */
import { join, resolve } from 'node:path';

import { benchBaseliner } from './behavior-baseliner/throughput.bench';
import { Benchmark, runBenchmarks, summaryLines } from './bench-run';
import { benchContainment } from './containment/containment.bench';
import { infrastructureProblem } from './infrastructure-check';
import { benchProvisioner } from './provisioner/provisioner.bench';

const BENCHMARKS: Benchmark[] = [
  { name: 'provisioner', run: benchProvisioner },
  { name: 'behavior-baseliner', run: benchBaseliner },
  { name: 'containment', run: benchContainment },
];

/** The benchmarks BENCH_ONLY names (all when unset); an unknown name stops the run before anything is measured. */
function selected(only: string | undefined): Benchmark[] {
  if (!only?.trim()) return BENCHMARKS;
  const names = only.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !BENCHMARKS.some((b) => b.name === name));
  if (unknown.length) throw new Error(`BENCH_ONLY: no benchmark ${unknown.join(', ')} (there are ${BENCHMARKS.map((b) => b.name).join(', ')})`);
  return BENCHMARKS.filter((b) => names.includes(b.name));
}

async function main(): Promise<void> {
  const dir = process.env.BENCH_RESULTS_DIR ? resolve(process.env.BENCH_RESULTS_DIR) : join(__dirname, 'results');
  const report = await runBenchmarks(selected(process.env.BENCH_ONLY), { dir, problemAfterFailure: infrastructureProblem });
  for (const line of summaryLines(report, `${join(dir, 'latest.md')} and latest.json`)) console.log(line);
  // Explicitly: a benchmark that failed may have left a client or a socket open, which must not keep the run waiting.
  process.exit(report.failed ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
