/**
 * Runs the evaluation suite on the tuning seed and the held-out seed and writes report.md and report.json next to
 * this file.
 *
 *   node -r @swc-node/register libs/anomaly-scoring/evaluation/run-evaluation.ts [--seeds 1,90210] [--agents 400] [--no-write]
 *
 * Deterministic: the same seeds give the same report, byte for byte (run time is printed, not written).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { HELD_OUT_SEED, runEvaluation, SUITE, targetsMet, TUNING_SEED } from './evaluate';
import type { EvaluationResult } from './evaluate';
import { renderMarkdown, REPRODUCE } from './render-report';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const seeds = (arg('seeds') ?? `${TUNING_SEED},${HELD_OUT_SEED}`).split(',').map(Number);
const agents = Number(arg('agents') ?? SUITE.agents);
const write = !process.argv.includes('--no-write');

const results: EvaluationResult[] = [];
for (const seed of seeds) {
  const t0 = Date.now();
  const r = runEvaluation({ ...SUITE, agents, seed });
  results.push(r);
  const verdict = targetsMet(r);
  console.log(
    `seed ${seed}: ${r.measuredAgentDays} agent-days, ${r.events.total} events, recall ${r.kinds.map((k) => `${k.kind} ${k.recall}`).join(', ')}; ` +
      `false alarms ${r.falseAlarms.total} = ${r.falseAlarms.per1000AgentDays}/1000 agent-days; targets ${verdict.ok ? 'met' : `NOT met: ${verdict.failures.join('; ')}`} ` +
      `(${((Date.now() - t0) / 1000).toFixed(1)} s)`,
  );
}

if (write) {
  const dir = __dirname;
  writeFileSync(join(dir, 'report.md'), renderMarkdown(results, HELD_OUT_SEED));
  writeFileSync(
    join(dir, 'report.json'),
    JSON.stringify({ command: REPRODUCE, tuningSeeds: [1, 2, 3], heldOutSeed: HELD_OUT_SEED, results, targets: results.map((r) => ({ seed: r.seed, ...targetsMet(r) })) }, null, 1) + '\n',
  );
  console.log(`wrote ${join(dir, 'report.md')} and report.json`);
}
