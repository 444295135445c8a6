import { TopicPayloads, Topics } from '@agentgov/contracts';
import { ServiceHarness } from '@agentgov/service-testing';
import { collectMessages, waitFor, withTestDatabase } from '@agentgov/test-support';

/** Every containment.alert.v1 of the harness's topic so far, parsed. */
export async function alertsOf(harness: ServiceHarness, atLeast: number): Promise<TopicPayloads['containment.alert.v1'][]> {
  return (await collectMessages(harness.kafka, harness.topic(Topics.ContainmentAlert), atLeast, { timeoutMs: 30000, settleMs: 500 })).map((m) =>
    JSON.parse(m.value),
  );
}

/** Announces agents on agent.lifecycle.v1 as the provisioner would. */
export async function announceAgents(
  harness: ServiceHarness,
  agents: Array<{
    agentId: string;
    ownerId: string;
    riskTier?: TopicPayloads['agent.lifecycle.v1']['riskTier'];
    kind?: TopicPayloads['agent.lifecycle.v1']['kind'];
    status?: TopicPayloads['agent.lifecycle.v1']['status'];
  }>,
): Promise<void> {
  await harness.publish(
    Topics.AgentLifecycle,
    agents.map((a) => ({
      data: {
        kind: a.kind ?? 'agent.registered',
        agentId: a.agentId,
        ownerId: a.ownerId,
        name: 'test agent',
        purpose: 'crm-sync',
        platform: 'langgraph',
        riskTier: a.riskTier ?? 'critical',
        scopes: ['crm.read'],
        status: a.status ?? 'active',
        occurredAt: new Date().toISOString(),
        cause: { type: 'api' as const, actor: 'test' },
      },
    })),
  );
}

/** The delivery rows (receipts) of every action about the agent. */
export async function receiptsOf(
  agentId: string,
): Promise<Array<{ action_id: string; kind: string; origin: string; target: string; status: string; attempts: number; reason: string | null }>> {
  return withTestDatabase(
    async (c) =>
      (
        await c.query(
          `SELECT d."action_id", a."kind", a."origin", d."target", d."status", d."attempts", d."reason" FROM "containment"."deliveries" d
           JOIN "containment"."actions" a ON a."id" = d."action_id" WHERE a."agent_id" = $1 ORDER BY a."created_at", d."target"`,
          [agentId],
        )
      ).rows,
  );
}

export async function knownToContainment(agentIds: string[]): Promise<void> {
  await waitFor(
    () =>
      withTestDatabase(
        async (c) => (await c.query(`SELECT count(*)::int AS n FROM "containment"."known_agents" WHERE "agent_id" = ANY($1)`, [agentIds])).rows[0].n as number,
      ),
    (n) => n === agentIds.length,
    { what: 'containment to learn the agents' },
  );
}
