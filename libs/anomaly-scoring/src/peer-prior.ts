import type { AgentBehaviorModel, PeerPrior } from './agent-behavior-model';
import { BloomSet } from './bloom-set';
import type { DetectorPrior } from './ew-robust-z-detector';

/**
 * A cold-start prior from peers (same owner, team or template): the median of their warm baselines, and the
 * items and hours that at least `quorum` of them share. Returns undefined when no peer is warm yet.
 */
export function buildPeerPrior(peers: AgentBehaviorModel[], quorum = 0.5): PeerPrior | undefined {
  const warm = peers.map((p) => p.baseline).filter((b) => b.warm);
  if (warm.length === 0) return undefined;
  const need = Math.max(1, Math.ceil(quorum * warm.length));
  let hours = 0;
  for (let h = 0; h < 24; h++) {
    if (warm.filter((b) => (b.hours & (1 << h)) !== 0).length >= need) hours |= 1 << h;
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
    peers: warm.length,
  };
}

function medianPrior(priors: Array<DetectorPrior | undefined>): DetectorPrior | undefined {
  const ps = priors.filter((p): p is DetectorPrior => p !== undefined);
  if (ps.length === 0) return undefined;
  return { mean: median(ps.map((p) => p.mean)), deviation: median(ps.map((p) => p.deviation)) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
