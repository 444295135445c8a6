import { decodeJwt } from 'jose';

import { KEYCLOAK_CONNECTOR_ROLES, KeycloakTestClient, KeycloakTestRealm, KeycloakTestUser } from '@agentgov/test-support';

import { KeycloakConnector, NO_MATCHING_CLIENT_OR_USER } from '../../src/connectors/keycloak/keycloak.connector';
import { createConnectors } from '../../src/create-connectors';
import { ConnectorOutcome } from '../../src/revocation-connector';
import { aRevocationRequest } from '../support/revocation-request';
import { unusedLocalUrl } from '../support/unused-local-url';

// An agent registered as a client, its sub-agent, and bystanders whose clientIds start like it. (Keycloak keeps
// clientIds unique regardless of case: there can be no `CRM-Sync-7` beside it.)
const AGENT = 'crm-sync-7';
const SUB_AGENT = 'crm-sync-7.sub-1';
const BYSTANDER = 'crm-sync-7-reporting';
const BYSTANDER_SHORT = 'crm-sync';
// An agent registered as a user, and a bystander user whose username starts like it.
const USER_AGENT = 'mail-agent-7';
const BYSTANDER_USER = 'mail-agent-7-backup';

const CLIENT_DETAIL = /^client disabled, notBefore set to (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z): earlier tokens inactive$/;

/**
 * The keycloak connector against a real Keycloak 26 (scripts/infra/infra.sh runs it on 127.0.0.1:8180): each test
 * has a realm of its own, made through the admin API and removed after, and checks every effect where Keycloak
 * itself says it: its token endpoint, its RFC 7662 introspection (as a protected API asks it), its admin API.
 */
