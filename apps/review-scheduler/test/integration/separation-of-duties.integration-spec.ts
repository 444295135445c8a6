import { randomUUID } from 'node:crypto';

import { RiskTier, TopicPayloads, Topics } from '@agentgov/contracts';
import { ServiceHarness } from '@agentgov/service-testing';
import { waitFor, withTestDatabase } from '@agentgov/test-support';

const DAY = 86_400_000;
/** The admins' queue: a high or critical review nobody but its owner is known to take. */
const ADMIN_QUEUE = 'role:admin';

const unique = (name: string) => `${name}-${randomUUID().slice(0, 8)}`;

function registered(agentId: string, ownerId: string, riskTier: RiskTier, occurredAt = new Date()): TopicPayloads['agent.lifecycle.v1'] {
  return {
    kind: 'agent.registered',
    agentId,
    ownerId,
    name: 'separation of duties',
    purpose: 'p',
    platform: 'langgraph',
    riskTier,
    scopes: ['crm.read'],
    status: 'active',
    occurredAt: occurredAt.toISOString(),
    cause: { type: 'api', actor: 'test' },
  };
}

const reviewsOf = (agentId: string) =>
  withTestDatabase(async (c) => (await c.query(`SELECT * FROM "review_scheduler"."reviews" WHERE "agent_id" = $1 ORDER BY "opened_at"`, [agentId])).rows);

/**
 * The scheduler alone on the real broker and database, its registry fed by events published here: a high or
 * critical agent's owner never certifies it alone, whoever the scheduler gives the review to and whatever roles the
 * owner's token carries.
 */
function scheduler(policy: Record<string, unknown>) {
  const harness = new ServiceHarness('review-scheduler', {
    env: { CLOCK_CONTROL: 'true', REVIEW_TICK_MS: '200', REVIEW_POLICY: JSON.stringify(policy) },
  });

  async function agentsOf(ownerId: string, tiers: RiskTier[]): Promise<string[]> {
    const agentIds = tiers.map(() => randomUUID());
    await harness.publish(
      Topics.AgentLifecycle,
      agentIds.map((agentId, i) => ({ data: registered(agentId, ownerId, tiers[i]) })),
    );
    await waitFor(
      () =>
        withTestDatabase(
          async (c) => (await c.query(`SELECT count(*)::int AS n FROM "review_scheduler"."agents" WHERE "agent_id" = ANY($1)`, [agentIds])).rows[0].n,
        ),
      (n) => n === agentIds.length,
      { what: 'the agents learnt' },
    );
    return agentIds;
  }

  /** identity.lifecycle.v1 describes the owner, active, with their manager. */
  async function managed(ownerId: string, managerId: string): Promise<void> {
    await harness.publish(Topics.IdentityLifecycle, [
      { data: { kind: 'owner.reinstated', ownerId, managerId, source: 'workday', occurredAt: new Date().toISOString() } },
    ]);
    await waitFor(
      () =>
        withTestDatabase(
          async (c) => (await c.query(`SELECT "status", "manager_id" FROM "review_scheduler"."owners" WHERE "owner_id" = $1`, [ownerId])).rows[0],
        ),
      (row) => row?.status === 'active' && row?.manager_id === managerId,
      { what: 'the owner and their manager learnt' },
    );
  }

  /** A campaign over the owner's agents opens their reviews at once. */
  async function reviewsOpenedFor(ownerId: string): Promise<void> {
    expect((await harness.request('POST', '/campaigns', { name: `review ${ownerId}`, filter: { ownerId } })).status).toBe(201);
  }

  const decide = (reviewId: string, decision: 'certify' | 'revoke', as: { sub: string; admin?: boolean }) =>
    harness.request('POST', `/reviews/${reviewId}/decision`, { decision }, [as.admin ? 'admin' : 'reviewer'], as.sub);

  const queueOf = async (sub: string): Promise<string[]> =>
    (await harness.request('GET', '/reviews', undefined, ['reviewer'], sub)).body.items.map((r: { agentId: string }) => r.agentId);

  /** The owner is refused (403 problem details saying why), as a reviewer and as an admin, and nothing changes. */
  async function ownerRefused(reviewId: string, ownerId: string): Promise<void> {
    const row = () => withTestDatabase(async (c) => (await c.query(`SELECT * FROM "review_scheduler"."reviews" WHERE "id" = $1`, [reviewId])).rows[0]);
    const audit = async () => (await harness.request('GET', `/audit?subjectType=review&subjectId=${reviewId}`)).body.items;
    const [before, auditBefore] = [await row(), await audit()];
    // As a reviewer, the review is not in the owner's queue at all.
    expect((await decide(reviewId, 'certify', { sub: ownerId })).status).toBe(404);
    for (const decision of ['certify', 'revoke'] as const) {
      const refused = await decide(reviewId, decision, { sub: ownerId, admin: true });
      expect(refused.status).toBe(403);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(refused.body).toMatchObject({
        status: 403,
        code: 'SEPARATION_OF_DUTIES',
        title: "Someone other than the agent's owner must decide this review",
        detail: expect.stringMatching(/is yours: the owner of a high or critical agent may not certify or revoke it/),
      });
    }
    expect(await row()).toEqual(before);
    expect(before).toMatchObject({ decision: null, decided_by: null, closed_at: null });
    expect(await audit()).toEqual(auditBefore);
  }

  return { harness, agentsOf, managed, reviewsOpenedFor, decide, queueOf, ownerRefused };
}

