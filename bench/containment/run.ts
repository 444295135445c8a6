/**
 * Only the containment benchmark: `node -r @swc-node/register bench/containment/run.ts` (needs the broker and a
 * migrated test database, as `npm run bench`). Figures go to bench/containment/results/, not to the full report.
 * BENCH_CONTAINMENT_TARGETS (default 100: one burst each, 1.5 s apart; fewer than 100 samples make the "p99" their
 * slowest one), BENCH_CONTAINMENT_FLEET (2000) and BENCH_CONTAINMENT_RATE (5000 events/s) vary the load.
 */
import { join } from 'node:path';

import { runBenchmarks, summaryLines } from '../bench-run';
import { benchContainment } from './containment.bench';

async function main(): Promise<void> {
  const dir = join(__dirname, 'results');
  const report = await runBenchmarks([{ name: 'containment', run: benchContainment }], { dir });
  for (const line of summaryLines(report, `${join(dir, 'latest.md')} and latest.json`, { notes: true })) console.log(line);
  // Explicitly: a benchmark that failed may have left a client or a socket open, which must not keep the run waiting.
  process.exit(report.failed ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
