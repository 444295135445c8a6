/**
 * `npm run bench`: every benchmark against the real broker and database, each figure beside its target, written to
 * bench/results/latest.json and latest.md as soon as it is measured (a failure later keeps every figure so far). A
 * benchmark that throws is recorded as failed and the next one runs, unless the broker or the database is gone; the
 * command then exits non-zero. Needs `npm run infra:up` and a migrated test database.
 */
import { join } from 'node:path';

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

async function main(): Promise<void> {
  const dir = join(__dirname, 'results');
  const report = await runBenchmarks(BENCHMARKS, { dir, problemAfterFailure: infrastructureProblem });
  for (const line of summaryLines(report, `${join(dir, 'latest.md')} and latest.json`)) console.log(line);
  // Explicitly: a benchmark that failed may have left a client or a socket open, which must not keep the run waiting.
  process.exit(report.failed ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
