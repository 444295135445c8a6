import { Topics } from '@agentgov/contracts';
import { anomalyEvent } from '@agentgov/service-testing';
import { waitFor } from '@agentgov/test-support';

import { FaultStack, Service, SERVICES } from './fault-stack';

/**
 * kill -9 of each service in turn, each in the middle of an owner's offboarding cascade and under a steady flow
 * of agent activity; the service is restarted and the system must end as if nothing had happened (the
 * invariants of FaultStack.expectEverythingSettled), with an incident that was being contained ending contained.
 */
describe('kill -9 of any service mid-cascade, under activity load: exactly the expected revocations, nothing lost', () => {
  const stack = new FaultStack();
  beforeAll(() => stack.start(), 180000);
  afterAll(() => stack.stop(), 120000);

  async function killAndRestart(service: Service): Promise<void> {
    const harness = stack.harnesses.get(service)!;
    harness.service.kill();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await harness.start();
  }

  it('kills each service in turn during a cascade; after restarts every invariant holds', async () => {
    stack.startActivity();
    const rounds: Array<{ agents: string[]; tokens: string[] }> = [];
    let containedAgent: string | undefined;
    for (const service of SERVICES) {
      const { ownerId, agents, tokens } = await stack.ownerWithAgents();
      expect(await Promise.all(tokens.map((t) => stack.active(t)))).toEqual(tokens.map(() => true));
      if (service === 'containment') {
        // An anomaly far above every band for one of this owner's agents: its incident and containment are
        // under way when containment dies.
        const agent = agents[1];
        containedAgent = agent;
        await stack.harnesses.get('containment')!.publish(Topics.AgentAnomaly, [{ data: anomalyEvent(agent, { score: 0.999 }) }]);
        await waitFor(
          () => stack.containmentOf([agent]),
          (r) => r.some((x) => x.kind === 'contain'),
          { timeoutMs: 30000, what: 'the containment action' },
        );
      }
      await stack.terminate(ownerId);
      // Mid-cascade: the provisioner as soon as the first agent is deprovisioned, the others once half are.
      const enough = service === 'provisioner' ? 1 : agents.length / 2;
      await waitFor(
        () => stack.statuses(agents),
        (s) => s.filter((x) => x === 'deprovisioned').length >= enough,
        { timeoutMs: 30000, intervalMs: 5, what: 'the cascade under way' },
      );
      await killAndRestart(service);
      rounds.push({ agents, tokens });
    }

    const rows = await stack.expectEverythingSettled(rounds);
    expect(rows.some((r) => r.agent_id === containedAgent && r.kind === 'contain')).toBe(true);
    // No incident stuck: the contained agent's incident ended contained (its agent then deprovisioned), not open.
    const incidents = await stack.harnesses.get('containment')!.request('GET', `/incidents?agentId=${containedAgent}`, undefined, ['soc-analyst']);
    expect(incidents.status).toBe(200);
    expect(incidents.body.items).toHaveLength(1);
    expect(incidents.body.items[0].status).toBe('contained');
  }, 600000);
});
