/**
 * Packs the labelled real-world corpus (a directory of `data/<collection>/<series>.csv` files with `timestamp,value`
 * rows, `labels.json`, `labels-widened.json` and `series.json`) into the two gzip files the evaluation reads:
 * `corpus-dev.json.gz` and `corpus-holdout.json.gz`. Run once when the corpus changes:
 *
 *   node -r @swc-node/register libs/anomaly-scoring/evaluation/real-world/pack-corpus.ts <corpus dir>
 *
 * The split is fixed and by source unit, not by series: every metric of one machine (asd, smd) lands in the same
 * half, so the hold-out never shares a machine with what the defaults were developed on. See corpus.ts for the
 * format.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import type { PackedCorpus, PackedSeries } from './corpus';

interface SeriesMeta {
  collection: string;
  interval_s: number;
  synthetic_timestamps: boolean;
  description: string;
}

function main(dir: string): void {
  const meta = JSON.parse(readFileSync(join(dir, 'series.json'), 'utf8')) as Record<string, SeriesMeta>;
  const exact = JSON.parse(readFileSync(join(dir, 'labels.json'), 'utf8')) as Record<string, [string, string][]>;
  const widened = JSON.parse(readFileSync(join(dir, 'labels-widened.json'), 'utf8')) as Record<string, [string, string][]>;
  const halves: Record<'dev' | 'holdout', PackedSeries[]> = { dev: [], holdout: [] };
  for (const name of Object.keys(meta).sort()) {
    const m = meta[name];
    const lines = readFileSync(join(dir, 'data', name), 'utf8')
      .trim()
      .split('\n')
      .slice(1);
    const t0 = Date.parse(lines[0].split(',')[0]) / 1000;
    const gaps: [number, number][] = [];
    const values: string[] = [];
    let prev = t0;
    lines.forEach((line, i) => {
      const [ts, value] = line.split(',');
      const t = Date.parse(ts) / 1000;
      if (i > 0 && t - prev !== m.interval_s) gaps.push([i, t - prev]);
      prev = t;
      values.push(value);
    });
    const toSeconds = (w: [string, string][] = []) => w.map(([a, b]) => [Date.parse(a) / 1000, Date.parse(b) / 1000] as [number, number]);
    const series: PackedSeries = {
      name,
      collection: m.collection,
      intervalS: m.interval_s,
      syntheticTime: m.synthetic_timestamps,
      description: m.description,
      t0,
      gaps,
      values: values.join(','),
      windows: toSeconds(exact[name]),
      widened: toSeconds(widened[name]),
    };
    halves[half(name)].push(series);
  }
  for (const which of ['dev', 'holdout'] as const) {
    const corpus: PackedCorpus = { half: which, series: halves[which] };
    const out = join(__dirname, `corpus-${which}.json.gz`);
    writeFileSync(out, gzipSync(JSON.stringify(corpus), { level: 9 }));
    const points = corpus.series.reduce((n, s) => n + s.values.split(',').length, 0);
    console.log(`${which}: ${corpus.series.length} series, ${points} points -> ${out}`);
  }
}

/** The source unit a series belongs to: the machine for asd and smd (`machine-1-6__m01` -> `machine-1-6`). */
function unitOf(name: string): string {
  const [collection, file] = name.split('/');
  return collection === 'asd' || collection === 'smd' ? `${collection}/${file.split('__')[0]}` : name;
}

/** Fixed pseudo-random half of a unit: the first byte of its SHA-256, even or odd. */
function half(name: string): 'dev' | 'holdout' {
  return createHash('sha256').update(unitOf(name)).digest()[0] % 2 === 0 ? 'dev' : 'holdout';
}

main(process.argv[2] ?? '.');