describe('keycloak connector at a real Keycloak', () => {
  let realm: KeycloakTestRealm;
  const connectors: KeycloakConnector[] = [];

  beforeEach(async () => {
    realm = await KeycloakTestRealm.create({ clients: [AGENT, SUB_AGENT, BYSTANDER, BYSTANDER_SHORT], users: [USER_AGENT, BYSTANDER_USER] });
  });
  afterEach(async () => {
    for (const connector of connectors.splice(0)) connector.close();
    await realm?.remove();
  });

  function keycloakConnector(extra: Record<string, unknown> = {}, options: { fetch?: typeof fetch } = {}): KeycloakConnector {
    const connector = createConnectors([realm.connectorEntry('corp-keycloak', { timeoutMs: 5000, ...extra })], options)[0] as KeycloakConnector;
    connectors.push(connector);
    return connector;
  }
  const contain = (agentId: string, connector = keycloakConnector()) => connector.revoke(aRevocationRequest({ agentId }));
  const release = (agentId: string, connector = keycloakConnector()) => connector.revoke(aRevocationRequest({ agentId, kind: 'release' }));
  const client = (clientId: string): KeycloakTestClient => realm.clients.get(clientId)!;
  const user = (username: string): KeycloakTestUser => realm.users.get(username)!;
  const active = async (token: string) => (await realm.introspect(token)).active;

  /** Each bystander client is enabled with its notBefore untouched, and the token it held is still active. */
  async function expectUntouchedClients(tokens: Record<string, string>): Promise<void> {
    for (const [clientId, token] of Object.entries(tokens)) {
      expect(await realm.client(clientId)).toMatchObject({ clientId, enabled: true, notBefore: 0 });
      expect({ clientId, active: await active(token) }).toEqual({ clientId, active: true });
    }
  }

  it('contains an agent registered as a client: disabled, notBefore past now, its token inactive; nothing else changes', async () => {
    const tokens = Object.fromEntries(
      await Promise.all([AGENT, SUB_AGENT, BYSTANDER, BYSTANDER_SHORT].map(async (id) => [id, await realm.clientCredentialsToken(client(id))] as const)),
    );
    for (const token of Object.values(tokens)) expect(await active(token)).toBe(true);
    const before = await realm.client(AGENT);
    // A client_credentials token belongs to no user session in Keycloak 26: nothing to log out.
    expect(decodeJwt(tokens[AGENT]!).sid).toBeUndefined();
    const serviceAccount = await realm.serviceAccountUser(AGENT);
    expect(await realm.userSessions(serviceAccount.id)).toEqual([]);

    const outcome = await contain(AGENT);

    // The receipt says what was done, and only that: no session ended, no user logged out.
    expect(outcome).toEqual({ status: 'confirmed', detail: expect.stringMatching(CLIENT_DETAIL) });
    const notBefore = Date.parse(CLIENT_DETAIL.exec((outcome as { detail: string }).detail)![1]!) / 1000;
    const after = await realm.client(AGENT);
    expect(after).toEqual({ ...before, enabled: false, notBefore });
    expect(notBefore).toBeGreaterThan(decodeJwt(tokens[AGENT]!).iat!);
    expect(await active(tokens[AGENT]!)).toBe(false);
    expect(await realm.tryClientCredentials(client(AGENT))).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect((await realm.serviceAccountUser(AGENT)).notBefore ?? 0).toBe(0);

    // Exact matching: the sub-agent and the bystanders sharing a prefix with it are untouched.
    const { [AGENT]: _contained, ...others } = tokens;
    await expectUntouchedClients(others);
  });

  it('a release enables the client again: the token from before stays inactive, a new one is active', async () => {
    const earlier = await realm.clientCredentialsToken(client(AGENT));
    expect((await contain(AGENT)).status).toBe('confirmed');

    expect(await release(AGENT)).toEqual({ status: 'confirmed', detail: 'client enabled again' });

    const after = await realm.client(AGENT);
    expect(after.enabled).toBe(true);
    expect(after.notBefore).toBeGreaterThan(decodeJwt(earlier).iat!);
    expect(await active(earlier)).toBe(false);
    // A token issued in the second of the notBefore would still be refused: wait it out, as a real agent's retry would.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, after.notBefore * 1000 - Date.now() + 50)));
    expect(await active(await realm.clientCredentialsToken(client(AGENT)))).toBe(true);
  });

  it('a sub-agent is contained by its own request; its parent and the bystanders are untouched', async () => {
    const tokens = Object.fromEntries(
      await Promise.all([AGENT, SUB_AGENT, BYSTANDER].map(async (id) => [id, await realm.clientCredentialsToken(client(id))] as const)),
    );

    expect(await contain(SUB_AGENT)).toEqual({ status: 'confirmed', detail: expect.stringMatching(CLIENT_DETAIL) });

    expect(await realm.client(SUB_AGENT)).toMatchObject({ enabled: false, notBefore: expect.any(Number) });
    expect(await active(tokens[SUB_AGENT]!)).toBe(false);
    await expectUntouchedClients({ [AGENT]: tokens[AGENT]!, [BYSTANDER]: tokens[BYSTANDER]! });
  });

  it('ends the service-account session of a client that keeps one for client credentials, and counts it', async () => {
    const before = await realm.client(AGENT);
    await realm.call('PUT', `/clients/${before.id}`, { attributes: { ...before.attributes, 'client_credentials.use_refresh_token': 'true' } });
    const answer = await realm.tryClientCredentials(client(AGENT));
    expect(answer.body.refresh_token).toEqual(expect.any(String));
    const serviceAccount = await realm.serviceAccountUser(AGENT);
    expect(await realm.userSessions(serviceAccount.id)).toHaveLength(1);

    const outcome = await contain(AGENT);

    expect(outcome).toEqual({
      status: 'confirmed',
      detail: expect.stringMatching(/^client disabled, notBefore set to .*: earlier tokens inactive, 1 session of its service account ended$/),
    });
    expect(await realm.userSessions(serviceAccount.id)).toEqual([]);
    expect(await active(answer.body.access_token)).toBe(false);
  });

  it('contains an agent registered as a user: disabled and logged out, its tokens inactive, its refresh refused; the bystander user untouched', async () => {
    const login = await realm.passwordLogin(user(USER_AGENT));
    const bystanderLogin = await realm.passwordLogin(user(BYSTANDER_USER));
    expect(await realm.userSessions(user(USER_AGENT).id)).toHaveLength(1);
    expect(await active(login.access_token)).toBe(true);
    const before = await realm.user(USER_AGENT);

    const outcome = await contain(USER_AGENT);

    expect(outcome).toEqual({ status: 'confirmed', detail: 'user disabled, logged out (1 session ended)' });
    const after = await realm.user(USER_AGENT);
    // Disabled, and Keycloak's logout moved its notBefore; its profile is as it was.
    expect(after).toEqual({ ...before, enabled: false, notBefore: expect.any(Number) });
    expect(after.notBefore).toBeGreaterThanOrEqual(decodeJwt(login.access_token).iat!);
    expect(await realm.userSessions(user(USER_AGENT).id)).toEqual([]);
    expect(await active(login.access_token)).toBe(false);
    expect((await realm.refresh(login.refresh_token!)).status).toBe(400);
    expect((await realm.tryPasswordLogin(user(USER_AGENT))).status).toBe(400);

    expect(await realm.user(BYSTANDER_USER)).toMatchObject({ enabled: true });
    expect(await realm.userSessions(user(BYSTANDER_USER).id)).toHaveLength(1);
    expect(await active(bystanderLogin.access_token)).toBe(true);
  });

  it('revokes the offline tokens a logout leaves behind; a user released logs in again, its tokens from before stay refused', async () => {
    const login = await realm.passwordLogin(user(USER_AGENT));
    const offline = await realm.tryPasswordLogin({ ...user(USER_AGENT), scope: 'openid offline_access' });
    expect(offline.status).toBe(200);
    const agentLogin = await realm.client('agent-login');
    const offlineSessions = async () => (await realm.call('GET', `/users/${user(USER_AGENT).id}/offline-sessions/${agentLogin.id}`)).body;
    expect(await offlineSessions()).toHaveLength(1);

    // In the same second as the logins, as an agent caught at once would be: the logout's notBefore (that second)
    // alone would let the offline token through after a release.
    expect(await contain(USER_AGENT)).toEqual({
      status: 'confirmed',
      detail: expect.stringMatching(/^user disabled, logged out \(\d sessions? ended\), offline tokens revoked at 1 client$/),
    });
    expect(await offlineSessions()).toEqual([]);
    expect(await realm.userSessions(user(USER_AGENT).id)).toEqual([]);

    expect(await release(USER_AGENT)).toEqual({ status: 'confirmed', detail: 'user enabled again' });

    expect(await realm.user(USER_AGENT)).toMatchObject({ enabled: true });
    expect(await active(login.access_token)).toBe(false);
    expect((await realm.refresh(login.refresh_token!)).status).toBe(400);
    expect((await realm.refresh(offline.body.refresh_token)).status).toBe(400);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // past the second of the logout's notBefore
    const fresh = await realm.passwordLogin(user(USER_AGENT));
    expect(await active(fresh.access_token)).toBe(true);
  });

  it('an unknown agent, even a prefix of a real one: confirmed with nothing to revoke, and nothing changes', async () => {
    const token = await realm.clientCredentialsToken(client(AGENT));
    const login = await realm.passwordLogin(user(USER_AGENT));

    for (const unknown of ['crm-sync-', 'crm-sync-7-', 'mail-agent', 'shadow-agent-42']) {
      expect(await contain(unknown)).toEqual({ status: 'confirmed', detail: NO_MATCHING_CLIENT_OR_USER });
    }

    await expectUntouchedClients({ [AGENT]: token });
    expect(await realm.user(USER_AGENT)).toMatchObject({ enabled: true });
    expect(await active(login.access_token)).toBe(true);
  });

  it("never disables Keycloak's own clients or the connector's", async () => {
    for (const clientId of ['admin-cli', 'realm-management', 'account', realm.connector.clientId]) {
      expect(await contain(clientId)).toEqual({
        status: 'failed',
        reason: `keycloak: ${clientId} is a client of Keycloak's own or the connector's; not disabled`,
      });
      expect(await realm.client(clientId)).toMatchObject({ enabled: true });
    }
  });

  it('looks only where agentIdentity says', async () => {
    const login = await realm.passwordLogin(user(USER_AGENT));
    const token = await realm.clientCredentialsToken(client(AGENT));

    expect(await contain(USER_AGENT, keycloakConnector({ agentIdentity: 'client' }))).toEqual({ status: 'confirmed', detail: NO_MATCHING_CLIENT_OR_USER });
    expect(await contain(AGENT, keycloakConnector({ agentIdentity: 'user' }))).toEqual({ status: 'confirmed', detail: NO_MATCHING_CLIENT_OR_USER });

    expect(await active(login.access_token)).toBe(true);
    expect(await active(token)).toBe(true);
  });

  it('needs both manage-clients and manage-users: without either, Keycloak refuses and the receipt fails', async () => {
    expect(KEYCLOAK_CONNECTOR_ROLES).toEqual(['manage-clients', 'manage-users']);
    const failedWith = (outcome: ConnectorOutcome) => (outcome.status === 'failed' ? outcome.reason : `not failed: ${JSON.stringify(outcome)}`);
    const onlyUsers = await KeycloakTestRealm.create({ clients: [AGENT], users: [USER_AGENT], connectorRoles: ['manage-users'] });
    const onlyClients = await KeycloakTestRealm.create({ clients: [AGENT], users: [USER_AGENT], connectorRoles: ['manage-clients'] });
    // query-clients without view-clients: Keycloak answers the lookup with an empty list, not 403.
    const queryOnly = await KeycloakTestRealm.create({ clients: [AGENT], users: [USER_AGENT], connectorRoles: ['query-clients', 'manage-users'] });
    try {
      const connectorOf = (r: KeycloakTestRealm) => {
        const made = createConnectors([r.connectorEntry()])[0] as KeycloakConnector;
        connectors.push(made);
        return made;
      };
      expect(failedWith(await contain(AGENT, connectorOf(onlyUsers)))).toMatch(/^keycloak client lookup: HTTP 403/);
      expect(failedWith(await contain(USER_AGENT, connectorOf(onlyClients)))).toMatch(/^keycloak user lookup: HTTP 403/);
      expect(await onlyUsers.user(USER_AGENT)).toMatchObject({ enabled: true });
      // Not "no matching client": the connector notices it cannot see clients at all.
      expect(failedWith(await contain(AGENT, connectorOf(queryOnly)))).toBe(
        "keycloak client lookup: the connector's own client containment is not visible to it (its service account needs the realm-management role manage-clients)",
      );
      expect(await queryOnly.client(AGENT)).toMatchObject({ enabled: true });
    } finally {
      await onlyUsers.remove();
      await onlyClients.remove();
      await queryOnly.remove();
    }
  });

  it('renews its admin token once when Keycloak refuses the one it holds', async () => {
    const seen: string[] = [];
    const recordingFetch = (async (url: string | URL, init?: RequestInit) => {
      const response = await fetch(url, init);
      seen.push(`${init?.method ?? 'GET'} ${new URL(String(url)).pathname.replace(`/realms/${realm.name}`, '/realms/R')} ${response.status}`);
      return response;
    }) as typeof fetch;
    const connector = keycloakConnector({}, { fetch: recordingFetch });
    // The warm token is in hand before it is made invalid: the connector's own client gets a notBefore past it.
    await waitUntilWarm(connector);
    const notBefore = Math.floor(Date.now() / 1000) + 1;
    await realm.call('PUT', `/clients/${realm.connector.id}`, { notBefore });
    await new Promise((resolve) => setTimeout(resolve, notBefore * 1000 - Date.now() + 50));

    expect(await contain(AGENT, connector)).toEqual({ status: 'confirmed', detail: expect.stringMatching(CLIENT_DETAIL) });
    expect(await realm.client(AGENT)).toMatchObject({ enabled: false });
    expect(seen.slice(0, 4)).toEqual([
      'POST /realms/R/protocol/openid-connect/token 200',
      'GET /admin/realms/R/clients 401',
      'POST /realms/R/protocol/openid-connect/token 200',
      'GET /admin/realms/R/clients 200',
    ]);
  });

  it('fails when its client secret is wrong, naming the token endpoint and not the secret', async () => {
    const wrongSecret = 'not-the-containment-secret-3c1d';
    const outcome = await contain(AGENT, keycloakConnector({ clientSecret: wrongSecret }));
    expect(outcome).toEqual({ status: 'failed', reason: expect.stringMatching(/^keycloak token endpoint: HTTP 401: .*unauthorized_client/) });
    expect(JSON.stringify(outcome)).not.toContain(wrongSecret);
    expect(await realm.client(AGENT)).toMatchObject({ enabled: true });
  });

  it('asks for a retry when Keycloak cannot be reached', async () => {
    const outcome = await contain(AGENT, keycloakConnector({ baseUrl: await unusedLocalUrl() }));
    expect(outcome).toEqual({ status: 'retry', reason: 'keycloak token endpoint: network error (ECONNREFUSED)' });
  });

  it('has its admin token ready before the first containment: the first containment makes no token request', async () => {
    const calls: string[] = [];
    const countingFetch = ((url: string | URL, init?: RequestInit) => {
      calls.push(String(url));
      return fetch(url, init);
    }) as typeof fetch;
    const isTokenRequest = (url: string) => url.endsWith('/protocol/openid-connect/token');

    // Cold: a containment the moment the connector is made waits for the token (what every first one did before).
    const cold = keycloakConnector({}, { fetch: countingFetch });
    expect((await contain(SUB_AGENT, cold)).status).toBe('confirmed');

    // Warm: the service has been up a moment when the first anomaly comes; the token is already there.
    const warm = keycloakConnector({}, { fetch: countingFetch });
    await waitUntilWarm(warm);
    calls.length = 0;
    expect((await contain(AGENT, warm)).status).toBe('confirmed');

    expect(calls.filter(isTokenRequest)).toEqual([]);
  });

  /** Until the connector's start-up token request has been answered (a revocation then finds the token in hand). */
  async function waitUntilWarm(connector: KeycloakConnector): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!connector.hasAdminToken()) {
      if (Date.now() > deadline) throw new Error('the connector got no admin token within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
});
