import { randomUUID } from 'node:crypto';

import { Role } from '@agentgov/auth';
import { DLQ_HEADERS, dlqTopicOf, ServiceName, TopicPayloads, Topics } from '@agentgov/contracts';
import { anomalyEvent } from '@agentgov/service-testing';
import { waitFor } from '@agentgov/test-support';

import { BusRecord, eventRecord, withCeId } from './support/bus-principal';
import { HostileSystem } from './support/hostile-system';

type Identity = TopicPayloads['identity.lifecycle.v1'];
type Activity = TopicPayloads['agent.activity.v1'];

/** The documented cap: new shadow agents one source may have reported per hour, per scoring thread (one here). */
const SHADOW_REPORTS_PER_HOUR = 60;
const FLOOD = 300;
/** A score the high tier contains (from 0.97) and the low tier only alerts on (from 0.95; it never contains). */
const HIGH_CONTAINS_LOW_ALERTS = 0.98;

const identity = (kind: Identity['kind'], ownerId: string, at: number, reason = `hostile test ${kind}`): Identity => ({
  kind,
  ownerId,
  source: 'workday',
  occurredAt: new Date(at).toISOString(),
  reason,
});
const activity = (agentId: string, at: number): Activity => ({
  agentId,
  occurredAt: new Date(at).toISOString(),
  action: 'crm.records.read',
  resourceType: 'crm.contact',
  tool: 'crm-api',
  recordsTouched: 3,
  outcome: 'allowed',
});
const kinds = (rows: Array<{ kind: string }>) => rows.map((r) => r.kind);
/** The services that read identity.lifecycle.v1 through an inbox. */
const IDENTITY_CONSUMERS: ServiceName[] = ['provisioner', 'review-scheduler'];

/**
 * Attacks on the whole running system, as the rest of the hostile suite runs it (the four services as processes,
 * each on the broker's locked-down listener as its own principal), by someone holding a producer's credentials or
 * an analyst's token: forged and squatted producers, replayed and reordered lifecycle events, an id flood, a stale
 * release racing a new containment, and separation-of-duties violations. Each case is refused or neutralised and
 * nothing real is lost; where an assertion is about something not happening, a positive control of the same
 * pipeline is seen to happen after the attack first, so the absence means something.
 */
