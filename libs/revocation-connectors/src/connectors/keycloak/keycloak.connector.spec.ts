import { Answer, ReceivedRequest, RecordingReceiver } from '@agentgov/service-testing';

import { AGENT_ID, aRevocationRequest, outcomeText } from '../../../test/support/revocation-request';
import { createConnectors } from '../../create-connectors';
import { KeycloakConnector } from './keycloak.connector';

const ADMIN_CLIENT_ID = 'agentgov-admin';
const ADMIN_SECRET = 'kc-admin-secret-7e6d5c4b3a29';

/**
 * The connector's answers to a Keycloak that misbehaves: refusals, outages, silence, and bodies that echo credentials.
 * The server here only answers as each test scripts it; what the connector does at a real Keycloak 26 is proven
 * against one in test/integration/keycloak.connector.integration-spec.ts.
 */
describe('keycloak connector, when Keycloak refuses, fails or hangs', () => {
  let server: RecordingReceiver;
  let connector: KeycloakConnector | undefined;
  let issued: string[];
  let script: (request: ReceivedRequest) => Answer | undefined;

  beforeEach(async () => {
    issued = [];
    script = () => undefined;
    server = await new RecordingReceiver((request) => script(request) ?? answer(request)).start();
  });
  afterEach(async () => {
    connector?.close();
    await server.stop();
  });

  /** A token for every token request; no client or user found by the admin API but the connector's own client. */
  function answer(request: ReceivedRequest): Answer {
    if (request.path === '/realms/agents/protocol/openid-connect/token') {
      issued.push(`kc-admin-token-${issued.length + 1}-0a1b2c3d4e5f`);
      return { status: 200, body: { access_token: issued.at(-1), expires_in: 300, token_type: 'Bearer' } };
    }
    if (request.path.startsWith(`/admin/realms/agents/clients?clientId=${ADMIN_CLIENT_ID}&`))
      return { status: 200, body: [{ id: 'c-0000', clientId: ADMIN_CLIENT_ID }] };
    if (request.path.startsWith('/admin/realms/agents/clients?') || request.path.startsWith('/admin/realms/agents/users?')) return { status: 200, body: [] };
    return { status: 404 };
  }

  function keycloakConnector(clientSecret = ADMIN_SECRET): KeycloakConnector {
    const config = [{ name: 'corp-keycloak', type: 'keycloak', baseUrl: server.url, realm: 'agents', clientId: ADMIN_CLIENT_ID, clientSecret, timeoutMs: 300 }];
    connector = createConnectors(config)[0] as KeycloakConnector;
    return connector;
  }
  const tokenRequests = () => server.requests.filter((r) => r.path.endsWith('/protocol/openid-connect/token'));
  const adminRequests = () => server.requests.filter((r) => r.path.startsWith('/admin/'));

  async function until(condition: () => boolean): Promise<void> {
    for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(condition()).toBe(true);
  }

  it('asks for its admin token as soon as it is made, so that the first revocation does not wait for one', async () => {
    const made = keycloakConnector();
    await until(() => issued.length === 1);
    expect(tokenRequests()[0]!.body).toBe('grant_type=client_credentials');
    expect(tokenRequests()[0]!.headers.authorization).toBe(`Basic ${Buffer.from(`${ADMIN_CLIENT_ID}:${ADMIN_SECRET}`).toString('base64')}`);

    expect((await made.revoke(aRevocationRequest())).status).toBe('confirmed');
    expect(tokenRequests()).toHaveLength(1);
    expect(adminRequests().map((r) => r.path)).toEqual([
      `/admin/realms/agents/clients?clientId=${AGENT_ID}&search=false`,
      // Before "no such client" is believed: the connector can see its own client.
      `/admin/realms/agents/clients?clientId=${ADMIN_CLIENT_ID}&search=false`,
      `/admin/realms/agents/users?username=${AGENT_ID}&exact=true`,
    ]);
    expect(new Set(adminRequests().map((r) => r.headers.authorization))).toEqual(new Set([`Bearer ${issued[0]}`]));
  });

  it('fails when the admin API refuses a fresh token too, without repeating it or the secret', async () => {
    script = (request) => (request.path.startsWith('/admin/') ? { status: 401, body: `refused ${request.headers.authorization} ${ADMIN_SECRET}` } : undefined);
    const outcome = await keycloakConnector().revoke(aRevocationRequest());
    expect(outcome.status).toBe('failed');
    // The cached token was refused, a new one was asked for once, and refused again.
    expect(issued).toHaveLength(2);
    expect(adminRequests()).toHaveLength(2);
    const text = outcomeText(outcome);
    expect(text).toContain('keycloak client lookup: HTTP 401');
    for (const secret of [...issued, ADMIN_SECRET]) expect(text).not.toContain(secret);
  });

  it('fails when the admin client credentials are wrong, without repeating the secret', async () => {
    const wrongSecret = 'a-wrong-admin-secret-1f2e3d';
    script = (request) =>
      request.path.includes('/token') ? { status: 401, body: `unauthorized_client ${wrongSecret} ${request.headers.authorization}` } : undefined;
    const outcome = await keycloakConnector(wrongSecret).revoke(aRevocationRequest());
    expect(outcome).toEqual({ status: 'failed', reason: 'keycloak token endpoint: HTTP 401: unauthorized_client [redacted] Basic [redacted]' });
    expect(adminRequests()).toHaveLength(0);
  });

  it('asks for a retry on 503 from the admin API, honouring Retry-After', async () => {
    script = (request) =>
      request.path.startsWith('/admin/realms/agents/clients?')
        ? { status: 200, body: [{ id: 'c-0001', clientId: AGENT_ID, serviceAccountsEnabled: true }] }
        : request.method === 'PUT'
          ? { status: 503, headers: { 'retry-after': '12' }, body: 'Service Unavailable' }
          : undefined;
    const outcome = await keycloakConnector().revoke(aRevocationRequest());
    expect(outcome).toEqual({ status: 'retry', reason: 'keycloak client update: HTTP 503: Service Unavailable', retryAfterMs: 12_000 });
  });

  it('asks for a retry when Keycloak does not answer in time', async () => {
    script = (request) => (request.path.includes('/clients?') ? 'hang' : undefined);
    const outcome = await keycloakConnector().revoke(aRevocationRequest());
    expect(outcome).toEqual({ status: 'retry', reason: 'keycloak client lookup: no answer within 300 ms' });
  });

  it('asks for a retry when the token endpoint does not answer in time', async () => {
    script = () => 'hang';
    const outcome = await keycloakConnector().revoke(aRevocationRequest());
    expect(outcome).toEqual({ status: 'retry', reason: 'keycloak token endpoint: no answer within 300 ms' });
  });

  it('disables a plain client_credentials client with two admin calls: no session lookups for a client that cannot have one', async () => {
    script = (request) => {
      if (request.path.startsWith(`/admin/realms/agents/clients?clientId=${AGENT_ID}&`)) {
        return { status: 200, body: [{ id: 'c-agent', clientId: AGENT_ID, serviceAccountsEnabled: true, attributes: {} }] };
      }
      if (request.method === 'PUT' && request.path === '/admin/realms/agents/clients/c-agent') return { status: 204 };
      return undefined;
    };
    const outcome = await keycloakConnector().revoke(aRevocationRequest({ kind: 'contain' }));

    expect(outcome).toMatchObject({ status: 'confirmed', detail: expect.stringMatching(/^client disabled, notBefore set to .*: earlier tokens inactive$/) });
    expect(adminRequests().map((r) => `${r.method} ${r.path.split('?')[0]}`)).toEqual([
      'GET /admin/realms/agents/clients',
      'PUT /admin/realms/agents/clients/c-agent',
    ]);
  });
});
