import { randomUUID } from 'node:crypto';

import { Topics } from '@agentgov/contracts';
import { verifyWebhookSignature } from '@agentgov/revocation-connectors';
import { anomalyEvent, RecordingReceiver, ServiceHarness, writeConnectorsFile } from '@agentgov/service-testing';
import { collectMessages, waitFor, withTestDatabase } from '@agentgov/test-support';

import { announceAgents, knownToContainment, receiptsOf } from '../support/containment-stack';

const SECRET = 'a-webhook-secret-of-at-least-32-characters';
const ALERT_SECRET = 'the-siem-collector-secret-32-characters-long';

describe('incidents: one per episode, escalation by policy, shadow agents, analysts’ decisions and the policy API', () => {
  const gateway = new RecordingReceiver();
  const siem = new RecordingReceiver();
  let harness: ServiceHarness;

  beforeAll(async () => {
    await Promise.all([gateway.start(), siem.start()]);
    harness = new ServiceHarness('containment', {
      env: {
        CONNECTORS_FILE: writeConnectorsFile([{ name: 'gateway', type: 'webhook', url: `${gateway.url}/logout`, secret: SECRET }]),
        ALERT_WEBHOOK_URL: `${siem.url}/alerts`,
        ALERT_WEBHOOK_SECRET: ALERT_SECRET,
      },
    });
    await harness.start();
  }, 60000);
  afterAll(async () => {
    await harness.stop();
    await Promise.all([gateway.stop(), siem.stop()]);
  });

  const incidentsOf = async (agentId: string) => (await harness.request('GET', `/incidents?agentId=${agentId}`, undefined, ['soc-analyst'])).body.items;

  it('repeated scores of an episode update one incident; a higher one escalates from alert to containment; a new episode within the cooldown joins it', async () => {
    const agentId = randomUUID();
    await announceAgents(harness, [{ agentId, ownerId: 'owner-esc', riskTier: 'medium' }]);
    await knownToContainment([agentId]);
    const episodeId = randomUUID();
    // medium tier: alert from 0.9, contain from 0.99 (the default policy).
    await harness.publish(Topics.AgentAnomaly, [
      { data: anomalyEvent(agentId, { episodeId, score: 0.8 }) },
      { data: anomalyEvent(agentId, { episodeId, score: 0.92 }) },
      { data: anomalyEvent(agentId, { episodeId, score: 0.93, episodeState: 'ongoing' }) },
    ]);
    const [alerted] = await waitFor(
      () => incidentsOf(agentId),
      (i) => i.length === 1 && i[0].score === 0.93,
      { what: 'an alert-band incident' },
    );
    expect(alerted).toMatchObject({ status: 'open', band: 'alert', severity: 'medium', actions: [] });

    await harness.publish(Topics.AgentAnomaly, [{ data: anomalyEvent(agentId, { episodeId, score: 0.995, episodeState: 'ongoing' }) }]);
    const [contained] = await waitFor(
      () => incidentsOf(agentId),
      (i) => i[0]?.status === 'contained',
      { what: 'escalation' },
    );
    expect(contained).toMatchObject({ incidentId: alerted.incidentId, band: 'contain', severity: 'high', score: 0.995 });
    expect(contained.actions.map((a: { kind: string }) => a.kind)).toEqual(['contain']);
    await waitFor(
      () => receiptsOf(agentId),
      (r) => r.length === 1 && r[0].status === 'confirmed',
      { what: 'the gateway receipt' },
    );

    await harness.publish(Topics.AgentAnomaly, [{ data: anomalyEvent(agentId, { episodeId, score: 0.5, episodeState: 'ended' }) }]);
    await waitFor(
      () => incidentsOf(agentId),
      (i) => i[0]?.episodeOpen === false,
      { what: 'the episode end' },
    );
    await harness.publish(Topics.AgentAnomaly, [{ data: anomalyEvent(agentId, { score: 0.995 }) }]);
    await waitFor(
      () => incidentsOf(agentId),
      (i) => i[0]?.episodeOpen === true,
      { what: 'the new episode to join' },
    );
    const incidents = await incidentsOf(agentId);
    expect(incidents).toHaveLength(1);
    // Already contained: the new episode takes no second action.
    expect(incidents[0].actions).toHaveLength(1);

    // Released (by two analysts: the score is 0.99 or more), the agent is not contained again for a score no higher
    // than the released one, but is for a higher one.
    const release = (sub: string) =>
      harness.request('POST', `/incidents/${alerted.incidentId}/release`, { reason: 'approved migration job' }, ['soc-analyst'], sub);
    expect((await release('test-admin')).body).toMatchObject({ status: 'contained', releaseRequest: { by: 'test-admin' } });
    const released = await release('analyst-two');
    expect(released.body).toMatchObject({ status: 'released', band: 'alert' });
    await harness.publish(Topics.AgentAnomaly, [
      { data: anomalyEvent(agentId, { episodeId, score: 0.995, episodeState: 'ongoing' }) },
      { data: anomalyEvent(agentId, { episodeId, score: 0.999, episodeState: 'ongoing' }) },
    ]);
    const [again] = await waitFor(
      () => incidentsOf(agentId),
      (i) => i[0]?.status === 'contained',
      { what: 'containment after the release' },
    );
    expect(again.actions.map((a: { kind: string }) => a.kind)).toEqual(['contain', 'release', 'contain']);
    expect(again.score).toBe(0.999);

    // Every change went to the SIEM too, signed.
    const forwarded = await waitFor(
      async () => siem.about(alerted.incidentId),
      (r) => r.length >= 6,
      { what: 'forwarded alerts' },
    );
    for (const call of forwarded) expect(verifyWebhookSignature(ALERT_SECRET, String(call.headers['agentgov-signature']), call.body)).toBe(true);
    expect(JSON.parse(forwarded[0].body)).toMatchObject({ incidentId: alerted.incidentId, ocsf: { class_uid: 2004, activity_id: 1 } });
  }, 60000);

  it('a shadow agent opens an incident with what is known and is not logged out by the default policy; below every band nothing opens', async () => {
    const shadowId = `shadow-${randomUUID().slice(0, 8)}`;
    const quietId = randomUUID();
    await announceAgents(harness, [{ agentId: quietId, ownerId: 'owner-quiet', riskTier: 'low' }]);
    await knownToContainment([quietId]);
    const [below, above] = [randomUUID(), randomUUID()];
    await harness.publish(Topics.AgentAnomaly, [
      { data: anomalyEvent(shadowId, { kind: 'shadow-agent', score: 1, summary: `unregistered agent ${shadowId} ran sql-runner on crm.contact` }) },
      // low tier: alert from 0.95. The first episode stays below it; the second (same partition, later) passes it.
      { data: anomalyEvent(quietId, { score: 0.93, episodeId: below }) },
      { data: anomalyEvent(quietId, { score: 0.97, episodeId: above }) },
    ]);
    const [shadow] = await waitFor(
      () => incidentsOf(shadowId),
      (i) => i.length === 1,
      { what: 'the shadow-agent incident' },
    );
    expect(shadow).toMatchObject({ kind: 'shadow-agent', status: 'open', band: 'alert', summary: expect.stringContaining('sql-runner'), actions: [] });
    expect(shadow.ocsf.finding_info.title).toContain('unregistered');
    const [quiet] = await waitFor(
      () => incidentsOf(quietId),
      (i) => i.length === 1,
      { what: 'the low-tier incident' },
    );
    const episodes = await withTestDatabase(
      async (c) => (await c.query(`SELECT "episode_id" FROM "containment"."incident_episodes" WHERE "incident_id" = $1`, [quiet.incidentId])).rows,
    );
    expect(episodes).toEqual([{ episode_id: above }]);
    // Nothing was contained, so nothing can be released; an unregistered id is never deprovisioned; the analyst closes it.
    expect((await harness.request('POST', `/incidents/${shadow.incidentId}/release`, { reason: 'x' }, ['soc-analyst'])).status).toBe(409);
    expect((await harness.request('POST', `/incidents/${shadow.incidentId}/confirm`, { reason: 'x' }, ['soc-analyst'])).status).toBe(409);
    const closed = await harness.request('POST', `/incidents/${shadow.incidentId}/close`, { reason: 'the data team’s new notebook; registered since' }, [
      'soc-analyst',
    ]);
    expect(closed.body).toMatchObject({ status: 'closed', actions: [] });
  }, 60000);

  it('separation of duties: who contained an agent cannot release it, and a release covers only the episodes the analyst saw', async () => {
    const [manualId, policyId] = [randomUUID(), randomUUID()];
    await announceAgents(harness, [
      { agentId: manualId, ownerId: 'owner-sod', riskTier: 'high' },
      { agentId: policyId, ownerId: 'owner-sod', riskTier: 'high' },
    ]);
    await knownToContainment([manualId, policyId]);

    const contained = await harness.request('POST', `/agents/${manualId}/logout`, { reason: 'looks compromised' }, ['soc-analyst'], 'analyst-a');
    const releaseManual = (sub: string) =>
      harness.request('POST', `/incidents/${contained.body.incidentId}/release`, { reason: 'my own call' }, ['soc-analyst'], sub);
    expect(await releaseManual('analyst-a')).toMatchObject({ status: 403, body: { code: 'SEPARATION_OF_DUTIES' } });
    expect((await releaseManual('analyst-b')).body).toMatchObject({ status: 'released' });

    // Policy contains at 0.995 (high tier: contain from 0.97); two analysts release it.
    const seen = randomUUID();
    await harness.publish(Topics.AgentAnomaly, [{ data: anomalyEvent(policyId, { episodeId: seen, score: 0.995 }) }]);
    const [byPolicy] = await waitFor(
      () => incidentsOf(policyId),
      (i) => i[0]?.status === 'contained',
      { what: 'the policy containment' },
    );
    const releasePolicy = (sub: string) =>
      harness.request('POST', `/incidents/${byPolicy.incidentId}/release`, { reason: 'expected job' }, ['soc-analyst'], sub);
    expect((await releasePolicy('analyst-a')).body).toMatchObject({ status: 'contained', releaseRequest: { by: 'analyst-a' } });
    expect(await releasePolicy('analyst-a')).toMatchObject({ status: 403, body: { code: 'SEPARATION_OF_DUTIES' } });
    expect((await releasePolicy('analyst-b')).body).toMatchObject({ status: 'released' });

    // Within the cooldown, the episode the analysts saw stays released at a score no higher than theirs; a new episode
    // at that score is judged by policy again: a release is not immunity.
    await harness.publish(Topics.AgentAnomaly, [{ data: anomalyEvent(policyId, { episodeId: seen, score: 0.99, episodeState: 'ongoing' }) }]);
    await waitFor(
      () => incidentsOf(policyId),
      (i) => i[0]?.score === 0.995 && i[0]?.status === 'released',
      { what: 'the seen episode to stay released' },
    );
    await harness.publish(Topics.AgentAnomaly, [{ data: anomalyEvent(policyId, { score: 0.98 }) }]);
    const [again] = await waitFor(
      () => incidentsOf(policyId),
      (i) => i[0]?.status === 'contained',
      { what: 'the new episode contained' },
    );
    expect(again.actions.map((a: { kind: string }) => a.kind)).toEqual(['contain', 'release', 'contain']);
    // Contained by the new episode's 0.98, not by the seen episode's 0.99 (processed before it, on the same partition).
    const reasons = await withTestDatabase(
      async (c) => (await c.query(`SELECT "reason" FROM "containment"."actions" WHERE "agent_id" = $1 ORDER BY "sequence"`, [policyId])).rows,
    );
    expect(reasons[2].reason).toMatch(/^score 0\.980 reached the contain band/);
  }, 60000);

  it('decides on its own registry copy: a forged tier or owner changes nothing, and a behaviour anomaly for an unregistered id is only a shadow-agent alert', async () => {
    const highId = randomUUID();
    const unregistered = randomUUID();
    await announceAgents(harness, [{ agentId: highId, ownerId: 'owner-real', riskTier: 'high' }]);
    await knownToContainment([highId]);
    await harness.publish(Topics.AgentAnomaly, [
      // high tier: contain from 0.97. The anomaly claims `low` (which would only alert at 0.97) and another owner.
      { data: anomalyEvent(highId, { score: 0.98, riskTier: 'low', ownerId: 'owner-forged' }) },
      // Not in the registry, yet claimed critical with a score that would contain any registered agent.
      { data: anomalyEvent(unregistered, { score: 0.9999, riskTier: 'critical', ownerId: 'owner-forged' }) },
    ]);
    const [contained] = await waitFor(
      () => incidentsOf(highId),
      (i) => i[0]?.status === 'contained',
      { what: 'the high-tier agent contained by its registered tier' },
    );
    expect(contained).toMatchObject({ riskTier: 'high', ownerId: 'owner-real', band: 'contain' });
    const [shadow] = await waitFor(
      () => incidentsOf(unregistered),
      (i) => i.length === 1,
      { what: 'the unregistered id as a shadow agent' },
    );
    expect(shadow).toMatchObject({ kind: 'shadow-agent', band: 'alert', status: 'open', actions: [] });
    expect(shadow.ownerId).toBeUndefined();
    // No connector ever hears of the unregistered id, even after the registered agent's receipt arrived.
    await waitFor(
      () => receiptsOf(highId),
      (r) => r.length === 1 && r[0].status === 'confirmed',
      { what: 'the registered agent’s receipt' },
    );
    expect(await receiptsOf(unregistered)).toEqual([]);
    expect(gateway.about(unregistered)).toEqual([]);
  }, 60000);

  it('an analyst logs out every agent of an owner, acknowledges and confirms; each decision is audited with who and why', async () => {
    const ownerId = `owner-${randomUUID().slice(0, 8)}`;
    const agents = [randomUUID(), randomUUID()];
    await announceAgents(
      harness,
      agents.map((agentId) => ({ agentId, ownerId, riskTier: 'high' as const })),
    );
    await knownToContainment(agents);

    const logout = await harness.request('POST', `/owners/${ownerId}/logout`, { reason: 'owner account taken over' }, ['soc-analyst']);
    expect(logout.status).toBe(202);
    expect(logout.body.incidents.map((i: { agentId: string }) => i.agentId).sort()).toEqual([...agents].sort());
    for (const agentId of agents)
      await waitFor(
        () => receiptsOf(agentId),
        (r) => r.length === 1 && r[0].status === 'confirmed',
        { what: 'the logout receipt' },
      );
    const announced = (await collectMessages(harness.kafka, harness.topic(Topics.ContainmentAction), 2, { settleMs: 500 }))
      .map((m) => JSON.parse(m.value))
      .filter((a) => agents.includes(a.agentId));
    expect(announced.map((a) => a.kind)).toEqual(['contain', 'contain']);
    expect(announced[0].requestedBy).toEqual({ type: 'analyst', actor: 'test-admin' });

    const [incident] = logout.body.incidents;
    const acknowledged = await harness.request('POST', `/incidents/${incident.incidentId}/acknowledge`, {}, ['soc-analyst']);
    expect(acknowledged.body).toMatchObject({ status: 'contained', acknowledgedBy: 'test-admin' });
    // While this incident holds the agent contained, a second (manual) one cannot release it behind its back.
    const second = await harness.request('POST', `/agents/${incident.agentId}/logout`, { reason: 'second look' }, ['soc-analyst']);
    expect((await harness.request('POST', `/incidents/${second.body.incidentId}/release`, { reason: 'x' }, ['soc-analyst'])).body).toMatchObject({
      status: 409,
      code: 'ILLEGAL_INCIDENT_TRANSITION',
    });
    const confirmed = await harness.request('POST', `/incidents/${incident.incidentId}/confirm`, { reason: 'credential stuffing confirmed' }, ['soc-analyst']);
    expect(confirmed.body).toMatchObject({ status: 'confirmed', severity: 'critical' });
    expect(confirmed.body.actions.map((a: { kind: string }) => a.kind)).toEqual(['contain', 'deprovision']);
    const detail = await harness.request('GET', `/incidents/${incident.incidentId}`, undefined, ['admin']);
    expect(detail.body.audit.map((a: { action: string; reason: string }) => [a.action, a.reason])).toEqual([
      ['incident.logout', 'owner account taken over'],
      ['incident.acknowledge', 'acknowledged'],
      ['incident.confirm', 'credential stuffing confirmed'],
    ]);
    expect(detail.body.audit.every((a: { actorType: string; actor: string }) => a.actorType === 'api' && a.actor === 'test-admin')).toBe(true);
    // The same audit API and verify answer as every service that records decisions.
    expect(
      (await harness.request('GET', `/audit?subjectType=agent&subjectId=${incident.agentId}`)).body.items.map((r: { action: string }) => r.action),
    ).toEqual(['logout.contain', 'logout.contain', 'logout.deprovision']);
    expect((await harness.request('GET', '/audit/verify')).body).toMatchObject({ ok: true });
    expect((await harness.request('POST', `/incidents/${incident.incidentId}/release`, { reason: 'oops' }, ['soc-analyst'])).status).toBe(409);

    expect((await harness.request('POST', `/owners/${ownerId}-nobody/logout`, { reason: 'x' }, ['soc-analyst'])).status).toBe(404);
    expect((await harness.request('POST', `/owners/${ownerId}/logout`, { reason: 'x' }, ['reviewer'])).status).toBe(403);
    expect((await harness.request('GET', `/incidents?status=nonsense`, undefined, ['soc-analyst'])).status).toBe(400);
    expect((await harness.request('GET', `/incidents/${randomUUID()}`, undefined, ['soc-analyst'])).body).toMatchObject({
      status: 404,
      code: 'INCIDENT_NOT_FOUND',
    });

    const page = await harness.request('GET', `/incidents?ownerId=${ownerId}&limit=1`, undefined, ['soc-analyst']);
    expect(page.body.items).toHaveLength(1);
    const next = await harness.request('GET', `/incidents?ownerId=${ownerId}&limit=1&cursor=${page.body.nextCursor}`, undefined, ['soc-analyst']);
    expect(next.body.items).toHaveLength(1);
    expect(next.body.items[0].incidentId).not.toBe(page.body.items[0].incidentId);
  }, 60000);

  it('a suspension in the registry reaches the connectors, and so does the reactivation that undoes it', async () => {
    const agentId = randomUUID();
    await announceAgents(harness, [{ agentId, ownerId: 'owner-suspended', riskTier: 'low' }]);
    await knownToContainment([agentId]);
    await announceAgents(harness, [{ agentId, ownerId: 'owner-suspended', riskTier: 'low', kind: 'agent.suspended', status: 'suspended' }]);
    await waitFor(
      () => receiptsOf(agentId),
      (r) => r.length === 1 && r[0].status === 'confirmed',
      { what: 'the suspension at the gateway' },
    );
    await announceAgents(harness, [{ agentId, ownerId: 'owner-suspended', riskTier: 'low', kind: 'agent.reactivated', status: 'active' }]);
    const receipts = await waitFor(
      () => receiptsOf(agentId),
      (r) => r.length === 2 && r.every((d) => d.status === 'confirmed'),
      { what: 'the reactivation at the gateway' },
    );
    expect(receipts.map((r) => [r.kind, r.origin])).toEqual([
      ['contain', 'lifecycle'],
      ['release', 'lifecycle'],
    ]);
    expect(gateway.about(agentId).map((r) => JSON.parse(r.body).kind)).toEqual(['contain', 'release']);
  }, 60000);

  it('only an admin changes policy: versioned, refused when stale or inconsistent, audited', async () => {
    const current = (await harness.request('GET', '/policy', undefined, ['admin'])).body;
    const change = { policy: current.policy, basedOnVersion: current.version, reason: 'quarterly review, unchanged' };
    expect((await harness.request('PUT', '/policy', change, ['soc-analyst'])).status).toBe(403);
    const inconsistent = {
      ...change,
      policy: { ...current.policy, tiers: { ...current.policy.tiers, high: { alert: 0.99, contain: 0.9, deprovision: null } } },
    };
    expect((await harness.request('PUT', '/policy', inconsistent, ['admin'])).body).toMatchObject({ status: 422, code: 'INVALID_POLICY' });
    expect((await harness.request('PUT', '/policy', { ...change, policy: { ...current.policy, cooldownSeconds: -1 } }, ['admin'])).status).toBe(400);

    const saved = await harness.request('PUT', '/policy', change, ['admin']);
    expect(saved.body).toMatchObject({ version: current.version + 1, createdBy: 'test-admin', reason: 'quarterly review, unchanged' });
    expect((await harness.request('PUT', '/policy', change, ['admin'])).body).toMatchObject({ status: 409, code: 'POLICY_VERSION_CONFLICT' });
    const versions = (await harness.request('GET', '/policy/versions?limit=2', undefined, ['soc-analyst'])).body.versions;
    expect(versions.map((v: { version: number }) => v.version)).toEqual([current.version + 1, current.version]);
    const [audit] = await withTestDatabase(
      async (c) =>
        (
          await c.query(`SELECT "actor", "reason" FROM "containment"."audit_log" WHERE "subject_type" = 'policy' AND "subject_id" = $1`, [
            String(current.version + 1),
          ])
        ).rows,
    );
    expect(audit).toEqual({ actor: 'test-admin', reason: 'quarterly review, unchanged' });
  }, 60000);
});
