/**
 * Runs both evaluations and writes their reports:
 *  - the synthetic agent suite on the tuning seed and the held-out seed: report.md and report.json next to this file;
 *  - the real-world corpus, both halves (StreamDetector per series, and count series replayed through the agent
 *    model): real-world/report.md and real-world/report.json.
 *
 *   npm run evaluate:scoring [-- --seeds 1,90210] [--agents 400] [--no-write] [--real-world-only]
 *
 * Deterministic: the same seeds give the same report, byte for byte (run time is printed, not written).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { HELD_OUT_SEED, runEvaluation, SUITE, targetsMet, TUNING_SEED, type EvaluationResult } from './evaluate';
import { checkTargets, evaluateRealWorld, type RealWorldResult } from './real-world/evaluate-real-world';
import { renderRealWorld } from './real-world/render-real-world';
import { renderMarkdown, REPRODUCE } from './render-report';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const seeds = (arg('seeds') ?? `${TUNING_SEED},${HELD_OUT_SEED}`).split(',').map(Number);
const agents = Number(arg('agents') ?? SUITE.agents);
const write = !process.argv.includes('--no-write');

const realWorld: RealWorldResult[] = [];
for (const half of ['dev', 'holdout'] as const) {
  const t0 = Date.now();
  const r = evaluateRealWorld(half, { withPrevious: true });
  realWorld.push(r);
  for (const [what, set] of [
    ['streams', r.streams],
    ['count streams', r.counts],
  ] as const) {
    const failed = checkTargets(set).filter((c) => !c.met);
    const [p90, , p97] = set.product;
    console.log(
      `real-world ${half}, ${what}: ${set.series} series, ${set.seriesDays} series-days, ${set.windows} windows; at 0.9 caught ${p90.caught} with ${p90.falseAlarmsPer1000Days} false alarms/1000 days, ` +
        `at 0.97 caught ${p97.caught} with ${p97.falseAlarmsPer1000Days}; targets ${failed.length ? `NOT met: ${failed.map((c) => `${c.name} ${c.value}`).join('; ')}` : 'met'} (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
    );
  }
}
if (write) {
  const dir = join(__dirname, 'real-world');
  writeFileSync(join(dir, 'report.md'), renderRealWorld(realWorld));
  writeFileSync(join(dir, 'report.json'), JSON.stringify({ command: 'npm run evaluate:scoring', results: realWorld }, null, 1) + '\n');
  console.log(`wrote ${join(dir, 'report.md')} and report.json`);
}

const results: EvaluationResult[] = [];
for (const seed of process.argv.includes('--real-world-only') ? [] : seeds) {
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

if (write && results.length) {
  const dir = __dirname;
  writeFileSync(join(dir, 'report.md'), renderMarkdown(results, HELD_OUT_SEED));
  writeFileSync(
    join(dir, 'report.json'),
    JSON.stringify(
      { command: REPRODUCE, tuningSeeds: [1, 2, 3], heldOutSeed: HELD_OUT_SEED, results, targets: results.map((r) => ({ seed: r.seed, ...targetsMet(r) })) },
      null,
      1,
    ) + '\n',
  );
  console.log(`wrote ${join(dir, 'report.md')} and report.json`);
}
