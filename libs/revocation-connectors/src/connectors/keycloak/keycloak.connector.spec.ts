import { RecordingReceiver } from '@agentgov/service-testing';

import { fakeKeycloak, FakeKeycloakState, fakeKeycloakState } from '../../../test/support/fake-keycloak';
import { AGENT_ID, aRevocationRequest, outcomeText } from '../../../test/support/revocation-request';
import { KeycloakAgentIdentity } from '../../config/connector-config';
import { createConnectors } from '../../create-connectors';
import { RevocationConnector } from '../../revocation-connector';
import { NO_MATCHING_CLIENT_OR_USER } from './keycloak.connector';

const AGENT_CLIENT_SECRET = 'agent-own-client-secret-4d3c2b1a';

describe('keycloak connector', () => {
  let server: RecordingReceiver;
  let keycloak: FakeKeycloakState;
  let now: Date;

  beforeEach(async () => {
    now = new Date('2025-03-01T12:00:05.000Z');
    keycloak = fakeKeycloakState({
      clients: [
        { id: 'c-0001', clientId: AGENT_ID, secret: AGENT_CLIENT_SECRET, serviceAccountUserId: 'sa-0001' },
        { id: 'c-0002', clientId: `${AGENT_ID}-sub`, serviceAccountUserId: 'sa-0002' },
        { id: 'c-0003', clientId: 'reporting-bot' },
      ],
      users: [{ id: 'u-0001', username: 'mail-agent-7' }],
    });
    server = await new RecordingReceiver(fakeKeycloak(keycloak)).start();
  });
  afterEach(() => server.stop());

  function keycloakConnector(agentIdentity?: KeycloakAgentIdentity, clientSecret = keycloak.adminClientSecret): RevocationConnector {
    const config = [
      {
        name: 'corp-keycloak',
        type: 'keycloak',
        baseUrl: server.url,
        realm: keycloak.realm,
        clientId: keycloak.adminClientId,
        clientSecret,
        timeoutMs: 300,
        ...(agentIdentity ? { agentIdentity } : {}),
      },
    ];
    return createConnectors(config, { now: () => now })[0]!;
  }

  const calls = () => server.requests.map((r) => `${r.method} ${r.path}`);

  it('disables the agent client, moves its notBefore to now and logs out its service-account user', async () => {
    const outcome = await keycloakConnector().revoke(aRevocationRequest());

    const notBefore = Math.floor(now.getTime() / 1000);
    expect(outcome).toEqual({
      status: 'confirmed',
      detail: `client disabled, notBefore set to ${notBefore}: earlier tokens invalid; service-account user logged out`,
    });
    expect(calls()).toEqual([
      'POST /realms/agents/protocol/openid-connect/token',
      `GET /admin/realms/agents/clients?clientId=${AGENT_ID}`,
      'GET /admin/realms/agents/clients/c-0001',
      'PUT /admin/realms/agents/clients/c-0001',
      'GET /admin/realms/agents/clients/c-0001/service-account-user',
      'POST /admin/realms/agents/users/sa-0001/logout',
    ]);
    // The exact match, not the sub-agent whose clientId merely starts with the same id.
    expect(keycloak.updates.get('c-0001')).toEqual({ id: 'c-0001', clientId: AGENT_ID, enabled: false, notBefore });
    expect(keycloak.updates.has('c-0002')).toBe(false);
    expect(keycloak.loggedOutUserIds).toEqual(['sa-0001']);
    const put = server.requests[3]!;
    expect(put.headers['content-type']).toBe('application/json');
    expect(put.body).not.toContain(AGENT_CLIENT_SECRET);
    expect(server.requests[1]!.headers.authorization).toBe(`Bearer ${keycloak.issuedTokens[0]}`);
  });

  it('asks for the admin token by client credentials with the admin client in the Basic header', async () => {
    await keycloakConnector().revoke(aRevocationRequest());
    const [tokenRequest] = server.requests;
    expect(tokenRequest!.body).toBe('grant_type=client_credentials');
    expect(tokenRequest!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(tokenRequest!.headers.authorization).toBe(`Basic ${Buffer.from(`${keycloak.adminClientId}:${keycloak.adminClientSecret}`).toString('base64')}`);
  });

  it('skips the logout when the client has no service account', async () => {
    const outcome = await keycloakConnector().revoke(aRevocationRequest({ agentId: 'reporting-bot' }));
    expect(outcome).toEqual({ status: 'confirmed', detail: expect.stringMatching(/^client disabled, notBefore set to \d+: earlier tokens invalid$/) });
    expect(keycloak.updates.has('c-0003')).toBe(true);
    expect(keycloak.loggedOutUserIds).toEqual([]);
  });

  it('disables and logs out a user named like the agent when no client matches', async () => {
    const outcome = await keycloakConnector().revoke(aRevocationRequest({ agentId: 'Mail-Agent-7' }));
    expect(outcome).toEqual({ status: 'confirmed', detail: 'user disabled and its sessions logged out' });
    expect(calls().slice(2)).toEqual([
      'GET /admin/realms/agents/users?username=Mail-Agent-7&exact=true',
      'PUT /admin/realms/agents/users/u-0001',
      'POST /admin/realms/agents/users/u-0001/logout',
    ]);
    expect(keycloak.updates.get('u-0001')).toEqual({ enabled: false });
    expect(keycloak.loggedOutUserIds).toEqual(['u-0001']);
  });

  it('a release enables the client or user again, and logs nobody out', async () => {
    expect(await keycloakConnector().revoke(aRevocationRequest({ kind: 'release' }))).toEqual({ status: 'confirmed', detail: 'client enabled again' });
    expect(keycloak.updates.get('c-0001')).toMatchObject({ clientId: AGENT_ID, enabled: true });
    expect(keycloak.updates.get('c-0001')).toHaveProperty('notBefore', 0); // as read: a release does not move it
    expect(await keycloakConnector().revoke(aRevocationRequest({ agentId: 'Mail-Agent-7', kind: 'release' }))).toEqual({
      status: 'confirmed',
      detail: 'user enabled again',
    });
    expect(keycloak.updates.get('u-0001')).toEqual({ enabled: true });
    expect(keycloak.loggedOutUserIds).toEqual([]);
  });

  it('looks only where agentIdentity says', async () => {
    expect(await keycloakConnector('client').revoke(aRevocationRequest({ agentId: 'mail-agent-7' }))).toEqual({
      status: 'confirmed',
      detail: NO_MATCHING_CLIENT_OR_USER,
    });
    expect(calls().some((call) => call.includes('/users'))).toBe(false);

    server.requests.length = 0;
    await keycloakConnector('user').revoke(aRevocationRequest());
    expect(calls().some((call) => call.includes('/clients'))).toBe(false);
  });

  it('confirms with nothing to revoke when neither a client nor a user matches', async () => {
    const outcome = await keycloakConnector().revoke(aRevocationRequest({ agentId: 'shadow-agent-42' }));
    expect(outcome).toEqual({ status: 'confirmed', detail: NO_MATCHING_CLIENT_OR_USER });
    expect(keycloak.updates.size).toBe(0);
  });

  it('treats a user already gone at logout as logged out', async () => {
    keycloak.override = (request) => (request.path.endsWith('/logout') ? { status: 404, body: { error: 'User not found' } } : undefined);
    const outcome = await keycloakConnector().revoke(aRevocationRequest());
    expect(outcome.status).toBe('confirmed');
  });

  it('reuses the admin token until 30 s before it expires', async () => {
    const connector = keycloakConnector();
    await connector.revoke(aRevocationRequest());
    now = new Date(now.getTime() + (keycloak.tokenLifetimeSeconds - 31) * 1000);
    await connector.revoke(aRevocationRequest());
    expect(keycloak.issuedTokens).toHaveLength(1);

    now = new Date(now.getTime() + 2000);
    await connector.revoke(aRevocationRequest());
    expect(keycloak.issuedTokens).toHaveLength(2);
  });

  it('shares one token request between concurrent revocations', async () => {
    const connector = keycloakConnector();
    const outcomes = await Promise.all([connector.revoke(aRevocationRequest()), connector.revoke(aRevocationRequest({ agentId: 'mail-agent-7' }))]);
    expect(outcomes.map((o) => o.status)).toEqual(['confirmed', 'confirmed']);
    expect(keycloak.issuedTokens).toHaveLength(1);
  });

  it('gets a new admin token once when the admin API refuses the cached one', async () => {
    const connector = keycloakConnector();
    await connector.revoke(aRevocationRequest());
    keycloak.revokedTokens.add(keycloak.issuedTokens[0]!);

    const outcome = await connector.revoke(aRevocationRequest());
    expect(outcome.status).toBe('confirmed');
    expect(keycloak.issuedTokens).toHaveLength(2);
  });

  it('fails when the admin API refuses a fresh token too, without repeating it or the secret', async () => {
    keycloak.override = (request) =>
      request.path.startsWith('/admin/') ? { status: 401, body: `refused ${request.headers.authorization} ${keycloak.adminClientSecret}` } : undefined;
    const outcome = await keycloakConnector().revoke(aRevocationRequest());
    expect(outcome.status).toBe('failed');
    expect(keycloak.issuedTokens).toHaveLength(2);
    const text = outcomeText(outcome);
    expect(text).toContain('keycloak client lookup: HTTP 401');
    for (const secret of [...keycloak.issuedTokens, keycloak.adminClientSecret]) expect(text).not.toContain(secret);
  });

  it('fails when the admin client credentials are wrong, without repeating the secret', async () => {
    const wrongSecret = 'a-wrong-admin-secret-1f2e3d';
    keycloak.override = (request) =>
      request.path.includes('/token') ? { status: 401, body: `unauthorized_client ${wrongSecret} ${request.headers.authorization}` } : undefined;
    const outcome = await keycloakConnector(undefined, wrongSecret).revoke(aRevocationRequest());
    expect(outcome).toEqual({ status: 'failed', reason: 'keycloak token endpoint: HTTP 401: unauthorized_client [redacted] Basic [redacted]' });
    expect(keycloak.updates.size).toBe(0);
  });

  it('asks for a retry on 503 from the admin API, honouring Retry-After', async () => {
    keycloak.override = (request) => (request.method === 'PUT' ? { status: 503, headers: { 'retry-after': '12' }, body: 'Service Unavailable' } : undefined);
    const outcome = await keycloakConnector().revoke(aRevocationRequest());
    expect(outcome).toEqual({ status: 'retry', reason: 'keycloak client update: HTTP 503: Service Unavailable', retryAfterMs: 12_000 });
  });

  it('asks for a retry when Keycloak does not answer in time', async () => {
    keycloak.override = (request) => (request.path.includes('/clients?') ? 'hang' : undefined);
    const outcome = await keycloakConnector().revoke(aRevocationRequest());
    expect(outcome).toEqual({ status: 'retry', reason: 'keycloak client lookup: no answer within 300 ms' });
  });

  it('asks for a retry when the token endpoint does not answer in time', async () => {
    keycloak.override = () => 'hang';
    const outcome = await keycloakConnector().revoke(aRevocationRequest());
    expect(outcome).toEqual({ status: 'retry', reason: 'keycloak token endpoint: no answer within 300 ms' });
  });
});