describe('separation of duties, with a designated reviewer of high-risk agents', () => {
  const designated = unique('security-reviewer');
  // Overdue reviews escalate and stay open (no suspension), so escalation can be looked at.
  const s = scheduler({ highRiskReviewer: designated, overdueAction: 'escalate' });
  beforeAll(() => s.harness.start(), 60000);
  afterAll(() => s.harness.stop());

  it('a high agent’s review goes to the owner’s manager even while the owner is active; the owner may not decide it, the manager does', async () => {
    const [ownerId, managerId] = [unique('owner'), unique('manager')];
    await s.managed(ownerId, managerId);
    const [agentId] = await s.agentsOf(ownerId, ['high']);
    await s.reviewsOpenedFor(ownerId);
    const [review] = await reviewsOf(agentId);
    expect(review).toMatchObject({ owner_id: ownerId, reviewer_id: managerId, state: 'open' });
    expect(await s.queueOf(ownerId)).toEqual([]);
    expect(await s.queueOf(managerId)).toEqual([agentId]);

    await s.ownerRefused(review.id, ownerId);

    const certified = await s.decide(review.id, 'certify', { sub: managerId });
    expect(certified).toMatchObject({ status: 200, body: { state: 'closed', decision: 'certify', decidedBy: managerId } });
  }, 60000);

  it('a critical agent whose owner has no manager known goes to the designated reviewer; one the designated reviewer owns goes to the admins’ queue, which another admin decides', async () => {
    const ownerId = unique('owner');
    const [agentId] = await s.agentsOf(ownerId, ['critical']);
    const [ownAgentId] = await s.agentsOf(designated, ['critical']);
    await s.reviewsOpenedFor(ownerId);
    await s.reviewsOpenedFor(designated);
    const [review] = await reviewsOf(agentId);
    const [own] = await reviewsOf(ownAgentId);
    expect(review).toMatchObject({ owner_id: ownerId, reviewer_id: designated });
    expect(own).toMatchObject({ owner_id: designated, reviewer_id: ADMIN_QUEUE });
    expect(await s.queueOf(designated)).toContain(agentId);
    const adminQueue = await s.harness.request('GET', `/reviews?state=open&reviewerId=${encodeURIComponent(ADMIN_QUEUE)}`);
    expect(adminQueue.body.items.map((r: { id: string }) => r.id)).toContain(own.id);

    await s.ownerRefused(review.id, ownerId);
    await s.ownerRefused(own.id, designated);
    expect(await s.decide(review.id, 'revoke', { sub: designated })).toMatchObject({ status: 200, body: { decision: 'revoke', decidedBy: designated } });
    expect(await s.decide(own.id, 'certify', { sub: 'test-admin', admin: true })).toMatchObject({
      status: 200,
      body: { decision: 'certify', decidedBy: 'test-admin' },
    });
  }, 60000);

  it('an agent that becomes high after its review went to its owner: the review moves to the designated reviewer, and the owner may no longer decide it', async () => {
    const ownerId = unique('owner');
    const [rising, staying] = await s.agentsOf(ownerId, ['low', 'low']);
    await s.reviewsOpenedFor(ownerId);
    const [review] = await reviewsOf(rising);
    expect(review).toMatchObject({ reviewer_id: ownerId });
    // Low and medium agents are still their owner's to certify.
    const [low] = await reviewsOf(staying);
    expect(await s.decide(low.id, 'certify', { sub: ownerId })).toMatchObject({ status: 200, body: { decidedBy: ownerId } });

    await s.harness.publish(Topics.AgentLifecycle, [{ data: { ...registered(rising, ownerId, 'high', new Date(Date.now() + 1000)), kind: 'agent.updated' } }]);
    await waitFor(
      () => reviewsOf(rising),
      (r) => r[0].reviewer_id === designated,
      { what: 'the review moved to the designated reviewer' },
    );
    const audit = await s.harness.request('GET', `/audit?subjectType=review&subjectId=${review.id}`);
    expect(audit.body.items.map((r: { action: string; details: { reviewerId: string } }) => [r.action, r.details.reviewerId])).toEqual([
      ['review.open', ownerId],
      ['review.reassigned', designated],
    ]);
    expect(await s.queueOf(ownerId)).toEqual([]);

    await s.ownerRefused(review.id, ownerId);
    expect(await s.decide(review.id, 'certify', { sub: designated })).toMatchObject({ status: 200, body: { decidedBy: designated } });
  }, 60000);

  // Moves the clock: last.
  it('escalation never hands a high review back to its owner: one the owner still holds goes to the designated reviewer, one with a manager known to the manager', async () => {
    const [held, managedOwner, managerId] = [unique('owner'), unique('owner'), unique('manager')];
    const [heldAgent] = await s.agentsOf(held, ['critical']);
    await s.reviewsOpenedFor(held);
    await s.managed(managedOwner, managerId);
    const [managedAgent] = await s.agentsOf(managedOwner, ['high']);
    await s.reviewsOpenedFor(managedOwner);
    const [heldReview] = await reviewsOf(heldAgent);
    const [managedReview] = await reviewsOf(managedAgent);
    // A review given to its owner before this rule existed.
    await withTestDatabase((c) => c.query(`UPDATE "review_scheduler"."reviews" SET "reviewer_id" = $2 WHERE "id" = $1`, [heldReview.id, held]));
    // In their queue, it is still not theirs to decide: refused at decision time, whoever it was assigned to.
    expect(await s.queueOf(held)).toEqual([heldAgent]);
    expect(await s.decide(heldReview.id, 'certify', { sub: held })).toMatchObject({ status: 403, body: { code: 'SEPARATION_OF_DUTIES' } });

    // Three days past due (14 days after the campaign), the reviews escalate.
    await s.harness.request('PUT', '/testing/clock', { at: new Date(new Date(heldReview.due_at).getTime() + 4 * DAY).toISOString() });
    const [escalated] = await waitFor(
      () => reviewsOf(heldAgent),
      (r) => r[0].state === 'escalated',
      { what: 'the held review escalated' },
    );
    expect(escalated).toMatchObject({ reviewer_id: designated, decision: null });
    expect(
      (
        await waitFor(
          () => reviewsOf(managedAgent),
          (r) => r[0].state === 'escalated',
          { what: 'the managed review escalated' },
        )
      )[0],
    ).toMatchObject({
      id: managedReview.id,
      reviewer_id: managerId,
    });
    await s.ownerRefused(heldReview.id, held);
  }, 60000);
});

