import { generateKeyPairSync, KeyObject, randomUUID } from 'node:crypto';

import { CompactSign } from 'jose';

import { Topics } from '@agentgov/contracts';
import { ExportedSpan, OTLP_SPAN_KIND, OtlpTraceReceiver } from '@agentgov/service-testing';
import { waitFor } from '@agentgov/test-support';

import { E2eSystem, realWorld, RegisteredAgent } from './support/e2e-system';

const OKTA_SECRET = `okta-hook-${randomUUID()}`;
const OKTA_DEACTIVATE = realWorld('okta/system-log.user.lifecycle.deactivate.json');
const OKTA_DELIVERY = realWorld('okta/event-hook-envelope.user.session.start.json');
const SCIM_DEACTIVATION = realWorld('scim/okta-style.patch-active-false.json');
const RISC_ACCOUNT_DISABLED = realWorld('ssf/risc.account-disabled.phone-subject.json');
const transmitter = generateKeyPairSync('ec', { namedCurve: 'P-256' });

/**
 * Owner offboarding end to end: the four services as processes on the real broker and database, driven only as
 * their users drive them (HR and IdP systems through the ingest adapters and identity.lifecycle.v1, admins and
 * analysts through the APIs), observed only where users observe them (the APIs, introspection, the connected
 * systems, the topics, the exported traces).
 */