describe('forged and squatted producers, replays, floods, races and separation of duties, against the running system', () => {
  const system = new HostileSystem({
    provisioner: {},
    // One scoring thread: the shadow-agent cap is per thread, so the bound below is exact.
    'behavior-baseliner': { SCORING_THREADS: '1', SCORING_CHECKPOINT_INTERVAL_MS: '500' },
    // A call the gateway refuses waits for its retry as long as the gateway's Retry-After says (three seconds).
    containment: {},
    'review-scheduler': {},
  });
  const provisioner = () => system.harness('provisioner');

  beforeAll(() => system.start(), 120000);
  afterAll(() => system.stop(), 60000);

  afterEach(async () => {
    // Whatever an attack did, every service is still up and ready for the next one.
    const health = await system.health();
    for (const [name, h] of Object.entries(health)) expect({ name, ...h }).toEqual({ name, running: true, live: 200, ready: 200 });
  });

  const analyst = (sub: string, roles: Role[] = [Role.SocAnalyst]) => ({
    post: (path: string, body: unknown = { reason: `decided by ${sub}` }) => system.api('containment', 'POST', path, body, roles, sub),
  });

  it('forged producers: an agent gateway and the HR bridge are refused by the broker on every topic that ends access, and nothing changes', async () => {
    const ownerA = await system.createOwner();
    const target = await system.registerAgent(ownerA);
    const ownerB = await system.createOwner();
    const leaver = await system.registerAgent(ownerB);
    await system.learntEverywhere([target.id, leaver.id]);
    const token = await system.tokenOf(target);
    const gateway = await system.as('activity-gateway');
    const hr = await system.as('hr-bridge');

    // The attacker holds a gateway's credentials (or the HR bridge's) and writes, as valid CloudEvents, everything
    // that would end the target's access or its owner's: an owner termination, a deprovisioning instruction, a
    // near-certain anomaly, a registry announcement, a review revocation, and a poisoned dead letter for the
    // operator to replay. The broker must refuse each write: a consumer cannot tell who produced a message.
    const at = new Date().toISOString();
    const forged: Record<string, BusRecord> = {
      [Topics.IdentityLifecycle]: eventRecord(Topics.IdentityLifecycle, identity('owner.terminated', ownerA, Date.now() - 1000)),
      [Topics.ContainmentAction]: eventRecord(Topics.ContainmentAction, {
        actionId: randomUUID(),
        agentId: target.id,
        kind: 'deprovision',
        reason: 'forged',
        requestedBy: { type: 'analyst', actor: 'mallory' },
        occurredAt: at,
      }),
      [Topics.AgentAnomaly]: eventRecord(Topics.AgentAnomaly, anomalyEvent(target.id, { score: 0.9999, riskTier: 'critical' })),
      [Topics.AgentLifecycle]: eventRecord(Topics.AgentLifecycle, {
        kind: 'agent.deprovisioned',
        agentId: target.id,
        ownerId: ownerA,
        name: 'forged',
        purpose: 'crm-sync',
        platform: 'hostile-tests',
        riskTier: 'high',
        scopes: ['crm:read'],
        status: 'deprovisioned',
        occurredAt: at,
        cause: { type: 'api', actor: 'mallory' },
      }),
      [Topics.ReviewDecision]: eventRecord(Topics.ReviewDecision, {
        reviewId: randomUUID(),
        agentId: target.id,
        decision: 'revoke',
        removeScopes: [],
        decidedBy: 'mallory',
        occurredAt: at,
      }),
    };
    const poisoned = eventRecord(Topics.IdentityLifecycle, identity('owner.terminated', ownerA, Date.now() - 1000));
    const answers: Record<string, string> = {};
    const attempted: string[] = [];
    const attempt = async (who: typeof gateway, topic: string, record: BusRecord) => {
      attempted.push(record.ceId!);
      const outcome = await who.send(topic, [record]);
      answers[`${who.principal} → ${topic}`] = outcome.written ? 'written' : outcome.refusal;
    };
    for (const [topic, record] of Object.entries(forged)) await attempt(gateway, topic, record);
    await attempt(gateway, dlqTopicOf(Topics.IdentityLifecycle), poisoned);
    // The HR bridge may write owner lifecycle, and nothing that acts on an agent directly.
    for (const topic of [Topics.ContainmentAction, Topics.AgentAnomaly, Topics.AgentLifecycle, Topics.ReviewDecision]) {
      await attempt(hr, topic, withCeId(forged[topic]!, randomUUID()));
    }
    expect(answers).toEqual(Object.fromEntries(Object.keys(answers).map((k) => [k, 'TOPIC_AUTHORIZATION_FAILED'])));

    // Positive controls, after the attack, by the same principals on what they may write: the gateway's activity is
    // scored, and the HR bridge's termination of another owner cascades to their agent and every connected system.
    await gateway.sendAll(Topics.AgentActivity, [eventRecord(Topics.AgentActivity, activity(target.id, Date.now() - 5000), { source: '/gateways/one' })]);
    const termination = eventRecord(Topics.IdentityLifecycle, identity('owner.terminated', ownerB, Date.now() - 1000));
    await hr.sendAll(Topics.IdentityLifecycle, [termination]);
    await system.waitForAgentStatus(leaver.id, 'deprovisioned', 'the HR bridge’s real termination to cascade');
    await waitFor(
      () => system.api('behavior-baseliner', 'GET', `/agents/${target.id}/baseline`, undefined, [Role.SocAnalyst]),
      (r) => r.status === 200 && r.body.eventsLearnt === 1,
      { what: 'the gateway’s real activity scored' },
    );
    await system.quiesce('after the forged writes');
    await system.log.caughtUp(system.admin);
    expect(kinds(await system.actionsOf([leaver.id]))).toEqual(['deprovision']);

    // Not one forged record is anywhere on the bus, and the target and its owner are untouched everywhere.
    expect(attempted).toHaveLength(10);
    expect(system.log.withIds(attempted)).toEqual([]);
    expect({ owner: await system.ownerStatus(ownerA), agent: await system.agentStatus(target.id), tokenActive: await system.isActive(token) }).toEqual({
      owner: 'active',
      agent: 'active',
      tokenActive: true,
    });
    expect(await system.registryCopies(target.id)).toEqual({
      'behavior-baseliner': { riskTier: 'high', status: 'active' },
      containment: { riskTier: 'high', status: 'active' },
      'review-scheduler': { riskTier: 'high', status: 'active' },
    });
    expect(await system.query(`SELECT "status" FROM "review_scheduler"."owners" WHERE "owner_id" = $1 AND "status" <> 'active'`, [ownerA])).toEqual([]);
    expect(await system.incidentsOf(target.id)).toEqual([]);
    expect(await system.actionsOf([target.id])).toEqual([]);
    expect(system.gatewayCalls(target.id)).toEqual([]);
  }, 90000);

  it('a squatted event id: the real offboarding behind it is dead-lettered whole and alerted on by every consumer, never dropped as a duplicate; an exact replay is a harmless duplicate', async () => {
    const owner = await system.createOwner();
    const agent = await system.registerAgent(owner);
    const decoy = await system.createOwner();
    await system.learntEverywhere([agent.id]);
    const hr = await system.as('hr-bridge');
    const reused = () => Promise.all(IDENTITY_CONSUMERS.map((s) => system.metric(s, 'event_id_reused_total', { topic: Topics.IdentityLifecycle })));
    const reusedBefore = await reused();

    // Someone who may write identity.lifecycle.v1 learns (or guesses) the id the HR system will give an offboarding
    // and sends first an innocuous event under it (a decoy's reinstatement), hoping every inbox then takes the real
    // termination for a repeat of it and drops it, keeping the leaver's agents alive.
    const id = randomUUID();
    const squat = eventRecord(Topics.IdentityLifecycle, identity('owner.reinstated', decoy, Date.now() - 2000, 'routine sync'), { id, source: '/hr/squatter' });
    await hr.sendAll(Topics.IdentityLifecycle, [squat]);
    await system.consumedEverywhere(Topics.IdentityLifecycle, id);
    const real = eventRecord(Topics.IdentityLifecycle, identity('owner.terminated', owner, Date.now() - 1000, 'left the company'), {
      id,
      source: '/hr/workday',
    });
    await hr.sendAll(Topics.IdentityLifecycle, [real]);

    // Every consumer group dead-letters it, with the reason, byte for byte: nothing of it is lost.
    const dead = await waitFor(
      async () => system.log.of(dlqTopicOf(Topics.IdentityLifecycle), (r) => r.ceId === id),
      (records) => records.length === 2,
      { timeoutMs: 30000, what: 'the real termination dead-lettered by both consumers' },
    );
    expect(dead.map((d) => d.headers[DLQ_HEADERS.consumerGroup]).sort()).toEqual(
      [system.groupOf('provisioner', Topics.IdentityLifecycle), system.groupOf('review-scheduler', Topics.IdentityLifecycle)].sort(),
    );
    for (const d of dead) {
      expect(d.headers[DLQ_HEADERS.error]).toMatch(
        new RegExp(`^NonRetryableError: event id ${id} was already used by another event .* with different content$`),
      );
      expect({ key: d.key, value: d.value?.toString('utf8') }).toEqual({ key: real.key, value: real.value });
    }
    // Not applied under the squatter's cover either: it waits in the DLQ for the operator, the owner unchanged.
    expect({ owner: await system.ownerStatus(owner), agent: await system.agentStatus(agent.id) }).toEqual({ owner: 'active', agent: 'active' });

    // The operator finds it (deploy/README.md, AgentgovEventIdReused) and has HR send the genuine event again under
    // an id of its own, from the dead letter's bytes: the offboarding takes effect everywhere.
    const resent = withCeId({ key: dead[0]!.key, value: dead[0]!.value, headers: { ...real.headers } }, randomUUID());
    await hr.sendAll(Topics.IdentityLifecycle, [resent]);
    await system.waitForAgentStatus(agent.id, 'deprovisioned', 'the re-sent termination to cascade');
    await system.consumedEverywhere(Topics.IdentityLifecycle, resent.ceId!);
    expect(await system.ownerStatus(owner)).toBe('terminated');
    await system.quiesce('after the re-sent termination');

    // An exact replay of that real event (same id, same bytes), as an attacker or a sender's retry would send it:
    // both consumers take it (their committed offsets pass it) and it has no effect of its own.
    await system.log.caughtUp(system.admin);
    const announcedBefore = system.log.of(Topics.AgentLifecycle, (r) => r.data?.agentId === agent.id).length;
    const [replayed] = await hr.sendAll(Topics.IdentityLifecycle, [resent]);
    for (const service of IDENTITY_CONSUMERS) {
      await system.consumedPast(service, Topics.IdentityLifecycle, replayed!.partition, replayed!.offset);
    }
    await system.quiesce('after the exact replay');
    await system.log.caughtUp(system.admin);
    expect(system.log.of(dlqTopicOf(Topics.IdentityLifecycle), (r) => r.ceId === resent.ceId)).toEqual([]);
    expect(system.log.of(Topics.AgentLifecycle, (r) => r.data?.agentId === agent.id)).toHaveLength(announcedBefore);
    expect(
      await system.query(`SELECT "action" FROM "provisioner"."audit_log" WHERE "cause_event_id" = $1 AND "subject_type" = 'owner'`, [resent.ceId]),
    ).toEqual([{ action: 'owner.terminated' }]);
    expect(kinds(await system.actionsOf([agent.id]))).toEqual(['deprovision']);

    // And the squatting was alerted on: each consumer counted the dead letter (before publishing it) on the metric
    // the AgentgovEventIdReused alert watches (deploy/README.md), on the /metrics Prometheus scrapes.
    expect(await reused()).toEqual(reusedBefore.map((n) => n + 1));
  }, 90000);

  it('a stale registration replayed after a tier raise lowers the tier nowhere: a score that contains a high-tier agent still contains it', async () => {
    const owner = await system.createOwner();
    const agent = await system.registerAgent(owner, { riskTier: 'low' });
    await system.learntEverywhere([agent.id]);
    const [registered] = await waitFor(
      async () => system.log.of(Topics.AgentLifecycle, (r) => r.data?.agentId === agent.id && r.data.kind === 'agent.registered'),
      (records) => records.length === 1,
      { what: 'the registration announced' },
    );
    expect((await system.api('provisioner', 'PATCH', `/agents/${agent.id}`, { riskTier: 'high' })).status).toBe(200);
    const high = { riskTier: 'high', status: 'active' };
    await waitFor(
      () => system.registryCopies(agent.id),
      (copies) => Object.values(copies).every((c) => c?.riskTier === 'high'),
      { what: 'every copy of the registry to learn the raised tier' },
    );

    // The registry's own earlier announcement (tier low) comes again under a fresh id, after the raise: a re-sent
    // backlog, a restored outbox, or whoever holds the registry's producer credentials. If any copy took it, an
    // agent the registry calls high-risk would be judged as low-risk: alerted on, never contained.
    const staleId = randomUUID();
    await provisioner().publish(Topics.AgentLifecycle, [{ data: registered!.data, id: staleId }]);
    await system.consumedEverywhere(Topics.AgentLifecycle, staleId);
    expect(await system.registryCopies(agent.id)).toEqual({ 'behavior-baseliner': high, containment: high, 'review-scheduler': high });

    // The baseliner reports a score the high tier contains and the low tier only alerts on: contained.
    await provisioner().publish(Topics.AgentAnomaly, [{ data: anomalyEvent(agent.id, { score: HIGH_CONTAINS_LOW_ALERTS }) }]);
    const [incident] = await waitFor(
      () => system.incidentsOf(agent.id),
      (items) => items[0]?.status === 'contained',
      { what: 'the high-tier agent contained' },
    );
    expect(incident).toMatchObject({ riskTier: 'high', band: 'contain', severity: 'high' });
    await system.waitForAgentStatus(agent.id, 'suspended', 'the registry to suspend the contained agent');
  }, 60000);

  it('a stale reactivation replayed after a suspension re-enables the agent at no connected system', async () => {
    const owner = await system.createOwner();
    const agent = await system.registerAgent(owner);
    await system.learntEverywhere([agent.id]);
    const [registered] = await waitFor(
      async () => system.log.of(Topics.AgentLifecycle, (r) => r.data?.agentId === agent.id && r.data.kind === 'agent.registered'),
      (records) => records.length === 1,
      { what: 'the registration announced' },
    );
    // An admin suspends the agent in the registry; containment logs it out at the gateway.
    expect((await system.api('provisioner', 'POST', `/agents/${agent.id}/suspend`, { reason: 'suspected key leak' })).status).toBe(200);
    await waitFor(
      async () => system.gatewayCalls(agent.id).map((c) => c.kind),
      (calls) => calls.join() === 'contain',
      { what: 'the suspension at the gateway' },
    );

    // A reactivation dated before that suspension (between the registration and it) arrives under a fresh id: an
    // old event sent again. Applied, it would tell every connected system to let the suspended agent back in.
    const staleId = randomUUID();
    const stale = {
      ...(registered!.data as TopicPayloads['agent.lifecycle.v1']),
      kind: 'agent.reactivated' as const,
      status: 'active' as const,
      occurredAt: new Date(Date.parse(registered!.data.occurredAt) + 1).toISOString(),
    };
    await provisioner().publish(Topics.AgentLifecycle, [{ data: stale, id: staleId }]);
    await system.consumedEverywhere(Topics.AgentLifecycle, staleId);
    const suspended = { riskTier: 'high', status: 'suspended' };
    expect(await system.registryCopies(agent.id)).toEqual({ 'behavior-baseliner': suspended, containment: suspended, 'review-scheduler': suspended });
    // Containment decides in the inbox transaction of the event: had it released the agent, the action would be here.
    expect((await system.actionsOf([agent.id])).map((a) => [a.kind, a.origin])).toEqual([['contain', 'lifecycle']]);
    expect(system.gatewayCalls(agent.id).map((c) => c.kind)).toEqual(['contain']);

    // Positive control: the registry's real reactivation does reach the gateway.
    expect((await system.api('provisioner', 'POST', `/agents/${agent.id}/reactivate`, { reason: 'key rotated' })).status).toBe(200);
    await waitFor(
      async () => system.gatewayCalls(agent.id).map((c) => c.kind),
      (calls) => calls.join() === 'contain,release',
      { what: 'the real reactivation at the gateway' },
    );
  }, 60000);

  it('a stale reinstatement sent by the HR bridge after a termination undoes it nowhere', async () => {
    const owner = await system.createOwner();
    const agent = await system.registerAgent(owner);
    await system.learntEverywhere([agent.id]);
    const token = await system.tokenOf(agent);
    const hr = await system.as('hr-bridge');
    const terminatedAt = Date.now() - 1000;
    const termination = eventRecord(Topics.IdentityLifecycle, identity('owner.terminated', owner, terminatedAt));
    await hr.sendAll(Topics.IdentityLifecycle, [termination]);
    await system.waitForAgentStatus(agent.id, 'deprovisioned', 'the termination to cascade');
    await system.consumedEverywhere(Topics.IdentityLifecycle, termination.ceId!);

    // The HR bridge (or whoever holds its credentials) sends, under a fresh id, a reinstatement dated an hour before
    // the termination: an old event, legitimately writable, that must not bring the leaver back.
    const stale = eventRecord(Topics.IdentityLifecycle, identity('owner.reinstated', owner, terminatedAt - 3_600_000));
    await hr.sendAll(Topics.IdentityLifecycle, [stale]);
    await system.consumedEverywhere(Topics.IdentityLifecycle, stale.ceId!);

    // The provisioner records it as stale and changes nothing: the owner stays terminated, the agent deprovisioned,
    // its token dead.
    expect(await system.query(`SELECT "action" FROM "provisioner"."audit_log" WHERE "cause_event_id" = $1`, [stale.ceId])).toEqual([
      { action: 'owner.lifecycle-ignored-as-stale' },
    ]);
    expect({ owner: await system.ownerStatus(owner), agent: await system.agentStatus(agent.id), tokenActive: await system.isActive(token) }).toEqual({
      owner: 'terminated',
      agent: 'deprovisioned',
      tokenActive: false,
    });
    // The review-scheduler's copy of the owner (a terminated owner's agents are reviewed by their manager) holds too.
    expect(await system.query(`SELECT "status" FROM "review_scheduler"."owners" WHERE "owner_id" = $1`, [owner])).toEqual([{ status: 'terminated' }]);
  }, 60000);

  it(`an id flood from one gateway: at most ${SHADOW_REPORTS_PER_HOUR} shadow-agent reports, nothing logged out, and real agents are still scored`, async () => {
    const owner = await system.createOwner();
    const real = await system.registerAgent(owner);
    await system.learntEverywhere([real.id]);
    const gateway = await system.as('activity-gateway');
    const tag = randomUUID().slice(0, 8);

    // A gateway (or whoever holds its credentials) sends activity for hundreds of invented agent ids: each would be
    // a shadow-agent incident for the SOC, and containment must never act on a name the registry never announced.
    const floodIds = Array.from({ length: FLOOD }, (_, i) => `flood-${tag}-${i}`);
    const at = Date.now() - 60_000;
    const flooder = `/gateways/flooder-${tag}`;
    const sent = await gateway.send(
      Topics.AgentActivity,
      floodIds.map((agentId) => eventRecord(Topics.AgentActivity, activity(agentId, at), { source: flooder })),
    );
    expect(sent.written).toBe(true);
    // Positive controls after it, from another gateway: a real agent's activity, and one id nobody registered.
    const elsewhere = `shadow-${tag}-elsewhere`;
    const honest = `/gateways/honest-${tag}`;
    await gateway.sendAll(Topics.AgentActivity, [
      eventRecord(Topics.AgentActivity, activity(real.id, at + 1000), { source: honest }),
      eventRecord(Topics.AgentActivity, activity(elsewhere, at + 1000), { source: honest }),
    ]);
    await system.quiesce('the flood scored and every report handled');
    await system.log.caughtUp(system.admin);

    // Reports are capped at the rate for the flooding source; every one is a shadow-agent alert, never an action.
    const reported = system.log.of(Topics.AgentAnomaly, (r) => floodIds.includes(r.data?.agentId));
    expect(reported).toHaveLength(SHADOW_REPORTS_PER_HOUR);
    expect(new Set(reported.map((r) => r.data.kind))).toEqual(new Set(['shadow-agent']));
    const incidents = await system.query(
      `SELECT "kind", "band", "status", count(*)::int AS "n" FROM "containment"."incidents" WHERE "agent_id" = ANY($1) GROUP BY 1, 2, 3`,
      [floodIds],
    );
    expect(incidents).toEqual([{ kind: 'shadow-agent', band: 'alert', status: 'open', n: SHADOW_REPORTS_PER_HOUR }]);
    expect(await system.actionsOf(floodIds)).toEqual([]);
    expect(system.log.of(Topics.ContainmentAction, (r) => floodIds.includes(r.data?.agentId))).toEqual([]);
    expect(floodIds.flatMap((id) => system.gatewayCalls(id))).toEqual([]);

    // The cap is the flooder's alone: the other gateway's unknown id is reported, and the real agent scored.
    expect((await system.incidentsOf(elsewhere)).map((i) => [i.kind, i.band])).toEqual([['shadow-agent', 'alert']]);
    const baseline = await system.api('behavior-baseliner', 'GET', `/agents/${real.id}/baseline`, undefined, [Role.SocAnalyst]);
    expect(baseline.body).toMatchObject({ registered: true, eventsLearnt: 1 });
  }, 90000);

  it('a stale release waiting at a connector that is down never re-enables the agent after a later containment', async () => {
    const owner = await system.createOwner();
    const agent = await system.registerAgent(owner);
    const bystander = await system.registerAgent(owner);
    await system.learntEverywhere([agent.id, bystander.id]);
    const before = await system.tokenOf(agent);
    const gatewayReceipts = async () => (await system.receiptsOf(agent.id)).filter((r) => r.target === system.connectors.gateway);
    // The gateway is down for releases of this agent.
    system.gatewayDownFor = (call) => call.agentId === agent.id && call.kind === 'release';

    const first = await analyst('analyst-a').post(`/agents/${agent.id}/logout`, { reason: 'suspicious export' });
    expect(first.status).toBe(202);
    await waitFor(gatewayReceipts, (r) => r.length === 1 && r[0]!.status === 'confirmed', { what: 'the first containment at the gateway' });
    await system.waitForAgentStatus(agent.id, 'suspended', 'the registry to suspend the agent');
    expect(await system.isActive(before)).toBe(false);

    // Another analyst releases it; the release reaches the registry but waits for its retry at the gateway.
    expect((await analyst('analyst-b').post(`/incidents/${first.body.incidentId}/release`, { reason: 'false positive' })).body).toMatchObject({
      status: 'released',
    });
    await waitFor(gatewayReceipts, (r) => r[1]?.kind === 'release' && r[1].status === 'retrying', { what: 'the release waiting for its retry' });
    await system.waitForAgentStatus(agent.id, 'active', 'the registry to reactivate the agent');
    const during = await system.tokenOf(agent);

    // While it waits, the agent is contained again, and the gateway comes back up. A release delivered now would
    // let back in an agent the SOC has just shut out.
    const second = await analyst('analyst-c').post(`/agents/${agent.id}/logout`, { reason: 'it did it again' });
    expect(second.status).toBe(202);
    system.gatewayDownFor = () => false;
    const receipts = await waitFor(gatewayReceipts, (r) => r.length === 3 && r.every((d) => !['pending', 'retrying'].includes(d.status)), {
      timeoutMs: 30000,
      what: 'every gateway receipt final',
    });
    expect(receipts.map((r) => [r.kind, r.status])).toEqual([
      ['contain', 'confirmed'],
      ['release', 'superseded'],
      ['contain', 'confirmed'],
    ]);
    expect(receipts[1]!.reason).toMatch(/^superseded by a later contain/);
    await system.waitForAgentStatus(agent.id, 'suspended', 'the registry to suspend the agent again');
    expect({ before: await system.isActive(before), during: await system.isActive(during) }).toEqual({ before: false, during: false });

    // Once the stale release's retry was due, the dispatcher goes on calling the gateway (a later logout of another
    // agent arrives there), and the release never went out again: the gateway's last word on the agent is contain.
    const due = receipts[1]!.next_attempt_at.getTime();
    await waitFor(
      async () => Date.now(),
      (now) => now > due,
      { what: 'the stale release’s retry time to pass' },
    );
    expect((await analyst('analyst-c').post(`/agents/${bystander.id}/logout`, { reason: 'same campaign' })).status).toBe(202);
    await waitFor(
      async () => system.gatewayCalls(bystander.id).length,
      (n) => n === 1,
      { what: 'a later call to reach the gateway' },
    );
    const calls = system.gatewayCalls(agent.id);
    expect(calls.map((c) => c.kind)).toEqual(['contain', 'release', 'contain']);
    expect(calls[1]!.at).toBeLessThan(calls[2]!.at);
    expect(calls[0]!.sequence!).toBeLessThan(calls[1]!.sequence!);
    expect(calls[1]!.sequence!).toBeLessThan(calls[2]!.sequence!);
    expect(await system.agentStatus(agent.id)).toBe('suspended');
  }, 90000);

  it('separation of duties: the analyst who ordered a containment cannot release it, not even with an admin token; another analyst can', async () => {
    const owner = await system.createOwner();
    const agent = await system.registerAgent(owner);
    await system.learntEverywhere([agent.id]);
    const ordered = await analyst('analyst-a').post(`/agents/${agent.id}/logout`, { reason: 'looks compromised' });
    expect(ordered.status).toBe(202);
    await system.waitForAgentStatus(agent.id, 'suspended', 'the containment in the registry');

    // The analyst who shut the agent out tries to let it back in alone, as an analyst and then with an admin token.
    const incident = ordered.body.incidentId;
    for (const roles of [[Role.SocAnalyst], [Role.Admin]]) {
      expect(await analyst('analyst-a', roles).post(`/incidents/${incident}/release`)).toMatchObject({ status: 403, body: { code: 'SEPARATION_OF_DUTIES' } });
    }
    // Refused in the decision's own transaction: no release action exists, the incident is still contained.
    expect(kinds(await system.actionsOf([agent.id]))).toEqual(['contain']);
    expect((await system.api('containment', 'GET', `/incidents/${incident}`, undefined, [Role.SocAnalyst])).body.status).toBe('contained');

    // Positive control: a second analyst's release goes all the way to the registry.
    expect((await analyst('analyst-b').post(`/incidents/${incident}/release`)).body).toMatchObject({ status: 'released' });
    await system.waitForAgentStatus(agent.id, 'active', 'the release in the registry');
  }, 60000);

  it('separation of duties above the policy score: who acknowledged and asked cannot also release; the release covers only the episodes the analysts saw', async () => {
    // The policy's threshold for two analysts (0.99 when a policy from before it existed does not say).
    const policy = (await system.api('containment', 'GET', '/policy')).body.policy;
    const score = 0.995;
    expect(score).toBeGreaterThanOrEqual(policy.releaseNeedsSecondAnalystFrom ?? 0.99);
    const owner = await system.createOwner();
    const agent = await system.registerAgent(owner);
    await system.learntEverywhere([agent.id]);
    const seen = randomUUID();
    await provisioner().publish(Topics.AgentAnomaly, [{ data: anomalyEvent(agent.id, { episodeId: seen, score }) }]);
    const [incident] = await waitFor(
      () => system.incidentsOf(agent.id),
      (items) => items[0]?.status === 'contained',
      { what: 'the policy containment' },
    );
    await system.waitForAgentStatus(agent.id, 'suspended', 'the containment in the registry');
    const id = incident.incidentId;

    // One analyst acknowledges, asks for the release, then tries to approve it too.
    expect((await analyst('analyst-a').post(`/incidents/${id}/acknowledge`, {})).body).toMatchObject({ acknowledgedBy: 'analyst-a' });
    expect((await analyst('analyst-a').post(`/incidents/${id}/release`)).body).toMatchObject({ status: 'contained', releaseRequest: { by: 'analyst-a' } });
    expect(await analyst('analyst-a').post(`/incidents/${id}/release`)).toMatchObject({ status: 403, body: { code: 'SEPARATION_OF_DUTIES' } });
    expect(kinds(await system.actionsOf([agent.id]))).toEqual(['contain']);
    expect(await system.agentStatus(agent.id)).toBe('suspended');

    // A second analyst releases it (positive control: the release reaches the registry).
    expect((await analyst('analyst-b').post(`/incidents/${id}/release`)).body).toMatchObject({ status: 'released' });
    await system.waitForAgentStatus(agent.id, 'active', 'the release in the registry');

    // Within the cooldown, the episode they saw, at a score no higher than they released, stays released; a new
    // episode the analysts never saw is judged by policy again and contained: a release is not immunity.
    await provisioner().publish(Topics.AgentAnomaly, [
      { data: anomalyEvent(agent.id, { episodeId: seen, score: 0.99, episodeState: 'ongoing' }) },
      { data: anomalyEvent(agent.id, { score: HIGH_CONTAINS_LOW_ALERTS }) },
    ]);
    await waitFor(
      () => system.incidentsOf(agent.id),
      (items) => items[0]?.status === 'contained',
      { what: 'the unseen episode contained' },
    );
    const actions = await system.actionsOf([agent.id]);
    expect(kinds(actions)).toEqual(['contain', 'release', 'contain']);
    expect(actions[2]!.reason).toMatch(/^score 0\.980 reached the contain band/);
    await system.waitForAgentStatus(agent.id, 'suspended', 'the new containment in the registry');
  }, 60000);

  it('separation of duties: a release request stands only for what its analyst saw, so a worse episode joining after it cannot be released by one analyst', async () => {
    const owner = await system.createOwner();
    const agent = await system.registerAgent(owner);
    await system.learntEverywhere([agent.id]);
    await provisioner().publish(Topics.AgentAnomaly, [{ data: anomalyEvent(agent.id, { score: 0.995 }) }]);
    const [incident] = await waitFor(
      () => system.incidentsOf(agent.id),
      (items) => items[0]?.status === 'contained',
      { what: 'the policy containment' },
    );
    const id = incident.incidentId;
    expect((await analyst('analyst-a').post(`/incidents/${id}/release`, { reason: 'the nightly export, expected' })).body).toMatchObject({
      status: 'contained',
      releaseRequest: { by: 'analyst-a' },
    });

    // Then the agent does far worse: a new episode joins the contained incident. Analyst A asked to release an
    // agent that ran its nightly export; analyst B, alone, now "approves" a release that would also cover this.
    await provisioner().publish(Topics.AgentAnomaly, [
      { data: anomalyEvent(agent.id, { score: 0.9999, summary: `agent ${agent.id} exported 40,000 records to an unknown host` }) },
    ]);
    await waitFor(
      () => system.incidentsOf(agent.id),
      (items) => items[0]?.score === 0.9999,
      { what: 'the worse episode to join the contained incident' },
    );
    await analyst('analyst-b').post(`/incidents/${id}/release`, { reason: 'approving the release asked for' });

    // Two analysts must both have seen what is released: B's call alone releases nothing.
    expect({
      incident: (await system.api('containment', 'GET', `/incidents/${id}`, undefined, [Role.SocAnalyst])).body.status,
      actions: kinds(await system.actionsOf([agent.id])),
    }).toEqual({ incident: 'contained', actions: ['contain'] });
    expect(await system.agentStatus(agent.id)).toBe('suspended');
  }, 60000);
});
