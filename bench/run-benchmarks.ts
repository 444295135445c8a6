/**
 * `npm run bench`: every benchmark against the real broker and database, each figure beside its target,
 * written to bench/results/latest.json and latest.md. Needs `npm run infra:up` and a migrated test database.
 */
import { benchBaseliner } from './behavior-baseliner/throughput.bench';
import { BenchFigure, writeReport } from './bench-report';
import { benchContainment } from './containment/containment.bench';
import { benchProvisioner } from './provisioner/provisioner.bench';

async function main(): Promise<void> {
  const figures: BenchFigure[] = [];
  figures.push(...(await benchProvisioner()));
  figures.push(...(await benchBaseliner()));
  figures.push(...(await benchContainment()));
  writeReport(figures);
  for (const f of figures) console.log(`${f.name}: ${f.value.toFixed(2)} ${f.unit}${f.target ? ` (target ${f.target}: ${f.meets ? 'met' : 'NOT met'})` : ''}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
