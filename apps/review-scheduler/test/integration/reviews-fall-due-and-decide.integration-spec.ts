import { randomUUID } from 'node:crypto';

import { Topics } from '@agentgov/contracts';
import { ServiceHarness } from '@agentgov/service-testing';
import { collectMessages, waitFor, withTestDatabase } from '@agentgov/test-support';

const DAY = 86_400_000;
/** Reviews a high or critical agent whose owner has no manager known (separation of duties). */
const SECURITY_REVIEWER = `security-reviewer-${randomUUID().slice(0, 8)}`;
const SCHEDULER_ENV = { CLOCK_CONTROL: 'true', REVIEW_TICK_MS: '200', REVIEW_POLICY: JSON.stringify({ highRiskReviewer: SECURITY_REVIEWER }) };

async function reviewsOf(agentId: string) {
  return withTestDatabase(
    async (c) => (await c.query(`SELECT * FROM "review_scheduler"."reviews" WHERE "agent_id" = $1 ORDER BY "opened_at"`, [agentId])).rows,
  );
}

/** Provisioner and review-scheduler as processes on the real broker and database; the scheduler's clock is moved by its admin API. */
describe('reviews fall due on their schedule, remind, go overdue, escalate and suspend; decisions reach the provisioner', () => {
  const provisioner = new ServiceHarness('provisioner');
  let scheduler: ServiceHarness;

  beforeAll(async () => {
    await provisioner.start();
    scheduler = new ServiceHarness('review-scheduler', { env: SCHEDULER_ENV }, provisioner);
    await scheduler.start();
  }, 90000);
  afterAll(async () => {
    await scheduler?.stop();
    await provisioner.stop();
  });

  async function travel(harness: ServiceHarness, at: number): Promise<void> {
    const moved = await harness.request('PUT', '/testing/clock', { at: new Date(at).toISOString() });
    expect(moved.status).toBe(200);
  }

  async function asReviewer(sub: string, method: string, path: string, body?: unknown) {
    const response = await fetch(`${scheduler.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${await scheduler.token(['reviewer'], sub)}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: response.status, body: (await response.json()) as any };
  }

  async function registerAgent(riskTier: string, extra: Record<string, unknown> = {}) {
    const owner = await provisioner.request('POST', '/owners', { email: `owner-${randomUUID()}@example.com` });
    const agent = await provisioner.request('POST', '/agents', {
      name: 'reviewed',
      ownerId: owner.body.id,
      purpose: 'crm-sync',
      platform: 'langgraph',
      riskTier,
      scopes: ['crm.read', 'crm.write'],
      ...extra,
    });
    expect(agent.status).toBe(201);
    await waitFor(
      () => withTestDatabase(async (c) => (await c.query(`SELECT 1 FROM "review_scheduler"."agents" WHERE "agent_id" = $1`, [agent.body.id])).rows),
      (rows) => rows.length === 1,
      { what: 'the scheduler to learn the agent' },
    );
    return { ownerId: owner.body.id as string, agentId: agent.body.id as string };
  }
  const statusAtProvisioner = async (agentId: string) => (await provisioner.request('GET', `/agents/${agentId}`)).body;

  it('a critical agent’s certification opens after 30 days, for the designated reviewer only, never its owner; undecided, it is reminded, overdue, escalated, and the agent suspended', async () => {
    const { ownerId, agentId } = await registerAgent('critical');
    const start = Date.now();
    await travel(scheduler, start + 29 * DAY);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await reviewsOf(agentId)).toHaveLength(0);

    await travel(scheduler, start + 31 * DAY);
    const [opened] = await waitFor(
      () => reviewsOf(agentId),
      (r) => r.length === 1,
      { what: 'the scheduled review' },
    );
    // Its owner has no manager the scheduler knows: the designated reviewer of high-risk agents, not the owner.
    expect(opened).toMatchObject({ reason: 'scheduled', state: 'open', owner_id: ownerId, reviewer_id: SECURITY_REVIEWER });
    // (The designated reviewer's queue may hold other agents too: the shared database's, due on the moved clock.)
    expect((await asReviewer(SECURITY_REVIEWER, 'GET', '/reviews')).body.items.map((r: { agentId: string }) => r.agentId)).toContain(agentId);
    expect((await asReviewer(ownerId, 'GET', '/reviews')).body.items).toEqual([]);
    expect((await asReviewer(ownerId, 'POST', `/reviews/${opened.id}/decision`, { decision: 'certify' })).status).toBe(404);
    expect((await asReviewer(`someone-${randomUUID()}`, 'GET', '/reviews')).body.items).toEqual([]);
    expect((await asReviewer(`someone-${randomUUID()}`, 'POST', `/reviews/${opened.id}/decision`, { decision: 'revoke' })).status).toBe(404);

    const due = new Date(opened.due_at).getTime();
    const stateAt = async (at: number, state: string) => {
      await travel(scheduler, at);
      await waitFor(
        () => reviewsOf(agentId),
        (r) => r[0].state === state,
        { what: `the review to be ${state}` },
      );
    };
    await stateAt(due - 2 * DAY, 'reminded');
    await stateAt(due + DAY, 'overdue');
    await stateAt(due + 4 * DAY, 'escalated');
    // No manager known: the escalated review stays with its reviewer, never back to the owner.
    expect((await reviewsOf(agentId))[0]).toMatchObject({ reviewer_id: SECURITY_REVIEWER });
    await stateAt(due + 8 * DAY, 'closed');
    expect((await reviewsOf(agentId))[0]).toMatchObject({ decision: 'suspend', decided_by: 'system:overdue-review' });
    await waitFor(
      () => statusAtProvisioner(agentId),
      (a) => a.status === 'suspended',
      { what: 'the provisioner to suspend the agent' },
    );

    const events = (await collectMessages(scheduler.kafka, scheduler.topic(Topics.Review), 5, { settleMs: 500 }))
      .map((m) => JSON.parse(m.value))
      .filter((e) => e.agentId === agentId);
    expect(events.map((e) => e.state)).toEqual(['open', 'reminded', 'overdue', 'escalated', 'closed']);

    // Every step is in the service's audit chain, by the scheduler, like the other services' decisions.
    const audit = await scheduler.request('GET', `/audit?subjectType=review&subjectId=${opened.id}`);
    expect(audit.body.items.map((r: { action: string; actorType: string; actor: string }) => [r.action, r.actorType, r.actor])).toEqual([
      ['review.open', 'system', 'review-scheduler'],
      ['review.reminded', 'system', 'review-scheduler'],
      ['review.overdue', 'system', 'review-scheduler'],
      ['review.escalated', 'system', 'review-scheduler'],
      ['review.suspend', 'system', 'system:overdue-review'],
      ['review.closed', 'system', 'system:overdue-review'],
    ]);
    expect(audit.body.items[4]).toMatchObject({ reason: 'nobody certified the agent in time', details: { agentId } });
    expect((await scheduler.request('GET', '/audit/verify')).body).toMatchObject({ ok: true });
    expect((await asReviewer(ownerId, 'GET', '/audit/verify')).status).toBe(403);
  }, 90000);

  it('a revoke deprovisions; a certification removes the named scopes and schedules the next one', async () => {
    const revoked = await registerAgent('critical');
    const certified = await registerAgent('critical');
    // The clock only moves forward, and the first test left it weeks ahead: go far enough past both schedules.
    await travel(scheduler, Date.now() + 200 * DAY);
    const [toRevoke] = await waitFor(
      () => reviewsOf(revoked.agentId),
      (r) => r.length === 1,
      { what: 'a review to revoke' },
    );
    const [toCertify] = await waitFor(
      () => reviewsOf(certified.agentId),
      (r) => r.length === 1,
      { what: 'a review to certify' },
    );

    // Critical agents: their owners may not decide, the designated reviewer does.
    expect((await asReviewer(SECURITY_REVIEWER, 'POST', `/reviews/${toRevoke.id}/decision`, { decision: 'revoke', reason: 'project ended' })).status).toBe(200);
    await waitFor(
      () => statusAtProvisioner(revoked.agentId),
      (a) => a.status === 'deprovisioned',
      { what: 'deprovisioning' },
    );

    expect(
      (await asReviewer(SECURITY_REVIEWER, 'POST', `/reviews/${toCertify.id}/decision`, { decision: 'certify', removeScopes: ['crm.admin'] })).body,
    ).toMatchObject({ code: 'UNKNOWN_SCOPES' });
    const decided = await asReviewer(SECURITY_REVIEWER, 'POST', `/reviews/${toCertify.id}/decision`, { decision: 'certify', removeScopes: ['crm.write'] });
    expect(decided.body).toMatchObject({ state: 'closed', decision: 'certify', decidedBy: SECURITY_REVIEWER });
    const revokedAudit = await scheduler.request('GET', `/audit?subjectType=review&subjectId=${toRevoke.id}`);
    expect(revokedAudit.body.items.find((r: { action: string }) => r.action === 'review.revoke')).toMatchObject({
      actorType: 'api',
      actor: SECURITY_REVIEWER,
      reason: 'project ended',
    });
    await waitFor(
      () => statusAtProvisioner(certified.agentId),
      (a) => a.scopes?.join() === 'crm.read',
      { what: 'the scope removal' },
    );
    expect((await asReviewer(SECURITY_REVIEWER, 'POST', `/reviews/${toCertify.id}/decision`, { decision: 'certify' })).status).toBe(409);
    const [next] = await withTestDatabase(
      async (c) => (await c.query(`SELECT "next_review_at" FROM "review_scheduler"."agents" WHERE "agent_id" = $1`, [certified.agentId])).rows,
    );
    // Certified at the scheduler's (moved) now: the next one is a critical cadence (30 days) after it.
    expect(new Date(next.next_review_at).getTime()).toBeGreaterThan(Date.now() + 229 * DAY);
  }, 90000);

  it('once the owner is gone (suspended), the owner’s manager, as the registry knows them, reviews the agent', async () => {
    const manager = await provisioner.request('POST', '/owners', { email: `manager-${randomUUID()}@example.com` });
    const owner = await provisioner.request('POST', '/owners', { email: `owner-${randomUUID()}@example.com`, managerId: manager.body.id });
    const agent = await provisioner.request('POST', '/agents', {
      name: 'managed',
      ownerId: owner.body.id,
      purpose: 'p',
      platform: 'x',
      riskTier: 'critical',
      scopes: [],
    });
    const reported = await provisioner.request('POST', `/owners/${owner.body.id}/lifecycle-events`, {
      kind: 'owner.suspended',
      source: 'workday',
      occurredAt: new Date().toISOString(),
    });
    expect(reported.status).toBe(202);
    await waitFor(
      () =>
        withTestDatabase(
          async (c) => (await c.query(`SELECT "status", "manager_id" FROM "review_scheduler"."owners" WHERE "owner_id" = $1`, [owner.body.id])).rows[0],
        ),
      (row) => row?.status === 'suspended' && row?.manager_id === manager.body.id,
      { what: 'the scheduler to learn the owner is gone, and who the manager is' },
    );
    await waitFor(
      () => withTestDatabase(async (c) => (await c.query(`SELECT 1 FROM "review_scheduler"."agents" WHERE "agent_id" = $1`, [agent.body.id])).rows),
      (rows) => rows.length === 1,
      { what: 'the agent learnt' },
    );
    await travel(scheduler, Date.now() + 500 * DAY);
    const [review] = await waitFor(
      () => reviewsOf(agent.body.id),
      (r) => r.length === 1,
      { what: 'the review' },
    );
    expect(review).toMatchObject({ owner_id: owner.body.id, reviewer_id: manager.body.id });
  }, 60000);

  it('a secret rotation at the provisioner reaches the scheduler, which tracks the credentials’ age', async () => {
    const { agentId } = await registerAgent('low');
    const rotated = await provisioner.request('POST', `/agents/${agentId}/rotate-secret`);
    expect(rotated.status).toBe(200);
    await waitFor(
      () =>
        withTestDatabase(
          async (c) => (await c.query(`SELECT "credentials_rotated_at" FROM "review_scheduler"."agents" WHERE "agent_id" = $1`, [agentId])).rows[0],
        ),
      (row) => row?.credentials_rotated_at && new Date(row.credentials_rotated_at).toISOString() === rotated.body.secretRotatedAt,
      { what: 'the rotation learnt' },
    );
  }, 60000);

  it('an agent past its expiry is deprovisioned', async () => {
    const { agentId } = await registerAgent('low', { expiresAt: new Date(Date.now() + 2 * DAY).toISOString() });
    await travel(scheduler, Date.now() + 600 * DAY);
    await waitFor(
      () => statusAtProvisioner(agentId),
      (a) => a.status === 'deprovisioned',
      { what: 'the expired agent deprovisioned' },
    );
  }, 60000);
});

describe('two replicas never open the same review twice', () => {
  const first = new ServiceHarness('review-scheduler', { env: SCHEDULER_ENV });
  const second = first.replica();
  beforeAll(async () => {
    await first.start();
    await second.start();
  }, 90000);
  afterAll(async () => {
    await second.stop();
    await first.stop();
  });

  it('with both clocks past the due date of 200 agents, each agent gets exactly one review and one review.v1 open', async () => {
    const agents = Array.from({ length: 200 }, () => randomUUID());
    await first.publish(
      Topics.AgentLifecycle,
      agents.map((agentId) => ({
        data: {
          kind: 'agent.registered' as const,
          agentId,
          ownerId: 'owner-replicas',
          name: 'replica test',
          purpose: 'p',
          platform: 'x',
          riskTier: 'high' as const,
          scopes: ['a'],
          status: 'active' as const,
          occurredAt: new Date().toISOString(),
          cause: { type: 'api' as const, actor: 'test' },
        },
      })),
    );
    await waitFor(
      () =>
        withTestDatabase(
          async (c) => (await c.query(`SELECT count(*)::int AS n FROM "review_scheduler"."agents" WHERE "agent_id" = ANY($1)`, [agents])).rows[0].n,
        ),
      (n) => n === agents.length,
      { what: 'the agents learnt' },
    );
    const at = { at: new Date(Date.now() + 100 * DAY).toISOString() };
    await Promise.all([first.request('PUT', '/testing/clock', at), second.request('PUT', '/testing/clock', at)]);
    const count = () =>
      withTestDatabase(
        async (c) => (await c.query(`SELECT count(*)::int AS n FROM "review_scheduler"."reviews" WHERE "agent_id" = ANY($1)`, [agents])).rows[0].n,
      );
    await waitFor(count, (n) => n >= agents.length, { what: 'every review opened', timeoutMs: 30000 });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await count()).toBe(agents.length);
    // Only this test's agents: the test database is shared with the other tests' schedulers.
    const opened = (await collectMessages(first.kafka, first.topic(Topics.Review), agents.length, { settleMs: 1000 }))
      .map((m) => JSON.parse(m.value))
      .filter((e) => agents.includes(e.agentId));
    expect(opened.filter((e) => e.state === 'open')).toHaveLength(agents.length);
    expect(new Set(opened.map((e) => e.agentId)).size).toBe(agents.length);
  }, 90000);
});
