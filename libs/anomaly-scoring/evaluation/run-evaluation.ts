/**
 * Runs both evaluations and writes their reports:
 *  - the synthetic agent suite on the tuning seed and the held-out seed: report.md and report.json next to this file;
 *  - the real-world corpus, both halves (StreamDetector per series, and count series replayed through the agent
 *    model): real-world/report.md and real-world/report.json.
 *
 *   npm run evaluate:scoring [-- --seeds 1,90210] [--agents 400] [--no-write] [--real-world-only] [--max-series N --out DIR]
 *
 * Progress (on stderr) says which dataset runs and how far along it is; each report is rewritten as soon as a dataset
 * finishes (a real-world half, a seed), so a run stopped later keeps what it measured. `--max-series N` takes only the
 * first N series of each real-world half, a quick check of the tooling: its reports must go elsewhere (`--out DIR`, or
 * `--no-write`), since the reports beside this file are always the whole evaluation.
 *
 * Deterministic: the same seeds give the same report, byte for byte (run time is printed, not written).
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { createProgress, type Progress } from '@agentgov/terminal-progress';

import { HELD_OUT_SEED, runEvaluation, SUITE, targetsMet, TUNING_SEED, type EvaluationResult } from './evaluate';
import { checkTargets, evaluateRealWorld, type RealWorldResult, type RealWorldStage } from './real-world/evaluate-real-world';
import { renderRealWorld } from './real-world/render-real-world';
import { renderMarkdown, REPRODUCE } from './render-report';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const seeds = (arg('seeds') ?? `${TUNING_SEED},${HELD_OUT_SEED}`).split(',').map(Number);
const agents = Number(arg('agents') ?? SUITE.agents);
const maxSeries = arg('max-series') === undefined ? undefined : Number(arg('max-series'));
const out = arg('out');
const write = !process.argv.includes('--no-write');
if (maxSeries !== undefined && write && out === undefined) {
  console.error('--max-series evaluates part of the corpus: give --out DIR or --no-write, the reports beside run-evaluation.ts are the whole evaluation');
  process.exit(2);
}
const syntheticDir = out ?? __dirname;
const realWorldDir = out ? join(out, 'real-world') : join(__dirname, 'real-world');

/** A file replaced in one step (written beside it, then renamed over it): a run stopped mid-write leaves the old report whole. */
function writeAtomically(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

const STAGES: Record<RealWorldStage, { label: string; unit: string }> = {
  streams: { label: 'StreamDetector on every series', unit: 'series' },
  counts: { label: 'count series replayed as events through the agent model', unit: 'events' },
  previous: { label: 'the previous detector (EwRobustZDetector) on every series, for comparison', unit: 'series' },
};

/** One progress line per pass over a half, the corpus loading first. */
function halfProgress(label: string): { onProgress: (stage: RealWorldStage, done: number, total: number) => void; done: () => void } {
  let stage: RealWorldStage | 'loading' = 'loading';
  let progress: Progress = createProgress({ label: `${label}: loading the corpus` });
  return {
    onProgress: (next, done, total) => {
      if (next !== stage) {
        progress.done();
        stage = next;
        progress = createProgress({ label: `${label}: ${STAGES[next].label}`, total, unit: STAGES[next].unit });
      }
      progress.update(done);
    },
    done: () => progress.done(),
  };
}

const halves = ['dev', 'holdout'] as const;
const syntheticSeeds = process.argv.includes('--real-world-only') ? [] : seeds;
const datasets = halves.length + syntheticSeeds.length;

const realWorld: RealWorldResult[] = [];
for (const [i, half] of halves.entries()) {
  const t0 = Date.now();
  const progress = halfProgress(`real-world ${half} half (dataset ${i + 1} of ${datasets})`);
  const r = evaluateRealWorld(half, { withPrevious: true, maxSeries, onProgress: progress.onProgress });
  progress.done();
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
  if (write) {
    mkdirSync(realWorldDir, { recursive: true });
    writeAtomically(join(realWorldDir, 'report.md'), renderRealWorld(realWorld));
    writeAtomically(join(realWorldDir, 'report.json'), JSON.stringify({ command: 'npm run evaluate:scoring', results: realWorld }, null, 1) + '\n');
    console.log(`wrote ${join(realWorldDir, 'report.md')} and report.json (${realWorld.map((x) => x.half).join(' and ')})`);
  }
}

const results: EvaluationResult[] = [];
for (const [i, seed] of syntheticSeeds.entries()) {
  const t0 = Date.now();
  const progress = createProgress({
    label: `synthetic fleet, seed ${seed}${seed === HELD_OUT_SEED ? ' (held out)' : ''}, ${agents} agents (dataset ${halves.length + i + 1} of ${datasets})`,
    total: SUITE.burnInDays + SUITE.measuredDays,
    unit: 'simulated days',
  });
  const r = runEvaluation({ ...SUITE, agents, seed }, (done, _days, events) => progress.update(done, `${events.toLocaleString('en')} events scored`));
  progress.done();
  results.push(r);
  const verdict = targetsMet(r);
  console.log(
    `seed ${seed}: ${r.measuredAgentDays} agent-days, ${r.events.total} events, recall ${r.kinds.map((k) => `${k.kind} ${k.recall}`).join(', ')}; ` +
      `false alarms ${r.falseAlarms.total} = ${r.falseAlarms.per1000AgentDays}/1000 agent-days; targets ${verdict.ok ? 'met' : `NOT met: ${verdict.failures.join('; ')}`} ` +
      `(${((Date.now() - t0) / 1000).toFixed(1)} s)`,
  );
  if (write) {
    mkdirSync(syntheticDir, { recursive: true });
    writeAtomically(join(syntheticDir, 'report.md'), renderMarkdown(results, HELD_OUT_SEED));
    writeAtomically(
      join(syntheticDir, 'report.json'),
      JSON.stringify(
        { command: REPRODUCE, tuningSeeds: [1, 2, 3], heldOutSeed: HELD_OUT_SEED, results, targets: results.map((r) => ({ seed: r.seed, ...targetsMet(r) })) },
        null,
        1,
      ) + '\n',
    );
    console.log(`wrote ${join(syntheticDir, 'report.md')} and report.json (seed ${results.map((x) => x.seed).join(' and ')})`);
  }
}