describe('separation of duties, with no designated reviewer (the default)', () => {
  const s = scheduler({});
  beforeAll(() => s.harness.start(), 60000);
  afterAll(() => s.harness.stop());

  it('a high agent whose owner has no manager known goes to the admins’ queue: no reviewer’s queue shows it, the owner may not decide it even as an admin, another admin does', async () => {
    const ownerId = unique('owner');
    const [agentId] = await s.agentsOf(ownerId, ['high']);
    await s.reviewsOpenedFor(ownerId);
    const [review] = await reviewsOf(agentId);
    expect(review).toMatchObject({ owner_id: ownerId, reviewer_id: ADMIN_QUEUE, state: 'open' });
    expect(await s.queueOf(ownerId)).toEqual([]);
    const adminQueue = await s.harness.request('GET', `/reviews?state=open&reviewerId=${encodeURIComponent(ADMIN_QUEUE)}`);
    expect(adminQueue.body.items.map((r: { id: string }) => r.id)).toContain(review.id);

    await s.ownerRefused(review.id, ownerId);
    expect(await s.decide(review.id, 'certify', { sub: 'test-admin', admin: true })).toMatchObject({
      status: 200,
      body: { state: 'closed', decision: 'certify', decidedBy: 'test-admin' },
    });
  }, 60000);
});
