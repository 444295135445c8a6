import { AgentBehaviorModel, buildPeerPrior, PeerPrior } from '@agentgov/anomaly-scoring';

import { AgentProfile } from '../registry/agent-profiles.repository';

/** Peers sampled per cohort: the median of 200 baselines is as good as that of all of them, and cheaper. */
const MAX_PEERS = 200;

type Lookup = { get(agentId: string): AgentProfile | undefined };

/**
 * Cold-start baselines by cohort: a new agent starts from the median baseline of warm agents of the same
 * platform and purpose (or, failing that, the same platform), and its own history takes over as it accumulates.
 * Rebuilt periodically from the models this thread holds, which are a sample of every cohort.
 */
export class CohortPriors {
  private priors = new Map<string, PeerPrior>();

  constructor(private readonly known: Lookup) {}

  priorFor(agent: AgentProfile | undefined): PeerPrior | undefined {
    if (!agent?.platform) return undefined;
    return this.priors.get(cohortKey(agent.platform, agent.purpose)) ?? this.priors.get(cohortKey(agent.platform));
  }

  get size(): number {
    return this.priors.size;
  }

  rebuild(models: Iterable<[agentId: string, model: AgentBehaviorModel]>): void {
    const cohorts = new Map<string, AgentBehaviorModel[]>();
    const add = (key: string, model: AgentBehaviorModel) => {
      const peers = cohorts.get(key) ?? [];
      if (peers.length < MAX_PEERS) peers.push(model);
      cohorts.set(key, peers);
    };
    for (const [agentId, model] of models) {
      const agent = this.known.get(agentId);
      if (!agent?.platform || !model.baseline.warm) continue;
      add(cohortKey(agent.platform, agent.purpose), model);
      add(cohortKey(agent.platform), model);
    }
    const next = new Map<string, PeerPrior>();
    for (const [key, peers] of cohorts) {
      const prior = buildPeerPrior(peers);
      // One or two peers are anecdotes, not a cohort.
      if (prior && prior.peers >= 3) next.set(key, prior);
    }
    this.priors = next;
  }
}

function cohortKey(platform: string, purpose?: string): string {
  return purpose === undefined ? `${platform}\u0000*` : `${platform}\u0000${purpose}`;
}