describe('owner offboarding: an HR event ends every agent and sub-agent of the owner, everywhere, in one trace', () => {
  const otlp = new OtlpTraceReceiver();
  let system: E2eSystem;

  beforeAll(async () => {
    await otlp.start();
    system = new E2eSystem({
      // Every service exports its spans to the receiver, in batches of at most 200 ms.
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint, OTEL_BSP_SCHEDULE_DELAY: '200' },
      services: {
        provisioner: {
          OKTA_EVENT_HOOK_SECRET: OKTA_SECRET,
          SSF_TRANSMITTER_PUBLIC_KEY: transmitter.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
          SSF_TRANSMITTER_ISSUER: RISC_ACCOUNT_DISABLED.iss,
          SSF_AUDIENCE: RISC_ACCOUNT_DISABLED.aud,
        },
      },
    });
    await system.start();
  }, 120000);
  afterAll(async () => {
    await system?.stop();
    await otlp.stop();
  }, 60000);

  /** An owner with a tree: a root agent, its sub-agent and that one's sub-agent; and a second root agent. Each holds a token. */
  async function ownerWithAgents(ownerExtra: Record<string, unknown> = {}) {
    const ownerId = await system.createOwner(ownerExtra);
    const root = await system.registerAgent(ownerId, { riskTier: 'high' });
    const sub = await system.registerAgent(ownerId, { parentAgentId: root.id, scopes: ['crm.read'] });
    const subSub = await system.registerAgent(ownerId, { parentAgentId: sub.id, scopes: ['crm.read'] });
    const second = await system.registerAgent(ownerId, { riskTier: 'low' });
    const agents = [root, sub, subSub, second];
    const tokens = new Map<string, string>();
    for (const agent of agents) tokens.set(agent.id, await system.tokenOf(agent));
    for (const token of tokens.values()) expect(await system.isActive(token)).toBe(true);
    return { ownerId, agents, tokens };
  }

  /** What a user sees once the cascade is done: deprovisioned, tokens dead, logged out at every connected system with a receipt each. */
  async function expectOffboarded(agents: RegisteredAgent[], tokens: Map<string, string>, cause: string): Promise<void> {
    const ids = agents.map((a) => a.id);
    await system.waitForStatuses(ids, 'deprovisioned', `the cascade of ${cause}`);
    for (const agent of agents) expect(await system.isActive(tokens.get(agent.id)!)).toBe(false);
    // One agent.deprovisioned per agent, on the registry's topic.
    const deprovisioned = await system.recorder.await(
      Topics.AgentLifecycle,
      (e) => ids.includes(e.agentId) && e.kind === 'agent.deprovisioned',
      ids.length,
      'agent.deprovisioned events',
    );
    expect(deprovisioned.map((e) => e.data.agentId).sort()).toEqual([...ids].sort());
    // Universal logout: every connector has its receipt, confirmed; the issuer's without a call (the registry ended the tokens itself).
    await waitFor(
      () => system.receipts(ids),
      (r) => r.length === ids.length * 3 && r.every((x) => x.status === 'confirmed'),
      { timeoutMs: 30000, what: `receipts of ${cause}` },
    );
    expect(await system.receipts(ids)).toEqual(ids.sort().flatMap((id) => system.expectedReceipts(id, 'deprovision', 'lifecycle')));
    for (const id of ids) {
      expect(system.webhookKinds(id)).toEqual(['deprovision']);
      expect(await system.ssfEventsAbout(id)).toEqual(['credential-change', 'session-revoked']);
    }
    // One lifecycle event per agent for the whole offboarding: no second revocation round trip through the
    // issuer connector (which would add an audit row and an agent.credentials-revoked per agent).
    const afterRegistration = system.recorder.of(Topics.AgentLifecycle, (e) => ids.includes(e.agentId) && e.kind !== 'agent.registered');
    expect(afterRegistration.map((e) => e.data.kind)).toEqual(ids.map(() => 'agent.deprovisioned'));
  }

  it('identity.lifecycle.v1 owner.terminated: the owner’s agents, their sub-agents (whoever owns them) deprovisioned, tokens inactive, logged out everywhere, reviews closed; nobody else touched', async () => {
    const managerId = await system.createOwner();
    const { ownerId, agents, tokens } = await ownerWithAgents({ managerId });
    const keeperId = await system.createOwner();
    // A sub-agent under the leaver's agent, accountable to someone else: it cannot outlive its parent's access.
    const foreignSub = await system.registerAgent(keeperId, { parentAgentId: agents[0].id, scopes: ['crm.read'] });
    const untouched = await system.registerAgent(keeperId);
    tokens.set(foreignSub.id, await system.tokenOf(foreignSub));
    const untouchedToken = await system.tokenOf(untouched);
    const ended = [...agents, foreignSub];

    // A certification campaign over the leaver's agents is under way at the review-scheduler.
    await system.learntEverywhere([...ended, untouched].map((a) => a.id));
    const campaign = await system.call(system.reviewScheduler, 'POST', '/campaigns', { name: `leaver ${ownerId}`, filter: { ownerId } });
    expect(campaign).toMatchObject({ total: agents.length, open: agents.length });

    const [eventId] = await system.provisioner.publish(Topics.IdentityLifecycle, [
      { data: { kind: 'owner.terminated', ownerId, source: 'workday', occurredAt: new Date().toISOString(), reason: 'last working day' } },
    ]);

    await expectOffboarded(ended, tokens, 'owner.terminated');
    expect(await system.call(system.provisioner, 'GET', `/owners/${ownerId}`)).toMatchObject({ id: ownerId, status: 'terminated' });
    const changes = system.recorder.of(Topics.AgentLifecycle, (e) => ended.some((a) => a.id === e.agentId) && e.kind === 'agent.deprovisioned');
    expect(changes.every((e) => e.data.cause.eventId === eventId && e.data.status === 'deprovisioned')).toBe(true);
    // The tree as the registry reports it: every agent of the owner, every descendant, deprovisioned.
    const tree = await system.call(system.provisioner, 'GET', `/owners/${ownerId}/agents`);
    const listed = (tree.items ?? tree) as Array<{ id: string; status: string }>;
    expect(listed.map((a) => a.id).sort()).toEqual(ended.map((a) => a.id).sort());
    expect(listed.every((a) => a.status === 'deprovisioned')).toBe(true);
    // The campaign's reviews closed with their agents.
    const progress = await waitFor(
      () => system.call(system.reviewScheduler, 'GET', `/campaigns/${campaign.id}`),
      (c) => c.open === 0,
      { what: 'the campaign’s reviews to close' },
    );
    expect(progress).toMatchObject({ total: agents.length, open: 0, closedWithoutDecision: agents.length });

    // The keeper's own agent is untouched everywhere.
    expect(await system.statusOf(untouched.id)).toBe('active');
    expect(await system.isActive(untouchedToken)).toBe(true);
    expect(system.webhookKinds(untouched.id)).toEqual([]);
    expect(await system.receipts([untouched.id])).toEqual([]);
  }, 90000);

  describe('an HR event through each ingest adapter', () => {
    async function okta(body: unknown) {
      const response = await fetch(`${system.provisioner.url}/hooks/okta`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: OKTA_SECRET },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as any };
    }

    /** Okta's published user.lifecycle.deactivate about our user: only the target (the user deactivated) is ours. */
    function oktaDeactivation(oktaUserId: string, email: string) {
      return {
        ...OKTA_DELIVERY,
        eventId: randomUUID(),
        data: { events: [{ ...OKTA_DEACTIVATE, target: [{ ...OKTA_DEACTIVATE.target[0], id: oktaUserId, alternateId: email }] }] },
      };
    }

    async function scim(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
      const response = await fetch(`${system.provisioner.url}/scim/v2${path}`, {
        method,
        headers: {
          authorization: `Bearer ${await system.provisioner.token(['ingest'], 'okta-scim-client')}`,
          ...(body ? { 'content-type': 'application/scim+json' } : {}),
          ...headers,
        },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    }

    async function scimUser(): Promise<string> {
      const email = `scim-${randomUUID()}@example.com`;
      const created = await scim('POST', '/Users', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: email,
        externalId: `00u${randomUUID().replace(/-/g, '').slice(0, 17)}`,
        name: { givenName: 'Jane', familyName: 'Leaver' },
        emails: [{ value: email, type: 'work', primary: true }],
        active: true,
      });
      expect(created.status).toBe(201);
      return created.body.id;
    }

    function signedSet(payload: Record<string, unknown>, key: KeyObject = transmitter.privateKey): Promise<string> {
      return new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader({ alg: 'ES256', typ: 'secevent+jwt' }).sign(key);
    }

    async function pushSet(set: string) {
      const response = await fetch(`${system.provisioner.url}/ssf/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/secevent+jwt' },
        body: set,
      });
      return response.status;
    }

    it('Okta Event Hook: the published user.lifecycle.deactivate terminates the owner; a forged delivery changes nothing', async () => {
      const oktaUserId = `00u${randomUUID().replace(/-/g, '').slice(0, 17)}`;
      const email = `okta-${randomUUID()}@example.com`;
      const { ownerId, agents, tokens } = await ownerWithAgents({ email, identities: [{ source: 'okta', externalId: oktaUserId }] });

      const forged = await fetch(`${system.provisioner.url}/hooks/okta`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `${OKTA_SECRET}-guess` },
        body: JSON.stringify(oktaDeactivation(oktaUserId, email)),
      });
      expect(forged.status).toBe(401);

      const delivered = await okta(oktaDeactivation(oktaUserId, email));
      expect(delivered).toMatchObject({ status: 200, body: { events: 1, reported: [expect.any(String)], duplicates: 0 } });
      // Okta retries a delivery it thinks failed: no second event.
      expect(await okta(oktaDeactivation(oktaUserId, email))).toMatchObject({ status: 200, body: { reported: [], duplicates: 1 } });

      await expectOffboarded(agents, tokens, 'the Okta deactivation');
      expect(await system.call(system.provisioner, 'GET', `/owners/${ownerId}`)).toMatchObject({ status: 'terminated' });
      const reported = await system.recorder.await(Topics.IdentityLifecycle, (e) => e.ownerId === ownerId, 1, 'the reported termination');
      expect(reported.map((e) => [e.id, e.data.kind, e.data.source, e.data.occurredAt])).toEqual([
        [delivered.body.reported[0], 'owner.terminated', 'okta', OKTA_DEACTIVATE.published],
      ]);
    }, 60000);

    it('SCIM 2.0: the published PATCH active=false terminates a provisioned owner, DELETE another', async () => {
      const patched = await scimUser();
      const deleted = await scimUser();
      const bystander = await system.registerAgent(await scimUser());
      // The agents belong to the SCIM-provisioned owners (the registry's owner ids are the SCIM ids).
      const patchedAgent = await system.registerAgent(patched);
      const patchedSub = await system.registerAgent(patched, { parentAgentId: patchedAgent.id, scopes: ['crm.read'] });
      const deletedAgent = await system.registerAgent(deleted);
      const tokens = new Map<string, string>();
      for (const agent of [patchedAgent, patchedSub, deletedAgent]) tokens.set(agent.id, await system.tokenOf(agent));

      // This IdP traces its own calls (W3C trace context): the offboarding continues its trace.
      const idpTrace = randomUUID().replace(/-/g, '');
      const idpSpan = randomUUID().replace(/-/g, '').slice(0, 16);
      const traced = await scim('PATCH', `/Users/${patched}`, SCIM_DEACTIVATION, { traceparent: `00-${idpTrace}-${idpSpan}-01` });
      expect(traced).toMatchObject({ status: 200, body: { id: patched, active: false } });
      expect((await scim('DELETE', `/Users/${deleted}`)).status).toBe(204);

      await expectOffboarded([patchedAgent, patchedSub, deletedAgent], tokens, 'the SCIM deactivation and deletion');
      for (const ownerId of [patched, deleted])
        expect(await system.call(system.provisioner, 'GET', `/owners/${ownerId}`)).toMatchObject({ status: 'terminated' });
      const reported = await system.recorder.await(
        Topics.IdentityLifecycle,
        (e) => e.ownerId === patched || e.ownerId === deleted,
        2,
        'the reported terminations',
      );
      expect(reported.map((e) => [e.data.ownerId, e.data.kind, e.data.source]).sort()).toEqual(
        [
          [patched, 'owner.terminated', 'scim'],
          [deleted, 'owner.terminated', 'scim'],
        ].sort(),
      );
      const [ingest] = await waitFor(
        async () => otlp.trace(idpTrace).filter((x) => x.name === 'ingest scim'),
        (x) => x.length === 1,
        { what: 'the SCIM ingest span' },
      );
      expect(ingest).toMatchObject({
        service: 'provisioner',
        kind: OTLP_SPAN_KIND.server,
        parentSpanId: idpSpan,
        attributes: expect.objectContaining({ 'http.request.method': 'PATCH' }),
      });
      const [patchedEvent] = reported.filter((e) => e.data.ownerId === patched);
      expect(patchedEvent.headers['traceparent']).toMatch(new RegExp(`^00-${idpTrace}-[0-9a-f]{16}-01$`));
      // An owner the IdP did not deactivate keeps their agents.
      expect(await system.statusOf(bystander.id)).toBe('active');
    }, 60000);

    it('Shared Signals push: RISC account-disabled suspends the owner’s agents (contained at every connector), account-purged deprovisions them; an unsigned SET changes nothing', async () => {
      const email = `ssf-${randomUUID()}@example.com`;
      const { ownerId, agents, tokens } = await ownerWithAgents({ email });
      const ids = agents.map((a) => a.id);
      const iat = Math.floor(Date.now() / 1000);
      // The published SET, about our owner (by email) and fresh.
      const disabled = { ...RISC_ACCOUNT_DISABLED, jti: randomUUID(), iat, sub_id: { format: 'email', email: email.toUpperCase() } };

      expect(await pushSet(await signedSet(disabled, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey))).toBe(400);
      expect(await system.statusOf(ids[0])).toBe('active');

      expect(await pushSet(await signedSet(disabled))).toBe(202);
      await system.waitForStatuses(ids, 'suspended', 'the suspension');
      for (const id of ids) expect(await system.isActive(tokens.get(id)!)).toBe(false);
      await waitFor(
        () => Promise.all(ids.map(async (id) => system.webhookKinds(id))),
        (k) => k.every((x) => x.join() === 'contain'),
        { what: 'logout at the gateway' },
      );

      const purged = {
        iss: RISC_ACCOUNT_DISABLED.iss,
        aud: RISC_ACCOUNT_DISABLED.aud,
        jti: randomUUID(),
        iat,
        sub_id: { format: 'email', email },
        events: { 'https://schemas.openid.net/secevent/risc/event-type/account-purged': { event_timestamp: iat + 1 } },
      };
      expect(await pushSet(await signedSet(purged))).toBe(202);
      await system.waitForStatuses(ids, 'deprovisioned', 'the deprovisioning');
      for (const id of ids) expect(await system.isActive(tokens.get(id)!)).toBe(false);
      await waitFor(
        () => system.receipts(ids),
        (r) => r.length === ids.length * 6 && r.every((x) => x.status === 'confirmed'),
        { what: 'both actions’ receipts' },
      );
      expect(await system.receipts(ids)).toEqual(
        ids.sort().flatMap((id) => [...system.expectedReceipts(id, 'contain', 'lifecycle'), ...system.expectedReceipts(id, 'deprovision', 'lifecycle')]),
      );
      for (const id of ids) expect(system.webhookKinds(id)).toEqual(['contain', 'deprovision']);
      expect(
        (await system.recorder.await(Topics.IdentityLifecycle, (e) => e.ownerId === ownerId, 2, 'the reported suspension and termination')).map((e) => [
          e.data.kind,
          e.data.source,
        ]),
      ).toEqual([
        ['owner.suspended', 'ssf'],
        ['owner.terminated', 'ssf'],
      ]);
    }, 60000);
  });

  it('one trace follows an Okta termination from the ingest span at the provisioner, through the cascade and containment’s actions, to the last connector receipt', async () => {
    const oktaUserId = `00u${randomUUID().replace(/-/g, '').slice(0, 17)}`;
    const email = `traced-${randomUUID()}@example.com`;
    const ownerId = await system.createOwner({ email, identities: [{ source: 'okta', externalId: oktaUserId }] });
    const root = await system.registerAgent(ownerId, { riskTier: 'high' });
    const sub = await system.registerAgent(ownerId, { parentAgentId: root.id, scopes: ['crm.read'] });
    const ids = [root.id, sub.id];

    const delivered = await fetch(`${system.provisioner.url}/hooks/okta`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: OKTA_SECRET },
      body: JSON.stringify({
        ...OKTA_DELIVERY,
        eventId: randomUUID(),
        data: { events: [{ ...OKTA_DEACTIVATE, target: [{ ...OKTA_DEACTIVATE.target[0], id: oktaUserId, alternateId: email }] }] },
      }),
    });
    expect(delivered.status).toBe(200);
    const [reportedId] = ((await delivered.json()) as { reported: string[] }).reported;
    await system.waitForStatuses(ids, 'deprovisioned', 'the cascade');
    await waitFor(
      () => system.receipts(ids),
      (r) => r.length === 6 && r.every((x) => x.status === 'confirmed'),
      { what: 'every receipt' },
    );

    // The called connectors (the issuer's receipt needs no call): one span each per agent, in the trace.
    const called = [system.connectors.webhook, system.connectors.ssf];
    const connectorSpans = (spans: ExportedSpan[]) =>
      spans.filter((s) => s.service === 'containment' && s.name === 'connector deprovision' && ids.includes(String(s.attributes['agentgov.agent.id'])));
    const services = ['provisioner', 'containment', 'review-scheduler', 'behavior-baseliner'];
    // Spans leave each service in batches: wait until the trace is whole (every service in it, every parent of a
    // span exported, every connector call there), then look at it. A broken hop never completes it.
    const exported = () => {
      const consumer = otlp.spans.find(
        (s) => s.service === 'provisioner' && s.name === 'identity.lifecycle.v1 process' && s.attributes['messaging.message.id'] === reportedId,
      );
      const spans = consumer ? otlp.trace(consumer.traceId) : [];
      const spanIds = new Set(spans.map((s) => s.spanId));
      return {
        consumer,
        spans,
        summary: {
          services: [...new Set(spans.map((s) => s.service))].sort(),
          connectorCalls: connectorSpans(spans).length,
          orphans: spans.filter((s) => s.parentSpanId && !spanIds.has(s.parentSpanId)).map((s) => `${s.service} ${s.name}`),
        },
      };
    };
    await waitFor(
      async () => exported().summary,
      (x) => x.services.length === services.length && x.connectorCalls >= ids.length * called.length && x.orphans.length === 0,
      { timeoutMs: 20000, intervalMs: 200, what: 'the whole trace of the offboarding to be exported' },
    );
    const { consumer: ingestConsumer, spans: trace } = exported();
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    const parentOf = (s: ExportedSpan) => (s.parentSpanId ? byId.get(s.parentSpanId) : undefined);

    // The HR event enters at the provisioner's ingest span, the root of the trace.
    const ingest = parentOf(ingestConsumer!)!;
    expect(ingest).toMatchObject({
      service: 'provisioner',
      name: 'ingest okta',
      kind: OTLP_SPAN_KIND.server,
      attributes: expect.objectContaining({ 'http.response.status_code': 200 }),
    });
    expect(ingest.parentSpanId).toBeUndefined();
    expect(trace.filter((s) => s.parentSpanId === undefined)).toEqual([ingest]);
    // Nothing in the trace hangs off a span the trace does not have: one tree.
    expect(trace.filter((s) => s.parentSpanId && !byId.has(s.parentSpanId))).toEqual([]);
    expect(otlp.refused).toEqual([]);

    // The cascade: the provisioner's consumer applied the termination; containment consumed each agent's
    // deprovisioning (its echo of the cascade) and called every connector from there, each call a child.
    const handled = trace.filter(
      (s) => s.service === 'containment' && s.name === 'agent.lifecycle.v1 process' && s.kind === OTLP_SPAN_KIND.consumer && parentOf(s) === ingestConsumer,
    );
    expect(handled).toHaveLength(ids.length);
    for (const id of ids) {
      const calls = connectorSpans(trace).filter((s) => s.attributes['agentgov.agent.id'] === id);
      expect(calls.map((s) => s.attributes['agentgov.connector.name']).sort()).toEqual([...called].sort());
      for (const call of calls) {
        expect(call).toMatchObject({
          kind: OTLP_SPAN_KIND.client,
          attributes: expect.objectContaining({ 'agentgov.connector.outcome': 'confirmed', 'agentgov.receipt.status': 'confirmed' }),
        });
        expect(handled).toContain(parentOf(call));
      }
    }
    // Every service had its part: the review-scheduler and the baseliner consumed the same events in this trace.
    expect(new Set(trace.map((s) => s.service))).toEqual(new Set(services));
    // The trace runs to the last receipt containment recorded: the span of the call that wrote it is in it.
    const last = await system.lastReceipt(ids);
    expect(last.connector).not.toBe(system.connectors.issuer);
    expect(connectorSpans(trace).filter((s) => s.attributes['agentgov.delivery.id'] === last.deliveryId)).toEqual([
      expect.objectContaining({ attributes: expect.objectContaining({ 'agentgov.connector.name': last.connector, 'agentgov.receipt.status': 'confirmed' }) }),
    ]);
    // The Kafka hop a consumer outside the system sees carries it too.
    const onTopic = await system.recorder.await(Topics.IdentityLifecycle, (e) => e.ownerId === ownerId, 1, 'the reported termination');
    expect(onTopic.map((e) => e.id)).toEqual([reportedId]);
    expect(onTopic[0]?.headers['traceparent']).toContain(ingest.traceId);
  }, 60000);
});
