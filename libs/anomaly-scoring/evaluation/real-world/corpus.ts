/**
 * The labelled real-world corpus, as packed by pack-corpus.ts: 188 operational series (Microsoft cloud telemetry,
 * AIOps Challenge 2018 KPIs, the Application Server and Server Machine datasets; see README.md for provenance and
 * licences), split once into a development half and a hold-out half by source unit.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export interface PackedSeries {
  /** `<collection>/<series>.csv` as in the corpus's release. */
  name: string;
  collection: string;
  /** Nominal sampling interval. */
  intervalS: number;
  /** True where the source had no timestamps and they were synthesised (time of day means nothing). */
  syntheticTime: boolean;
  description: string;
  /** First timestamp, epoch seconds. */
  t0: number;
  /** [index, seconds since the previous point] wherever that is not intervalS. */
  gaps: [number, number][];
  /** The values as written in the source, comma-separated. */
  values: string;
  /** Labelled anomaly windows [start, end] in epoch seconds, inclusive: exact and widened for window scoring. */
  windows: [number, number][];
  widened: [number, number][];
}

export interface PackedCorpus {
  half: 'dev' | 'holdout';
  series: PackedSeries[];
}

export interface Series {
  name: string;
  collection: string;
  intervalS: number;
  syntheticTime: boolean;
  /** Epoch milliseconds, strictly increasing. */
  t: Float64Array;
  value: Float64Array;
  windows: [number, number][];
  /** Widened windows in epoch milliseconds. */
  widened: [number, number][];
}

export type CorpusHalf = 'dev' | 'holdout';

export function loadCorpus(half: CorpusHalf): Series[] {
  const packed = JSON.parse(gunzipSync(readFileSync(join(__dirname, `corpus-${half}.json.gz`))).toString('utf8')) as PackedCorpus;
  return packed.series.map(unpack);
}

function unpack(s: PackedSeries): Series {
  const texts = s.values.split(',');
  const n = texts.length;
  const t = new Float64Array(n);
  const value = new Float64Array(n);
  const gapAt = new Map(s.gaps);
  let ts = s.t0;
  for (let i = 0; i < n; i++) {
    if (i > 0) ts += gapAt.get(i) ?? s.intervalS;
    t[i] = ts * 1000;
    value[i] = Number(texts[i]);
  }
  const ms = (w: [number, number][]) => w.map(([a, b]) => [a * 1000, b * 1000] as [number, number]);
  return {
    name: s.name,
    collection: s.collection,
    intervalS: s.intervalS,
    syntheticTime: s.syntheticTime,
    t,
    value,
    windows: ms(s.windows),
    widened: ms(s.widened),
  };
}
