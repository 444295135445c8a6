import { randomUUID } from 'node:crypto';

import { TopicPayloads } from '@agentgov/contracts';

/** An agent.anomaly.v1 payload as the baseliner emits one: a behaviour episode far above the agent's baseline. */
export function anomalyEvent(agentId: string, overrides: Partial<TopicPayloads['agent.anomaly.v1']> = {}): TopicPayloads['agent.anomaly.v1'] {
  return {
    agentId,
    kind: 'behavior',
    score: 0.995,
    episodeId: randomUUID(),
    episodeState: 'started',
    observedAt: new Date().toISOString(),
    features: [{ name: 'records_per_10m', expected: 1.5, observed: 480, contribution: 0.92 }],
    summary: `agent ${agentId} touched 480 records in ten minutes against 1.5 expected`,
    ...overrides,
  };
}
