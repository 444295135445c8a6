import { randomUUID } from 'node:crypto';

import { Role } from '@agentgov/auth';
import { TopicPayloads, Topics } from '@agentgov/contracts';
import { waitFor } from '@agentgov/test-support';

import { DAY, E2eSystem } from './support/e2e-system';

type Activity = TopicPayloads['agent.activity.v1'];

function activity(agentId: string, at: number, recordsTouched: number, extra: Partial<Activity> = {}): { data: Activity } {
  return {
    data: {
      agentId,
      occurredAt: new Date(at).toISOString(),
      action: 'crm.read',
      resourceType: 'crm.contact',
      tool: 'crm-api',
      recordsTouched,
      outcome: 'allowed',
      ...extra,
    },
  };
}

/**
 * Anomaly response and access reviews end to end: the four services as processes on the real broker and
 * database; agent runtimes publish activity on agent.activity.v1, analysts, reviewers and admins use the APIs,
 * and what they see is asserted where they see it. The review-scheduler's clock is moved by its admin API
 * (CLOCK_CONTROL), forward only: the scenarios that move it come last, the expiry before the overdue review.
 */
describe('anomaly to containment to release, shadow agents, overdue reviews and expiry, through the running services', () => {
  // Separation of duties: a critical agent's owner never reviews it alone. The owners here have no manager the
  // review-scheduler knows (no identity.lifecycle.v1 event describes them), so their reviews go to this reviewer.
  const highRiskReviewer = `security-reviewer-${randomUUID().slice(0, 8)}`;
  const system = new E2eSystem({
    services: {
      'review-scheduler': {
        CLOCK_CONTROL: 'true',
        REVIEW_TICK_MS: '200',
        // Agents here are never seen by usage windows: staleness would open reviews of its own, not under test.
        REVIEW_POLICY: JSON.stringify({
          cadenceDays: { critical: 30 },
          dueDays: 14,
          reminderDays: 3,
          escalateAfterDays: 3,
          suspendAfterDays: 7,
          overdueAction: 'suspend',
          staleAfterDays: 365,
          highRiskReviewer,
        }),
      },
    },
  });
  let clock = Date.now();

  beforeAll(() => system.start(), 120000);
  afterAll(() => system.stop(), 60000);

  const asAnalyst = (method: string, path: string, body?: unknown) => system.call(system.containment, method, path, body, ['soc-analyst']);

  async function asReviewer(sub: string, path: string): Promise<any> {
    const response = await fetch(`${system.reviewScheduler.url}${path}`, {
      headers: { authorization: `Bearer ${await system.reviewScheduler.token(['reviewer'] as Role[], sub)}` },
    });
    expect(response.status).toBe(200);
    return response.json();
  }

  /** Moves the review-scheduler's clock forward (never back) to `at`. */
  async function travel(at: number): Promise<void> {
    clock = Math.max(clock, at);
    await system.call(system.reviewScheduler, 'PUT', '/testing/clock', { at: new Date(clock).toISOString() });
  }

  it('an agent bursting far above its learnt baseline is contained everywhere and the SOC alerted; the analyst releases it with fresh credentials', async () => {
    const ownerId = await system.createOwner();
    const agent = await system.registerAgent(ownerId, { riskTier: 'critical', scopes: ['crm.read'] });
    const before = await system.tokenOf(agent);
    await system.learntEverywhere([agent.id]);

    // Two weeks of normal work: about 15 records a day, in office hours.
    const start = Date.now() - 15 * DAY;
    const history = [];
    for (let day = 0; day < 14; day++) for (let k = 0; k < 15; k++) history.push(activity(agent.id, start + day * DAY + (9 + k * 0.5) * 3_600_000, 1));
    await system.provisioner.publish(Topics.AgentActivity, history);
    const learnt = await waitFor(
      () => system.baseliner.request('GET', `/agents/${agent.id}/baseline`, undefined, ['soc-analyst']),
      (r) => r.status === 200 && r.body.eventsLearnt === history.length,
      { timeoutMs: 30000, what: 'the baseliner to learn the history' },
    );
    expect(learnt.body).toMatchObject({ registered: true, riskTier: 'critical', ownerId, warm: true, episode: null });
    expect(await asAnalyst('GET', `/incidents?agentId=${agent.id}`)).toEqual({ items: [], nextCursor: null });

    // Then 500 records in ten minutes.
    const burstStart = Date.now() - 10 * 60_000;
    const burst = Array.from({ length: 100 }, (_, i) => activity(agent.id, burstStart + i * 6000, 5));
    await system.provisioner.publish(Topics.AgentActivity, burst);

    const [contained] = await waitFor(
      async () => (await asAnalyst('GET', `/incidents?agentId=${agent.id}`)).items,
      (items: any[]) =>
        items.length === 1 &&
        items[0].status === 'contained' &&
        items[0].actions[0]?.receipts.length === 3 &&
        items[0].actions[0].receipts.every((r: any) => r.status === 'confirmed'),
      { timeoutMs: 30000, what: 'the incident contained, every receipt confirmed' },
    );
    expect(contained).toMatchObject({
      agentId: agent.id,
      ownerId,
      riskTier: 'critical',
      kind: 'behavior',
      band: 'contain',
      severity: 'high',
      ocsf: { class_uid: 2004 },
    });
    expect(contained.score).toBeGreaterThanOrEqual(0.95);
    expect(contained.explanation.length).toBeGreaterThan(0);
    expect(contained.actions.map((a: any) => a.kind)).toEqual(['contain']);
    expect(contained.actions[0].receipts.map((r: any) => r.connector).sort()).toEqual(Object.values(system.connectors).sort());

    // Access ended everywhere: the token is dead at the issuer, the registry suspended the agent, the gateway and the SSF receiver were told.
    expect(await system.isActive(before)).toBe(false);
    await system.waitForStatuses([agent.id], 'suspended', 'the provisioner to suspend the agent');
    expect(system.webhookKinds(agent.id)).toEqual(['contain']);
    expect(await system.ssfEventsAbout(agent.id)).toEqual(['credential-change', 'session-revoked']);
    // The SOC's feed and the provisioner's instruction, on their topics.
    const alerts = await system.recorder.await(
      Topics.ContainmentAlert,
      (a) => a.incidentId === contained.incidentId && a.status === 'contained',
      1,
      'the containment alert',
    );
    expect(alerts[0].data).toMatchObject({ agentId: agent.id, severity: 'high', ocsf: { class_uid: 2004 } });
    const [contain] = await system.recorder.await(Topics.ContainmentAction, (a) => a.agentId === agent.id, 1, 'containment.action.v1');
    expect(contain.data).toMatchObject({ kind: 'contain', incidentId: contained.incidentId, requestedBy: { type: 'policy' } });
    const started = await system.recorder.await(Topics.AgentAnomaly, (a) => a.agentId === agent.id && a.episodeState === 'started', 1, 'the anomaly');
    expect(started.map((a) => a.data)).toEqual([expect.objectContaining({ kind: 'behavior', ownerId, riskTier: 'critical', episodeId: expect.any(String) })]);
    // The episode starts at the reporting floor; the incident was contained once the score crossed the contain band.
    expect(started[0].data.score).toBeGreaterThanOrEqual(0.9);
    // In the analyst's units: counts in 10 minutes against the agent's usual day, or (when the burst also falls
    // outside its working hours, as it does at some times of day) the hour it has never worked in.
    expect(started[0].data.summary).toMatch(
      /^([\d,]+ (records touched|actions) in 10 min; usually about [\d.,]+ a day|active at \d\d:00, an hour it has never worked in)/,
    );

    // Before deciding, the analyst lets the episode's scoring finish: every event scored, the incident at the episode's peak.
    const scored = await waitFor(
      () => system.baseliner.request('GET', `/agents/${agent.id}/baseline`, undefined, ['soc-analyst']),
      (r) => r.body.eventsLearnt === history.length + burst.length,
      { what: 'the burst scored' },
    );
    await waitFor(
      () => asAnalyst('GET', `/incidents/${contained.incidentId}`),
      (i) => i.score === scored.body.episode.peakScore,
      { what: 'the incident at the episode’s peak score' },
    );

    // Separation of duties: at a score of 0.99 or more one analyst asks and a second one releases.
    const release = (sub: string) =>
      system.call(
        system.containment,
        'POST',
        `/incidents/${contained.incidentId}/release`,
        { reason: 'quarter-end export approved by the data owner' },
        ['soc-analyst'],
        sub,
      );
    const twoAnalysts = scored.body.episode.peakScore >= 0.99;
    let released = await release('test-admin');
    if (twoAnalysts) {
      expect(released).toMatchObject({ status: 'contained', releaseRequest: { by: 'test-admin' } });
      released = await release('second-analyst');
    }
    expect(released).toMatchObject({ status: 'released', releasedAt: expect.any(String) });
    await system.waitForStatuses([agent.id], 'active', 'the provisioner to reactivate the agent');
    // Fresh credentials: the token from before stays dead, a new one works.
    expect(await system.isActive(before)).toBe(false);
    const after = await system.tokenOf(agent);
    expect(await system.isActive(after)).toBe(true);
    const detail = await waitFor(
      () => asAnalyst('GET', `/incidents/${contained.incidentId}`),
      (i) => i.actions.length === 2 && i.actions[1].receipts.length === 2 && i.actions[1].receipts.every((r: any) => r.status === 'confirmed'),
      { what: 'the release confirmed at the issuer and the gateway' },
    );
    expect(detail.actions.map((a: any) => a.kind)).toEqual(['contain', 'release']);
    expect(detail.actions[1].receipts.map((r: any) => r.connector).sort()).toEqual([system.connectors.issuer, system.connectors.webhook].sort());
    expect(detail.audit).toEqual([
      ...(twoAnalysts ? [expect.objectContaining({ actor: 'test-admin', action: 'incident.release-requested' })] : []),
      expect.objectContaining({
        actor: twoAnalysts ? 'second-analyst' : 'test-admin',
        action: 'incident.release',
        reason: 'quarter-end export approved by the data owner',
      }),
    ]);
    expect(system.webhookKinds(agent.id)).toEqual(['contain', 'release']);
    // The released incident puts the agent up for review: a critical agent, so not by its owner but by the designated
    // reviewer (whose queue may also hold other agents of the shared database).
    const reviews = await waitFor(
      () => asReviewer(highRiskReviewer, '/reviews'),
      (r) => r.items.some((x: any) => x.agentId === agent.id),
      { what: 'the review after the release' },
    );
    expect(reviews.items.filter((x: any) => x.agentId === agent.id)).toEqual([
      expect.objectContaining({ agentId: agent.id, ownerId, reason: 'incident-released', state: 'open', reviewerId: highRiskReviewer }),
    ]);
    expect((await asReviewer(ownerId, '/reviews')).items).toEqual([]);
    // The agent's access stays as released: the registry's reactivation (the echo of the release) started no second fan-out.
    expect((await system.receipts([agent.id])).map((r) => [r.kind, r.origin])).toEqual([
      ...Array(3).fill(['contain', 'policy']),
      ...Array(2).fill(['release', 'analyst']),
    ]);
    expect(await system.isActive(after)).toBe(true);
  }, 90000);

  it('activity from an agent id the registry never announced becomes a shadow-agent alert for the SOC, and nobody is logged out', async () => {
    const shadowId = `shadow-${randomUUID().slice(0, 12)}`;
    await system.provisioner.publish(Topics.AgentActivity, [
      activity(shadowId, Date.now() - 1000, 40, { action: 'db.export', resourceType: 'customer.table', tool: 'sql-runner' }),
    ]);

    const [incident] = await waitFor(
      async () => (await asAnalyst('GET', `/incidents?kind=shadow-agent&agentId=${encodeURIComponent(shadowId)}`)).items,
      (items: any[]) => items.length === 1,
      { timeoutMs: 30000, what: 'the shadow-agent incident' },
    );
    expect(incident).toMatchObject({ agentId: shadowId, kind: 'shadow-agent', status: 'open', band: 'alert', severity: 'medium', actions: [] });
    expect(incident.summary).toContain(shadowId);
    const [alert] = await system.recorder.await(Topics.ContainmentAlert, (a) => a.agentId === shadowId, 1, 'the shadow-agent alert');
    expect(alert.data).toMatchObject({ incidentId: incident.incidentId, status: 'open', actions: [], ocsf: { class_uid: 2004 } });

    // The analyst takes it; deprovisioning an id nobody registered is refused.
    expect(await asAnalyst('POST', `/incidents/${incident.incidentId}/acknowledge`, { reason: 'looking into sql-runner' })).toMatchObject({
      acknowledgedBy: 'test-admin',
    });
    const confirm = await system.containment.request('POST', `/incidents/${incident.incidentId}/confirm`, { reason: 'kill it' }, ['soc-analyst']);
    expect(confirm).toMatchObject({ status: 409, body: { code: 'ILLEGAL_INCIDENT_TRANSITION' } });
    expect(system.webhookKinds(shadowId)).toEqual([]);
    expect(await system.receipts([shadowId])).toEqual([]);
  }, 60000);

  it('an agent past its expiry is deprovisioned, with its sub-agent; its owner’s other agent stays', async () => {
    const ownerId = await system.createOwner();
    const expiring = await system.registerAgent(ownerId, { expiresAt: new Date(Date.now() + 2 * DAY).toISOString() });
    const sub = await system.registerAgent(ownerId, { parentAgentId: expiring.id, scopes: ['crm.read'], expiresAt: new Date(Date.now() + DAY).toISOString() });
    const lasting = await system.registerAgent(ownerId);
    const tokens = await Promise.all([expiring, sub, lasting].map((a) => system.tokenOf(a)));
    await system.learntEverywhere([expiring.id, sub.id, lasting.id]);

    await travel(Date.now() + DAY + 3_600_000);
    // Only the sub-agent has expired by then.
    await system.waitForStatuses([sub.id], 'deprovisioned', 'the expired sub-agent deprovisioned');
    expect(await system.statusOf(expiring.id)).toBe('active');
    await travel(Date.now() + 3 * DAY);
    await system.waitForStatuses([expiring.id], 'deprovisioned', 'the expired agent deprovisioned');

    const decisions = await system.recorder.await(Topics.ReviewDecision, (d) => d.agentId === expiring.id || d.agentId === sub.id, 2, 'the expiry decisions');
    expect(decisions.map((d) => [d.data.agentId, d.data.decision, d.data.decidedBy]).sort()).toEqual(
      [
        [expiring.id, 'revoke', 'system:expiry'],
        [sub.id, 'revoke', 'system:expiry'],
      ].sort(),
    );
    expect(await system.isActive(tokens[0])).toBe(false);
    expect(await system.isActive(tokens[1])).toBe(false);
    expect(await system.statusOf(lasting.id)).toBe('active');
    expect(await system.isActive(tokens[2])).toBe(true);
    await waitFor(
      () => system.receipts([expiring.id, sub.id]),
      (r) => r.length === 6 && r.every((x) => x.status === 'confirmed'),
      { what: 'the logout receipts' },
    );
    for (const agent of [expiring, sub]) expect(system.webhookKinds(agent.id)).toEqual(['deprovision']);
    expect(system.webhookKinds(lasting.id)).toEqual([]);
  }, 60000);

  it('a certification nobody decides goes overdue, escalates and suspends the agent; containment logs it out', async () => {
    const ownerId = await system.createOwner();
    const agent = await system.registerAgent(ownerId, { riskTier: 'critical' });
    const token = await system.tokenOf(agent);
    await system.learntEverywhere([agent.id]);

    // A critical agent is certified every 30 days.
    await travel(clock + 31 * DAY);
    const certifications = await waitFor(
      () => asReviewer(highRiskReviewer, '/reviews'),
      (r) => r.items.some((x: any) => x.agentId === agent.id),
      { what: 'the certification' },
    ).then((r) => r.items.filter((x: any) => x.agentId === agent.id));
    expect(certifications).toHaveLength(1);
    const [opened] = certifications;
    expect(opened).toMatchObject({ reason: 'scheduled', state: 'open', ownerId, reviewerId: highRiskReviewer });
    expect((await asReviewer(ownerId, '/reviews')).items).toEqual([]);

    const due = Date.parse(opened.dueAt);
    // Three days past due it escalates (to the owner's manager when the review-scheduler knows one, which it learns
    // from identity.lifecycle.v1; this owner never had such an event, so the review stays with the designated
    // reviewer, and never goes back to the owner of a critical agent).
    await travel(due + 4 * DAY);
    const [escalated] = await waitFor(
      () => asReviewer(highRiskReviewer, '/reviews'),
      (r) => r.items.some((x: any) => x.agentId === agent.id && x.state === 'escalated'),
      { what: 'the escalation' },
    ).then((r) => r.items.filter((x: any) => x.agentId === agent.id));
    expect(escalated).toMatchObject({ id: opened.id, state: 'escalated', reviewerId: highRiskReviewer });
    expect((await asReviewer(ownerId, '/reviews')).items).toEqual([]);
    expect(await system.statusOf(agent.id)).toBe('active');
    expect(await system.isActive(token)).toBe(true);

    await travel(due + 8 * DAY);
    await system.waitForStatuses([agent.id], 'suspended', 'the provisioner to suspend the agent');
    expect(await system.isActive(token)).toBe(false);
    const closed = await system.call(system.reviewScheduler, 'GET', `/reviews?reviewerId=${encodeURIComponent(highRiskReviewer)}&state=closed`);
    expect(closed.items.filter((x: any) => x.agentId === agent.id)).toEqual([
      expect.objectContaining({ id: opened.id, agentId: agent.id, ownerId, decision: 'suspend', decidedBy: 'system:overdue-review' }),
    ]);
    const [decision] = await system.recorder.await(Topics.ReviewDecision, (d) => d.agentId === agent.id, 1, 'the suspension decision');
    expect(decision.data).toMatchObject({ reviewId: opened.id, decision: 'suspend', decidedBy: 'system:overdue-review' });
    const reviewEvents = await system.recorder.await(Topics.Review, (r) => r.agentId === agent.id, 3, 'the review’s events');
    expect(reviewEvents.map((e) => e.data.state)).toEqual(['open', 'escalated', 'closed']);

    // Containment carries the registry's suspension to every connected system.
    await waitFor(
      () => system.receipts([agent.id]),
      (r) => r.length === 3 && r.every((x) => x.status === 'confirmed'),
      { what: 'the logout receipts' },
    );
    expect(await system.receipts([agent.id])).toEqual(system.expectedReceipts(agent.id, 'contain', 'lifecycle'));
    expect(system.webhookKinds(agent.id)).toEqual(['contain']);
    expect(await system.ssfEventsAbout(agent.id)).toEqual(['credential-change', 'session-revoked']);
  }, 60000);
});
