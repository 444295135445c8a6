import { Topics } from '@agentgov/contracts';
import { collectMessages, waitFor, withTestDatabase } from '@agentgov/test-support';

import { ProvisionerHarness } from '../support/provisioner-harness';
import { agentStatuses, publishEvent, seedAgentChains, SeededAgent, seedOwner } from '../support/registry-seed';

describe("a terminated owner's agents and all their sub-agents are deprovisioned, once", () => {
  const harness = new ProvisionerHarness();
  let ownerId: string;
  let otherOwnerId: string;
  let agents: SeededAgent[];
  let secret: string;

  beforeAll(async () => {
    await harness.start();
    otherOwnerId = await seedOwner();
    ownerId = await seedOwner();
    // 250 chains of four levels: 1,000 agents, sub-agents three levels deep; each chain's deepest agent is
    // accountable to another owner, and still goes with the tree.
    ({ agents, secret } = await seedAgentChains({ ownerId, chains: 250, levels: 4, leafOwnerId: otherOwnerId }));
  }, 120000);
  afterAll(() => harness.stop());

  async function issueToken(agentId: string): Promise<string> {
    const response = await fetch(`${harness.url}/oauth2/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${agentId}:${secret}`).toString('base64')}`,
      },
      body: 'grant_type=client_credentials',
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { access_token: string }).access_token;
  }

  async function introspect(token: string): Promise<boolean> {
    const response = await harness.request('POST', '/oauth2/introspect', { token }, ['introspect']);
    return response.body.active;
  }

  it('deprovisions 1,000 agents, ends their tokens, emits one agent.deprovisioned each, audits the HR event, and ignores the repeat', async () => {
    const ids = agents.map((a) => a.id);
    // Tokens for every fifth agent, at every depth of the trees.
    const tokens = await Promise.all(agents.filter((_, i) => i % 5 === 0).map((a) => issueToken(a.id)));
    expect(await Promise.all(tokens.map(introspect))).toEqual(tokens.map(() => true));

    const hrEventId = await publishEvent(harness, Topics.IdentityLifecycle, {
      kind: 'owner.terminated',
      ownerId,
      source: 'workday',
      occurredAt: new Date().toISOString(),
      reason: 'resignation',
    });

    await waitFor(
      () => agentStatuses(ids),
      (s) => s.deprovisioned === 1000,
      { timeoutMs: 60000, what: 'every agent deprovisioned' },
    );
    // Every replica's introspection hears of the commit by notification, within milliseconds.
    await waitFor(
      () => Promise.all(tokens.map(introspect)),
      (a) => a.every((active) => !active),
      { timeoutMs: 2000, what: 'every token inactive' },
    );
    const lifecycle = await collectMessages(harness.kafka, harness.topic(Topics.AgentLifecycle), 1000, { timeoutMs: 20000, settleMs: 1500 });
    const deprovisioned = lifecycle.map((m) => JSON.parse(m.value)).filter((e) => e.kind === 'agent.deprovisioned');
    expect(deprovisioned).toHaveLength(1000);
    expect(new Set(deprovisioned.map((e) => e.agentId))).toEqual(new Set(ids));
    expect(deprovisioned.every((e) => e.cause.type === 'event' && e.cause.eventId === hrEventId)).toBe(true);

    const owner = await harness.request('GET', `/owners/${ownerId}/agents?limit=1000`, undefined, ['soc-analyst']);
    expect(owner.status).toBe(200);
    expect(owner.body.items).toHaveLength(1000);

    const audit = await harness.request('GET', `/audit?causeEventId=${hrEventId}&limit=1000`, undefined, ['soc-analyst']);
    expect(audit.body.items).toHaveLength(1000);
    expect(audit.body.items[0]).toMatchObject({ action: 'owner.terminated', subjectType: 'owner', subjectId: ownerId, actorType: 'event' });
    const verified = await harness.request('GET', '/audit/verify');
    expect(verified.body).toMatchObject({ ok: true });

    // The same delivery again (same ce_id): no second effect, no second event.
    await publishEvent(
      harness,
      Topics.IdentityLifecycle,
      { kind: 'owner.terminated', ownerId, source: 'workday', occurredAt: new Date().toISOString(), reason: 'resignation' },
      hrEventId,
    );
    const [{ n }] = await withTestDatabase(
      async (c) => (await c.query(`SELECT count(*)::int AS n FROM "provisioner"."audit_log" WHERE "cause_event_id" = $1`, [hrEventId])).rows,
    );
    const again = await collectMessages(harness.kafka, harness.topic(Topics.AgentLifecycle), 1001, { timeoutMs: 4000 });
    expect(again).toHaveLength(1000);
    expect(n).toBe(1001);
  }, 180000);

  it('ignores an event older than the owner’s latest state', async () => {
    const staleId = await publishEvent(harness, Topics.IdentityLifecycle, {
      kind: 'owner.reinstated',
      ownerId,
      source: 'okta',
      occurredAt: new Date(Date.now() - 86_400_000).toISOString(),
    });
    const rows = await waitFor(
      () => withTestDatabase(async (c) => (await c.query(`SELECT "action" FROM "provisioner"."audit_log" WHERE "cause_event_id" = $1`, [staleId])).rows),
      (r) => r.length > 0,
      { what: 'the stale event handled' },
    );
    expect(rows.map((r: { action: string }) => r.action)).toEqual(['owner.lifecycle-ignored-as-stale']);
    const [owner] = await withTestDatabase(async (c) => (await c.query(`SELECT "status" FROM "provisioner"."owners" WHERE "id" = $1`, [ownerId])).rows);
    expect(owner.status).toBe('terminated');
  });
});
