import { randomUUID } from 'node:crypto';

import { TopicName, TopicPayloads } from '@agentgov/contracts';
import { uniqueName, withTestDatabase } from '@agentgov/test-support';

import { hashClientSecret } from '../../src/credentials/client-secret';
import { ProvisionerHarness } from './provisioner-harness';

export async function seedOwner(overrides: { id?: string; status?: string; managerId?: string; email?: string } = {}): Promise<string> {
  const id = overrides.id ?? uniqueName('owner');
  await withTestDatabase((c) =>
    c.query(`INSERT INTO "provisioner"."owners" ("id", "status", "manager_id", "email") VALUES ($1, $2, $3, $4)`, [
      id,
      overrides.status ?? 'active',
      overrides.managerId ?? null,
      overrides.email ?? `${id}@example.com`,
    ]),
  );
  return id;
}

export interface SeededAgent {
  id: string;
  ownerId: string;
  parentId: string | null;
  depth: number;
}

/**
 * Writes `chains` delegation chains of `levels` agents each straight into the registry (registration through
 * the API hashes a secret per agent, which would make a thousand-agent setup take a minute). Every agent
 * gets the same client secret, returned for token requests.
 */
export async function seedAgentChains(options: {
  ownerId: string;
  chains: number;
  levels: number;
  /** Owner of the deepest agent of every chain (a sub-agent can have another accountable owner). */
  leafOwnerId?: string;
  purpose?: string;
  riskTier?: string;
}): Promise<{ agents: SeededAgent[]; secret: string }> {
  const secret = 'seeded-secret-' + randomUUID();
  const hash = await hashClientSecret(secret);
  const agents: SeededAgent[] = [];
  for (let c = 0; c < options.chains; c++) {
    let parent: SeededAgent | null = null;
    for (let level = 0; level < options.levels; level++) {
      const leaf = level === options.levels - 1;
      const agent: SeededAgent = {
        id: randomUUID(),
        ownerId: leaf && options.leafOwnerId ? options.leafOwnerId : options.ownerId,
        parentId: parent?.id ?? null,
        depth: level,
      };
      agents.push(agent);
      parent = agent;
    }
  }
  await withTestDatabase(async (client) => {
    for (let i = 0; i < agents.length; i += 500) {
      const chunk = agents.slice(i, i + 500);
      const params: unknown[] = [];
      const rows = chunk.map((a, j) => {
        params.push(a.id, `agent-${a.id.slice(0, 8)}`, a.ownerId, a.parentId, a.depth);
        const b = j * 5;
        return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, '${options.purpose ?? 'crm-sync'}', 'langgraph', '${options.riskTier ?? 'medium'}',
          '{crm.read,crm.write}', 'seed', '${hash}')`;
      });
      await client.query(
        `INSERT INTO "provisioner"."agents" ("id", "name", "owner_id", "parent_id", "depth", "purpose", "platform", "risk_tier", "scopes", "created_by",
           "client_secret_hash") VALUES ${rows.join(', ')}`,
        params,
      );
    }
  });
  return { agents, secret };
}

/** Publishes one event on the harness's topics; see ServiceHarness.publish. */
export async function publishEvent<T extends TopicName>(
  harness: ProvisionerHarness,
  topic: T,
  data: TopicPayloads[T],
  id: string = randomUUID(),
): Promise<string> {
  const [published] = await harness.publish(topic, [{ data, id }]);
  return published;
}

export async function agentStatuses(ids: string[]): Promise<Record<string, number>> {
  return withTestDatabase(async (c) => {
    const { rows } = await c.query(`SELECT "status", count(*)::int AS n FROM "provisioner"."agents" WHERE "id" = ANY($1::uuid[]) GROUP BY "status"`, [ids]);
    return Object.fromEntries(rows.map((r: { status: string; n: number }) => [r.status, r.n]));
  });
}
