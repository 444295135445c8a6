import { randomUUID } from 'node:crypto';

import { compactVerify, createLocalJWKSet, decodeJwt } from 'jose';

import { Topics } from '@agentgov/contracts';
import { verifyWebhookSignature } from '@agentgov/revocation-connectors';
import { anomalyEvent, RecordingReceiver, ServiceHarness, writeConnectorsFile } from '@agentgov/service-testing';
import { collectMessages, KeycloakTestRealm, waitFor, withTestDatabase } from '@agentgov/test-support';

import { alertsOf, receiptsOf } from '../support/containment-stack';
import { RealOAuthServer, startRealOAuthServer } from '../support/oauth-server/real-oauth-server';

const WEBHOOK_SECRET = 'webhook-secret-of-at-least-32-characters!';
const FLAKY_SECRET = 'flaky-webhook-secret-at-least-32-characters';
const SSF_AUDIENCE = 'https://receiver.example/ssf';

/**
 * Provisioner and containment as real processes on the real broker and database, with a real OAuth server
 * (oidc-provider) for RFC 7009, the real local Keycloak 26 (a realm of this test's own) and real HTTP receivers for
 * the webhook and Shared Signals.
 */
describe('universal logout: an anomaly above the band ends the agent’s access at every connector', () => {
  const provisioner = new ServiceHarness('provisioner');
  // Created once the provisioner is up: its connectors file carries a token for the provisioner's API.
  let containment: ServiceHarness;
  const webhook = new RecordingReceiver();
  // Fails three times, then recovers: its receipt must end confirmed.
  const flaky = new RecordingReceiver((_r, i) =>
    i < 3 ? { status: 503, body: { error: 'down for maintenance' }, headers: { 'retry-after': '0' } } : { status: 200 },
  );
  const ssf = new RecordingReceiver(() => ({ status: 202 }));
  // The agent is also a user there, logged in with a session of its own.
  let keycloak: KeycloakTestRealm;
  let oauth: RealOAuthServer;
  const revoker = { clientId: 'containment', clientSecret: 'containment-oauth-secret', canRevokeAnyToken: true };
  const externalAgent = { clientId: 'agent-at-idp', clientSecret: 'agent-at-idp-secret' };

  beforeAll(async () => {
    await Promise.all([webhook.start(), flaky.start(), ssf.start()]);
    keycloak = await KeycloakTestRealm.create();
    oauth = await startRealOAuthServer({ clients: [revoker, externalAgent] });
    await provisioner.start();
    const connectorsFile = writeConnectorsFile([
      { name: 'issuer', type: 'builtin-issuer', baseUrl: provisioner.url, bearerToken: await provisioner.token(['revoke-tokens'], 'containment-service') },
      { name: 'idp', type: 'oauth-revocation', revocationEndpoint: oauth.revocationEndpoint, clientId: revoker.clientId, clientSecret: revoker.clientSecret },
      keycloak.connectorEntry('keycloak'),
      { name: 'gateway-webhook', type: 'webhook', url: `${webhook.url}/logout`, secret: WEBHOOK_SECRET },
      { name: 'flaky-webhook', type: 'webhook', url: `${flaky.url}/logout`, secret: FLAKY_SECRET },
      { name: 'ssf-receiver', type: 'ssf', endpoint: `${ssf.url}/events`, audience: SSF_AUDIENCE, issuer: 'https://containment.example' },
    ]);
    containment = new ServiceHarness(
      'containment',
      { env: { CONNECTORS_FILE: connectorsFile, DELIVERY_RETRY_BASE_MS: '100', DELIVERY_ALERT_AFTER_ATTEMPTS: '10' } },
      provisioner,
    );
    await containment.start();
  }, 120000);

  afterAll(async () => {
    await containment?.stop();
    await provisioner.stop();
    await oauth?.stop();
    await Promise.all([webhook.stop(), flaky.stop(), ssf.stop()]);
    await keycloak?.remove();
  });

  async function issuerToken(agentId: string, secret: string): Promise<string> {
    const response = await fetch(`${provisioner.url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${agentId}:${secret}`).toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { access_token: string }).access_token;
  }
  const activeAtIssuer = async (token: string) => (await provisioner.request('POST', '/oauth2/introspect', { token }, ['introspect'])).body.active as boolean;

  it('contains the agent: tokens inactive at the issuer and at the real OAuth server, a receipt from every connector, one action, alert for the SOC; release restores with fresh credentials', async () => {
    const owner = await provisioner.request('POST', '/owners', { email: `owner-${randomUUID()}@example.com` });
    const agent = await provisioner.request('POST', '/agents', {
      name: 'crm sync',
      ownerId: owner.body.id,
      purpose: 'crm-sync',
      platform: 'langgraph',
      riskTier: 'high',
      scopes: ['crm.read'],
    });
    expect(agent.status).toBe(201);
    const agentId: string = agent.body.id;
    const issued = await issuerToken(agentId, agent.body.clientSecret);
    const keycloakLogin = await keycloak.passwordLogin(await keycloak.addUser(agentId));
    expect((await keycloak.introspect(keycloakLogin.access_token)).active).toBe(true);
    const external = await oauth.clientCredentialsToken(externalAgent.clientId, externalAgent.clientSecret);
    expect((await oauth.introspect(external.access_token, revoker)).active).toBe(true);
    const reported = await containment.request(
      'POST',
      `/agents/${agentId}/external-tokens`,
      { connector: 'idp', token: external.access_token, tokenTypeHint: 'access_token' },
      ['ingest'],
    );
    expect(reported.status).toBe(201);
    expect(JSON.stringify(reported.body)).not.toContain(external.access_token);
    // Containment learns the agent (owner, tier) from the provisioner's agent.lifecycle.v1.
    await waitFor(
      () => withTestDatabase(async (c) => (await c.query(`SELECT "risk_tier" FROM "containment"."known_agents" WHERE "agent_id" = $1`, [agentId])).rows),
      (rows) => rows.length === 1,
      { what: 'containment to learn the agent' },
    );

    const signal = anomalyEvent(agentId, { riskTier: 'high', ownerId: owner.body.id });
    const sentAt = Date.now();
    await containment.publish(Topics.AgentAnomaly, [{ data: signal }]);

    const settled = await waitFor(
      async () => (await alertsOf(containment, 1)).filter((a) => a.agentId === agentId),
      (alerts) => alerts.some((a) => a.actions[0]?.receipts.length === 6 && a.actions[0].receipts.every((r) => r.status === 'confirmed')),
      { timeoutMs: 40000, intervalMs: 500, what: 'every receipt confirmed' },
    );
    const last = settled[settled.length - 1];
    expect(last).toMatchObject({ agentId, ownerId: owner.body.id, riskTier: 'high', status: 'contained', severity: 'high', score: 0.995 });
    expect(last.explanation[0]).toMatchObject({ name: 'records_per_10m', expected: 1.5, observed: 480 });
    expect(last.actions).toHaveLength(1);
    expect(last.actions[0].receipts.map((r) => r.connector).sort()).toEqual(['flaky-webhook', 'gateway-webhook', 'idp', 'issuer', 'keycloak', 'ssf-receiver']);
    expect(last.ocsf).toMatchObject({ class_uid: 2004, category_uid: 2, severity_id: 4, finding_info: { uid: last.incidentId } });
    const receiptsDoneAt = Math.max(...last.actions[0].receipts.map((r) => Date.parse(r.at)));
    expect(receiptsDoneAt - sentAt).toBeLessThan(30000);

    // The agent's tokens fail introspection at the built-in issuer and at the real OAuth server.
    expect(await activeAtIssuer(issued)).toBe(false);
    expect((await oauth.introspect(external.access_token, revoker)).active).toBe(false);
    // The provisioner was told (containment.action.v1) and suspended the agent.
    const actions = (await collectMessages(containment.kafka, containment.topic(Topics.ContainmentAction), 1, { settleMs: 500 })).map((m) =>
      JSON.parse(m.value),
    );
    expect(actions.filter((a) => a.agentId === agentId)).toEqual([
      expect.objectContaining({
        kind: 'contain',
        incidentId: last.incidentId,
        requestedBy: { type: 'policy', actor: expect.stringMatching(/^policy-v[0-9]+$/) },
      }),
    ]);
    await waitFor(
      () => provisioner.request('GET', `/agents/${agentId}`),
      (r) => r.body.status === 'suspended',
      { what: 'the provisioner to suspend the agent' },
    );

    // Each receiver saw exactly one effective call, signed and verifiable.
    const [call] = webhook.about(agentId);
    expect(webhook.about(agentId)).toHaveLength(1);
    expect(verifyWebhookSignature(WEBHOOK_SECRET, String(call.headers['agentgov-signature']), call.body)).toBe(true);
    expect(JSON.parse(call.body)).toMatchObject({ agentId, kind: 'contain', actionId: last.actions[0].actionId });
    const flakyCalls = flaky.about(agentId);
    expect(flakyCalls).toHaveLength(4);
    expect(new Set(flakyCalls.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    const sets = ssf.requests.filter((r) => decodeJwt(r.body).sub_id !== undefined && (decodeJwt(r.body).sub_id as { id: string }).id === agentId);
    expect(sets.length).toBeGreaterThanOrEqual(1);
    const jwks = createLocalJWKSet((await (await fetch(`${containment.url}/.well-known/ssf-jwks.json`)).json()) as { keys: [] });
    for (const set of sets) {
      expect(set.headers['content-type']).toBe('application/secevent+jwt');
      await compactVerify(set.body, jwks);
      expect(decodeJwt(set.body)).toMatchObject({ aud: SSF_AUDIENCE, txn: last.actions[0].actionId });
    }
    // Keycloak: the agent's user is disabled (no new tokens) and its session ended; its token fails introspection
    // there, and the receipt says what was done.
    const keycloakUser = await keycloak.user(agentId);
    expect(keycloakUser.enabled).toBe(false);
    expect(await keycloak.userSessions(keycloakUser.id)).toEqual([]);
    expect((await keycloak.introspect(keycloakLogin.access_token)).active).toBe(false);
    expect((await keycloak.refresh(keycloakLogin.refresh_token!)).status).toBe(400);
    expect((await receiptsOf(agentId)).find((r) => r.target === 'keycloak')).toMatchObject({
      status: 'confirmed',
      reason: 'user disabled, logged out (1 session ended)',
    });

    // The provisioner's echo of the containment (agent.suspended caused by our action) starts no second fan-out.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const [{ n }] = await withTestDatabase(
      async (c) => (await c.query(`SELECT count(*)::int AS n FROM "containment"."actions" WHERE "agent_id" = $1`, [agentId])).rows,
    );
    expect(n).toBe(1);

    // Roles: an analyst cannot change policy; a reviewer cannot see incidents.
    const policy = await containment.request('GET', '/policy', undefined, ['soc-analyst']);
    expect(policy.status).toBe(200);
    expect(
      (await containment.request('PUT', '/policy', { policy: policy.body.policy, basedOnVersion: policy.body.version, reason: 'try' }, ['soc-analyst'])).status,
    ).toBe(403);
    expect((await containment.request('GET', `/incidents/${last.incidentId}`, undefined, ['reviewer'])).status).toBe(403);
    expect((await containment.request('POST', `/incidents/${last.incidentId}/release`, {}, ['soc-analyst'])).status).toBe(400);

    // Two analysts release it (a score of 0.99 or more): the first asks, the same one cannot finish, a second one
    // does. The agent is active again, every earlier token stays dead, a new one works.
    const release = (sub: string) =>
      containment.request('POST', `/incidents/${last.incidentId}/release`, { reason: 'batch job approved by the data owner' }, ['soc-analyst'], sub);
    const asked = await release('test-admin');
    expect(asked.status).toBe(200);
    expect(asked.body).toMatchObject({ status: 'contained', releaseRequest: { by: 'test-admin' } });
    const again = await release('test-admin');
    expect(again).toMatchObject({ status: 403, body: { code: 'SEPARATION_OF_DUTIES' } });
    const released = await release('second-analyst');
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({ status: 'released', releaseRequest: null });
    await waitFor(
      () => provisioner.request('GET', `/agents/${agentId}`),
      (r) => r.body.status === 'active',
      { what: 'the provisioner to release the agent' },
    );
    expect(await activeAtIssuer(issued)).toBe(false);
    expect(await activeAtIssuer(await issuerToken(agentId, agent.body.clientSecret))).toBe(true);
    // Keycloak enables the user again; its token from before stays inactive.
    await waitFor(
      () => keycloak.user(agentId),
      (user) => user.enabled === true,
      { what: 'keycloak to enable the user again' },
    );
    expect((await keycloak.introspect(keycloakLogin.access_token)).active).toBe(false);
    const detail = await containment.request('GET', `/incidents/${last.incidentId}`, undefined, ['soc-analyst']);
    expect(detail.body.audit).toEqual([
      expect.objectContaining({ actor: 'test-admin', action: 'incident.release-requested', reason: 'batch job approved by the data owner' }),
      expect.objectContaining({ actor: 'second-analyst', action: 'incident.release', reason: 'batch job approved by the data owner' }),
    ]);
    expect(detail.body.actions.map((a: { kind: string }) => a.kind)).toEqual(['contain', 'release']);
    // A second release is refused: the incident is no longer open to it.
    expect((await containment.request('POST', `/incidents/${last.incidentId}/release`, { reason: 'again' }, ['soc-analyst'])).status).toBe(409);
  }, 120000);
});
