import { randomUUID } from 'node:crypto';

import { TopicPayloads, Topics } from '@agentgov/contracts';
import { ServiceHarness } from '@agentgov/service-testing';
import { waitFor, withTestDatabase } from '@agentgov/test-support';

const DAY = 86_400_000;

function registered(agentId: string, ownerId: string, scopes: string[]): { data: TopicPayloads['agent.lifecycle.v1'] } {
  return {
    data: {
      kind: 'agent.registered',
      agentId,
      ownerId,
      name: 'usage test',
      purpose: 'p',
      platform: 'langgraph',
      riskTier: 'low',
      scopes,
      status: 'active',
      occurredAt: new Date().toISOString(),
      cause: { type: 'api', actor: 'test' },
    },
  };
}

const reviewsOf = (agentId: string) =>
  withTestDatabase(async (c) => (await c.query(`SELECT * FROM "review_scheduler"."reviews" WHERE "agent_id" = $1 ORDER BY "opened_at"`, [agentId])).rows);

describe('stale agents and unused scopes from agent.usage.v1, campaigns and reports', () => {
  // Overdue reviews escalate and stay open (no suspension), so the overdue report has something to show.
  const harness = new ServiceHarness('review-scheduler', {
    env: { CLOCK_CONTROL: 'true', REVIEW_TICK_MS: '200', REVIEW_POLICY: '{"overdueAction":"escalate"}' },
  });
  const start = Date.now();
  beforeAll(() => harness.start(), 60000);
  afterAll(() => harness.stop());

  const travel = (at: number) => harness.request('PUT', '/testing/clock', { at: new Date(at).toISOString() });
  async function learnt(agentIds: string[]) {
    await waitFor(
      () =>
        withTestDatabase(
          async (c) => (await c.query(`SELECT count(*)::int AS n FROM "review_scheduler"."agents" WHERE "agent_id" = ANY($1)`, [agentIds])).rows[0].n,
        ),
      (n) => n === agentIds.length,
      { what: 'the agents learnt' },
    );
  }
  async function asReviewer(sub: string, path: string, body: unknown) {
    const response = await fetch(`${harness.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await harness.token(['reviewer'], sub)}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as any };
  }

  it('an agent unseen for 30 days is put up for review with every unused scope proposed; a campaign shows what the seen one did not use', async () => {
    const ownerId = `owner-${randomUUID().slice(0, 8)}`;
    const [seen, silent] = [randomUUID(), randomUUID()];
    await harness.publish(Topics.AgentLifecycle, [
      registered(seen, ownerId, ['crm.read', 'crm.write']),
      registered(silent, ownerId, ['crm.read', 'crm.write']),
    ]);
    await learnt([seen, silent]);
    // The baseliner's summary: the first agent acted on day 34 with crm.read only.
    const usage: TopicPayloads['agent.usage.v1'] = {
      agentId: seen,
      windowStart: new Date(start + 34 * DAY - 3_600_000).toISOString(),
      windowEnd: new Date(start + 34 * DAY).toISOString(),
      lastSeenAt: new Date(start + 34 * DAY - 60_000).toISOString(),
      actions: 12,
      toolsUsed: ['crm-api'],
      scopesUsed: ['crm.read'],
      resourceTypes: ['crm.contact'],
    };
    await harness.publish(Topics.AgentUsage, [{ data: usage }]);
    await waitFor(
      () =>
        withTestDatabase(
          async (c) => (await c.query(`SELECT "last_seen_at" FROM "review_scheduler"."agents" WHERE "agent_id" = $1`, [seen])).rows[0].last_seen_at,
        ),
      (t) => t !== null,
      { what: 'the usage learnt' },
    );

    await travel(start + 35 * DAY);
    const [stale] = await waitFor(
      () => reviewsOf(silent),
      (r) => r.length === 1,
      { what: 'the stale review' },
    );
    expect(stale).toMatchObject({ reason: 'stale', proposed_scope_removals: ['crm.read', 'crm.write'] });
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(await reviewsOf(seen)).toEqual([]);

    const campaign = await harness.request('POST', '/campaigns', { name: 'Q4 certification', filter: { ownerId } });
    expect(campaign.body).toMatchObject({ total: 2, open: 2, progress: 0 });
    const [seenReview] = await reviewsOf(seen);
    expect(seenReview).toMatchObject({ campaign_id: campaign.body.id, proposed_scope_removals: ['crm.write'] });

    // The owner decides: certify the active one without its unused scope, revoke the silent one.
    expect((await asReviewer(ownerId, `/reviews/${seenReview.id}/decision`, { decision: 'certify', removeScopes: ['crm.write'] })).status).toBe(200);
    expect((await asReviewer(ownerId, `/reviews/${stale.id}/decision`, { decision: 'revoke', reason: 'unused for a month' })).status).toBe(200);
    const done = await harness.request('GET', `/campaigns/${campaign.body.id}`);
    expect(done.body).toMatchObject({ total: 2, decided: 2, certified: 1, revoked: 1, open: 0, progress: 1 });
    expect((await harness.request('GET', `/campaigns/${campaign.body.id}`, undefined, ['reviewer'])).status).toBe(403);

    const day = new Date(start + 35 * DAY).toISOString().slice(0, 10);
    const report = await harness.request(
      'GET',
      `/reports/certifications?from=${new Date(start + 34 * DAY).toISOString()}&to=${new Date(start + 36 * DAY).toISOString()}`,
    );
    expect(report.body.days).toEqual(
      expect.arrayContaining([
        { day, decision: 'certify', count: expect.any(Number) },
        { day, decision: 'revoke', count: expect.any(Number) },
      ]),
    );
  }, 90000);

  it('events open reviews: a reassignment, wider scopes, an owner transferred, an incident released', async () => {
    const ownerId = `owner-${randomUUID().slice(0, 8)}`;
    const agentId = randomUUID();
    const base = registered(agentId, ownerId, ['a']).data;
    await harness.publish(Topics.AgentLifecycle, [{ data: base }]);
    await learnt([agentId]);
    const certifyLatest = async (reason: string) => {
      const reviews = await waitFor(
        () => reviewsOf(agentId),
        (r) => r.some((x: { reason: string; state: string }) => x.reason === reason && x.state !== 'closed'),
        { what: `a ${reason} review` },
      );
      const open = reviews.find((x: { state: string }) => x.state !== 'closed');
      expect((await harness.request('POST', `/reviews/${open.id}/decision`, { decision: 'certify' })).status).toBe(200);
    };
    const later = (ms: number) => new Date(Date.parse(base.occurredAt) + ms).toISOString();

    await harness.publish(Topics.AgentLifecycle, [{ data: { ...base, kind: 'agent.owner-changed', ownerId: `${ownerId}-new`, occurredAt: later(1000) } }]);
    await certifyLatest('agent-reassigned');
    await harness.publish(Topics.AgentLifecycle, [
      { data: { ...base, kind: 'agent.scopes-changed', ownerId: `${ownerId}-new`, scopes: ['a', 'b'], occurredAt: later(2000) } },
    ]);
    await certifyLatest('scopes-widened');
    // Narrower scopes call for nothing.
    await harness.publish(Topics.AgentLifecycle, [
      { data: { ...base, kind: 'agent.scopes-changed', ownerId: `${ownerId}-new`, scopes: ['a'], occurredAt: later(3000) } },
    ]);
    await harness.publish(Topics.IdentityLifecycle, [
      { data: { kind: 'owner.transferred', ownerId: `${ownerId}-new`, newManagerId: 'mgr-7', source: 'workday', occurredAt: later(4000) } },
    ]);
    await certifyLatest('owner-transferred');
    await harness.publish(Topics.ContainmentAction, [
      {
        data: {
          actionId: randomUUID(),
          agentId,
          kind: 'release',
          reason: 'approved job',
          incidentId: randomUUID(),
          requestedBy: { type: 'analyst', actor: 'soc-1' },
          occurredAt: later(5000),
        },
      },
    ]);
    await certifyLatest('incident-released');
    expect((await reviewsOf(agentId)).map((r: { reason: string }) => r.reason)).toEqual([
      'agent-reassigned',
      'scopes-widened',
      'owner-transferred',
      'incident-released',
    ]);
  }, 90000);

  it('reports overdue reviews and agents whose owner has left', async () => {
    const ownerId = `owner-${randomUUID().slice(0, 8)}`;
    const agentId = randomUUID();
    await harness.publish(Topics.AgentLifecycle, [registered(agentId, ownerId, ['a'])]);
    await learnt([agentId]);
    const campaign = await harness.request('POST', '/campaigns', { name: 'leaver check', filter: { ownerId } });
    expect(campaign.body.total).toBe(1);
    await harness.publish(Topics.IdentityLifecycle, [{ data: { kind: 'owner.terminated', ownerId, source: 'workday', occurredAt: new Date().toISOString() } }]);
    const ownerless = await waitFor(
      async () => (await harness.request('GET', '/reports/agents-without-active-owner')).body.items,
      (items: { agentId: string }[]) => items.some((i) => i.agentId === agentId),
      { what: 'the agent without an active owner' },
    );
    expect(ownerless.find((i: { agentId: string }) => i.agentId === agentId)).toMatchObject({ ownerId, ownerStatus: 'terminated' });

    await travel(start + 80 * DAY);
    const overdue = await waitFor(
      async () => (await harness.request('GET', '/reports/overdue')).body.items,
      (items: { agentId: string }[]) => items.some((i) => i.agentId === agentId),
      { what: 'the overdue review' },
    );
    expect(overdue.find((i: { agentId: string }) => i.agentId === agentId)).toMatchObject({ campaignId: campaign.body.id });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await reviewsOf(agentId))[0]).toMatchObject({ state: 'escalated', decision: null });
    expect((await harness.request('GET', '/reports/overdue', undefined, ['reviewer'])).status).toBe(403);
    // Credentials older than 90 days (the default policy), by the scheduler's clock, are flagged for rotation.
    const [old, fresh] = [randomUUID(), randomUUID()];
    const rotatedAt = (at: number) => ({ ...registered(old, ownerId, ['a']).data, credentialsRotatedAt: new Date(at).toISOString() });
    await harness.publish(Topics.AgentLifecycle, [
      { data: { ...rotatedAt(start - 20 * DAY), agentId: old } },
      { data: { ...rotatedAt(start + 75 * DAY), agentId: fresh } },
    ]);
    await learnt([old, fresh]);
    const due = (await harness.request('GET', '/reports/credentials-due-rotation')).body;
    expect(due.maxAgeDays).toBe(90);
    expect(due.items.map((i: { agentId: string }) => i.agentId)).toContain(old);
    expect(due.items.map((i: { agentId: string }) => i.agentId)).not.toContain(fresh);

    expect((await harness.request('POST', '/campaigns', { name: 'x', filter: {} })).status).toBe(400);
    expect((await harness.request('POST', '/campaigns', { name: 'x', filter: { ownerId: `nobody-${randomUUID()}` } })).body).toMatchObject({
      code: 'NO_MATCHING_AGENTS',
    });
  }, 90000);
});
