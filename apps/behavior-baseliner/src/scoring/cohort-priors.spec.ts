import { AgentBehaviorModel } from '@agentgov/anomaly-scoring';

import { AgentProfile } from '../registry/agent-profiles.repository';
import { CohortPriors } from './cohort-priors';

const HOUR = 3_600_000;
const START = Date.parse('2026-10-05T00:00:00Z');

/** A model that learnt `days` of office-hours work at `perHour` single-record reads an hour. */
function learnt(days: number, perHour: number): AgentBehaviorModel {
  const m = new AgentBehaviorModel();
  for (let d = 0; d < days; d++) {
    for (let h = 9; h < 17; h++) {
      for (let k = 0; k < perHour; k++) {
        m.update({
          t: START + d * 24 * HOUR + h * HOUR + (k * HOUR) / perHour,
          action: 'crm.read',
          resourceType: 'contact',
          tool: 'crm-api',
          recordsTouched: 1,
          outcome: 'allowed',
        });
      }
    }
  }
  return m;
}

describe('cold-start baselines by cohort', () => {
  const agents = new Map<string, AgentProfile>();
  const models: Array<[string, AgentBehaviorModel]> = [];
  const add = (id: string, platform: string, purpose: string, model: AgentBehaviorModel) => {
    agents.set(id, { ownerId: 'o', riskTier: 'low', status: 'active', platform, purpose });
    models.push([id, model]);
  };
  for (let i = 0; i < 4; i++) add(`crm-${i}`, 'langgraph', 'crm assistant', learnt(10, 4));
  for (let i = 0; i < 4; i++) add(`etl-${i}`, 'langgraph', 'nightly etl', learnt(10, 40));
  add('lonely', 'openai-assistants', 'one of a kind', learnt(10, 4));
  add('young', 'langgraph', 'crm assistant', new AgentBehaviorModel());
  const priors = new CohortPriors(agents);
  priors.rebuild(models);

  it('gives a new agent the baseline of warm peers of its platform and purpose', () => {
    const crm = priors.priorFor({ ownerId: 'o', riskTier: 'low', status: 'active', platform: 'langgraph', purpose: 'crm assistant' })!;
    const etl = priors.priorFor({ ownerId: 'o', riskTier: 'low', status: 'active', platform: 'langgraph', purpose: 'nightly etl' })!;
    expect(crm.peers).toBe(4); // the young agent is not warm and does not count
    expect(etl.peers).toBe(4);
    expect(etl.rate!.mean).toBeGreaterThan(crm.rate!.mean);
  });

  it('falls back to the platform when the purpose has no cohort, and to nothing for a lone platform or no registry entry', () => {
    const platformOnly = priors.priorFor({ ownerId: 'o', riskTier: 'low', status: 'active', platform: 'langgraph', purpose: 'something new' });
    expect(platformOnly?.peers).toBe(8);
    expect(priors.priorFor({ ownerId: 'o', riskTier: 'low', status: 'active', platform: 'openai-assistants', purpose: 'one of a kind' })).toBeUndefined();
    expect(priors.priorFor(undefined)).toBeUndefined();
  });
});
