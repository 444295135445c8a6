import { randomUUID } from 'node:crypto';

import { Topics } from '@agentgov/contracts';
import { anomalyEvent, EventStreamReader, ServiceHarness } from '@agentgov/service-testing';
import {
  CONSOLE_ROLE_MAP,
  CONSOLE_ROLES_CLAIM,
  ConsoleRealm,
  createConsoleTestRealm,
  KeycloakAdmin,
  signInThroughLoginForm,
  waitFor,
} from '@agentgov/test-support';

import { announceAgents, knownToContainment } from '../support/containment-stack';

const REDIRECT = 'http://127.0.0.1:39998/callback';

/**
 * The live incident stream through the running service, fed by its own commits, with people signed in at a real
 * Keycloak realm (the console's) as well as the harness's service tokens.
 */
describe('GET /incidents/stream: incidents as they change, live', () => {
  const admin = new KeycloakAdmin();
  let realm: ConsoleRealm;
  let harness: ServiceHarness;
  const readers: EventStreamReader[] = [];

  beforeAll(async () => {
    realm = await createConsoleTestRealm({ origins: [new URL(REDIRECT).origin], audience: 'agentgov', admin });
    harness = new ServiceHarness('containment', {
      env: {
        INCIDENT_STREAM_HEARTBEAT_MS: '300',
        AUTH_OIDC_ISSUER: realm.issuer,
        AUTH_OIDC_AUDIENCE: 'agentgov',
        AUTH_OIDC_ROLES_CLAIM: CONSOLE_ROLES_CLAIM,
        AUTH_OIDC_ROLE_MAP: CONSOLE_ROLE_MAP,
        AUTH_OIDC_SUBJECT_CLAIM: 'preferred_username',
      },
    });
    await harness.start();
  }, 90_000);

  afterAll(async () => {
    for (const reader of readers) reader.close();
    await harness.stop();
    await realm.remove();
  });

  const open = async (query: string, authorization?: string) => {
    const reader = await EventStreamReader.open(`${harness.url}/incidents/stream${query}`, authorization);
    readers.push(reader);
    return reader;
  };
  const asService = async (roles: Parameters<ServiceHarness['token']>[0], sub?: string) => `Bearer ${await harness.token(roles, sub)}`;
  const asPerson = async (username: string) => `Bearer ${(await signInThroughLoginForm(realm, realm.user(username), REDIRECT)).access_token}`;

  /** An agent known to containment, and an anomaly of it in the alert band (an open incident, no action). */
  const anomalyOf = async (riskTier: 'low' | 'medium' | 'high' | 'critical' = 'medium') => {
    const agentId = randomUUID();
    await announceAgents(harness, [{ agentId, ownerId: `owner-${agentId.slice(0, 8)}`, riskTier }]);
    await knownToContainment([agentId]);
    await harness.publish(Topics.AgentAnomaly, [{ data: anomalyEvent(agentId, { score: 0.92 }) }]);
    return agentId;
  };

  it('streams each incident as it opens and as it changes, as the list shows it, to an analyst signed in at the IdP; heartbeats keep it open', async () => {
    const sam = await asPerson('sam');
    const stream = await open('', sam);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(stream.headers.get('cache-control')).toBe('no-store');
    await stream.next((e) => e.event === 'ready', 'the ready event');

    const agentId = await anomalyOf();
    const opened = (await stream.next((e) => e.event === 'incident' && e.data.agentId === agentId, 'the new incident')).data;
    expect(opened).toMatchObject({ agentId, status: 'open', severity: 'medium', riskTier: 'medium', kind: 'behavior', episodeOpen: true });
    const listed = (await harness.request('GET', `/incidents?agentId=${agentId}`, undefined, ['soc-analyst'])).body.items;
    expect(listed).toEqual([opened]);

    const acknowledged = await fetch(`${harness.url}/incidents/${opened.incidentId}/acknowledge`, {
      method: 'POST',
      headers: { authorization: sam, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'looking into it' }),
    });
    expect(acknowledged.status).toBe(200);
    const changed = (
      await stream.next((e) => e.event === 'incident' && e.data.incidentId === opened.incidentId && e.data.status === 'acknowledged', 'the change')
    ).data;
    // The person is recorded by the realm's username (AUTH_OIDC_SUBJECT_CLAIM), not the IdP's opaque subject.
    expect(changed.acknowledgedBy).toBe('sam');
    await waitFor(
      async () => stream.heartbeats,
      (n) => n >= 2,
      { what: 'heartbeats', timeoutMs: 5000 },
    );
  }, 60_000);

  it('honours the same filters as the list: severity, risk tier, status, agent', async () => {
    const analyst = await asService(['soc-analyst']);
    const critical = await open('?riskTier=critical,high&severity=medium', analyst);
    const ofOneAgent = await open(`?agentId=${randomUUID()}`, analyst);
    const openOnes = await open('?status=open', analyst);
    const all = await open('', analyst);
    for (const s of [critical, ofOneAgent, openOnes, all]) await s.next((e) => e.event === 'ready', 'ready');

    const medium = await anomalyOf('medium');
    const criticalAgent = await anomalyOf('critical');
    await all.next((e) => e.event === 'incident' && e.data.agentId === criticalAgent, 'the critical incident');
    await all.next((e) => e.event === 'incident' && e.data.agentId === medium, 'the medium incident');
    await openOnes.next((e) => e.event === 'incident' && e.data.agentId === criticalAgent, 'the critical incident, open');

    // The list, with the same filters, holds exactly what each stream was sent of these two agents.
    const ours = (items: { agentId: string }[]) =>
      items
        .map((i) => i.agentId)
        .filter((id) => id === medium || id === criticalAgent)
        .sort();
    const listed = (await harness.request('GET', '/incidents?riskTier=critical,high&severity=medium&limit=200', undefined, ['soc-analyst'])).body.items;
    expect(ours(critical.of('incident'))).toEqual(ours(listed));
    expect(ours(critical.of('incident'))).toEqual([criticalAgent]);
    expect(ofOneAgent.of('incident')).toEqual([]);
  }, 60_000);

  it('refuses without a token (401), a reviewer or a person with no role of ours (403), and a filter it does not know (400)', async () => {
    expect((await open('')).status).toBe(401);
    expect((await open('', await asService(['reviewer']))).status).toBe(403);
    const nora = await open('', await asPerson('nora'));
    expect(nora.status).toBe(403);
    expect(JSON.parse(nora.body)).toMatchObject({ code: 'AUTH_FORBIDDEN' });
    const rita = await open('', await asPerson('rita'));
    expect(rita.status).toBe(403);
    const bad = await open('?status=exploded&limit=5', await asService(['soc-analyst']));
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ code: 'INVALID_REQUEST' });
  }, 60_000);

  it('ends the stream when the token expires, telling the client to reconnect', async () => {
    await realm.update({ accessTokenLifespan: 3 });
    const stream = await open('', await asPerson('omar'));
    await stream.next((e) => e.event === 'ready', 'ready');
    const reconnect = await stream.next((e) => e.event === 'reconnect', 'the end of the stream', 15_000);
    expect(reconnect.data).toEqual({ reason: 'token expired' });
    await waitFor(
      async () => stream.ended,
      (ended) => ended,
      { what: 'the stream to end', timeoutMs: 5000 },
    );
  }, 60_000);

  it('tells every open stream to reconnect when the service stops, and stops promptly', async () => {
    const stream = await open('', await asService(['admin']));
    await stream.next((e) => e.event === 'ready', 'ready');
    const started = Date.now();
    await harness.stop();
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await stream.next((e) => e.event === 'reconnect', 'the reconnect event', 5000)).data).toEqual({ reason: 'shutting down' });
  }, 60_000);
});
