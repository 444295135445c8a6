import { randomUUID } from 'node:crypto';

import { Topics } from '@agentgov/contracts';
import { waitFor, withTestDatabase } from '@agentgov/test-support';

import { ProvisionerHarness } from '../support/provisioner-harness';
import { publishEvent, seedAgentChains, seedOwner } from '../support/registry-seed';

async function statusOf(ids: string[]): Promise<string[]> {
  return withTestDatabase(async (c) => {
    const { rows } = await c.query(`SELECT "id", "status" FROM "provisioner"."agents" WHERE "id" = ANY($1::uuid[])`, [ids]);
    const byId = new Map(rows.map((r: { id: string; status: string }) => [r.id, r.status]));
    return ids.map((id) => byId.get(id) as string);
  });
}

describe('suspension, reinstatement, containment and review decisions change agents with their cause', () => {
  const harness = new ProvisionerHarness({ OFFBOARDING_POLICY: '{"default":"deprovision","byRiskTier":{"critical":"reassign"}}' });
  beforeAll(() => harness.start(), 60000);
  afterAll(() => harness.stop());

  it('reinstating an owner restores only the agents their suspension suspended', async () => {
    const ownerId = await seedOwner();
    const { agents } = await seedAgentChains({ ownerId, chains: 3, levels: 2 });
    const [contained, ...others] = agents.filter((a) => a.depth === 0);
    const t0 = Date.now();

    await publishEvent(harness, Topics.ContainmentAction, {
      actionId: randomUUID(),
      agentId: contained.id,
      kind: 'contain',
      reason: 'records burst',
      incidentId: randomUUID(),
      requestedBy: { type: 'system' },
      occurredAt: new Date(t0).toISOString(),
    } as any);
    await waitFor(
      () => statusOf([contained.id]),
      (s) => s[0] === 'suspended',
      { what: 'containment' },
    );

    await publishEvent(harness, Topics.IdentityLifecycle, { kind: 'owner.suspended', ownerId, source: 'okta', occurredAt: new Date(t0 + 1000).toISOString() });
    await waitFor(
      () => statusOf(agents.map((a) => a.id)),
      (s) => s.every((x) => x === 'suspended'),
      { what: 'owner suspension' },
    );

    await publishEvent(harness, Topics.IdentityLifecycle, { kind: 'owner.reinstated', ownerId, source: 'okta', occurredAt: new Date(t0 + 2000).toISOString() });
    const restored = agents.filter((a) => a.id !== contained.id && a.parentId !== contained.id).map((a) => a.id);
    await waitFor(
      () => statusOf(restored),
      (s) => s.every((x) => x === 'active'),
      { what: 'reinstatement' },
    );
    expect(await statusOf(agents.filter((a) => a.id === contained.id || a.parentId === contained.id).map((a) => a.id))).toEqual(['suspended', 'suspended']);
    expect(others).toHaveLength(2);
  });

  it('a review revoke deprovisions; a critical agent of a leaver goes to the manager under the policy', async () => {
    const managerId = await seedOwner();
    const ownerId = await seedOwner({ managerId });
    const {
      agents: [reviewed],
    } = await seedAgentChains({ ownerId, chains: 1, levels: 1 });
    const {
      agents: [critical],
    } = await seedAgentChains({ ownerId: (await seedOwner()) as string, chains: 1, levels: 1, riskTier: 'critical' });
    await withTestDatabase((c) => c.query(`UPDATE "provisioner"."agents" SET "owner_id" = $1 WHERE "id" = $2`, [ownerId, critical.id]));

    await publishEvent(harness, Topics.ReviewDecision, {
      reviewId: randomUUID(),
      agentId: reviewed.id,
      decision: 'revoke',
      removeScopes: [],
      decidedBy: 'manager-1',
      occurredAt: new Date().toISOString(),
    });
    await waitFor(
      () => statusOf([reviewed.id]),
      (s) => s[0] === 'deprovisioned',
      { what: 'review revoke' },
    );

    await publishEvent(harness, Topics.IdentityLifecycle, { kind: 'owner.terminated', ownerId, source: 'workday', occurredAt: new Date().toISOString() });
    const owner = await waitFor(
      () => withTestDatabase(async (c) => (await c.query(`SELECT "owner_id", "status" FROM "provisioner"."agents" WHERE "id" = $1`, [critical.id])).rows[0]),
      (r) => r.owner_id === managerId,
      { what: 'reassignment to the manager' },
    );
    expect(owner.status).toBe('active');
  });
});
