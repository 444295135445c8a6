import type { AgentBehaviorModel, PeerPrior } from './agent-behavior-model';
import { BloomSet } from './bloom-set';
import type { DetectorPrior } from './ew-robust-z-detector';

/**
 * A cold-start prior from peers (same purpose, owner, team, template or platform): the median of their warm
 * baselines, the upper quartile of their seasonal profiles (what is normal at this time for a good share of them,
 * so that a new batch job running an hour later than most is not a flood of alarms; its own history replaces it
 * within days), the items at least `quorum` of them share, and the hours of day at least `hourQuorum` of them are
 * active in (lower by default: a new agent working an hour earlier than most of its peers is not an anomaly, 3 am
 * when none of them ever is still is). Returns undefined when no peer is warm yet.
 */
export function buildPeerPrior(peers: AgentBehaviorModel[], quorum = 0.5, hourQuorum = 0.2, seasonalQuantile = 0.75): PeerPrior | undefined {
  const warm = peers.map((p) => p.baseline).filter((b) => b.warm);
  if (warm.length === 0) return undefined;
  const needHours = Math.max(1, Math.ceil(hourQuorum * warm.length));
  let hours = 0;
  for (let h = 0; h < 24; h++) {
    if (warm.filter((b) => (b.hours & (1 << h)) !== 0).length >= needHours) hours |= 1 << h;
  }
  const profiles = warm.map((b) => b.seasonal).filter((s): s is Uint8Array => s !== undefined);
  let seasonal: string | undefined;
  if (profiles.length > 0 && profiles.length * 2 >= warm.length) {
    const out = new Uint8Array(profiles[0].length);
    for (let i = 0; i < out.length; i++)
      out[i] = Math.round(
        quantile(
          profiles.map((p) => p[i]),
          seasonalQuantile,
        ),
      );
    seasonal = Buffer.from(out).toString('base64');
  }
  return {
    rate: medianPrior(warm.map((b) => b.rate)),
    records: medianPrior(warm.map((b) => b.records)),
    deniedShare: median(warm.map((b) => b.deniedShare)),
    seen: BloomSet.quorum(
      warm.map((b) => b.seen),
      quorum,
    ).toBase64(),
    hours: hours >>> 0,
    ...(seasonal ? { seasonal } : {}),
    peers: warm.length,
  };
}

function medianPrior(priors: Array<DetectorPrior | undefined>): DetectorPrior | undefined {
  const ps = priors.filter((p): p is DetectorPrior => p !== undefined);
  if (ps.length === 0) return undefined;
  return { mean: median(ps.map((p) => p.mean)), deviation: median(ps.map((p) => p.deviation)) };
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const i = q * (s.length - 1);
  const lo = Math.floor(i);
  return lo + 1 < s.length ? s[lo] + (i - lo) * (s[lo + 1] - s[lo]) : s[lo];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
