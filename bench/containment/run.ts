/**
 * Only the containment benchmark: `node -r @swc-node/register bench/containment/run.ts` (needs the broker and a
 * migrated test database, as `npm run bench`). Figures go to bench/containment/results/, not to the full report.
 * BENCH_CONTAINMENT_TARGETS (default 30: one burst each, 1.5 s apart; with 30 the p99 is the slowest sample, 100
 * gives a steadier one), BENCH_CONTAINMENT_FLEET (2000) and BENCH_CONTAINMENT_RATE (5000 events/s) vary the load.
 */
import { join } from 'node:path';

import { writeReport } from '../bench-report';
import { benchContainment } from './containment.bench';

async function main(): Promise<void> {
  const figures = await benchContainment();
  writeReport(figures, join(__dirname, 'results'));
  for (const f of figures)
    console.log(
      `${f.name}: ${f.value.toFixed(2)} ${f.unit}${f.target ? ` (target ${f.target}: ${f.meets ? 'met' : 'NOT met'})` : ''}${f.note ? `\n  ${f.note}` : ''}`,
    );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
