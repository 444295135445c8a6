import { basicAuthorization, RealOAuthServer, startRealOAuthServer } from '../support/oauth-server/real-oauth-server';

// Proves the real authorization server does what the containment integration tests rely on: an agent's
// client_credentials token is active at introspection until the containment client revokes it (RFC 7009,
// client_secret_basic), and inactive afterwards. Needs neither Kafka nor Postgres.

const containment = { clientId: 'containment', clientSecret: 'containment-secret', canRevokeAnyToken: true };
const agent = { clientId: 'agent-7f3a', clientSecret: 'agent-7f3a-secret' };
const otherAgent = { clientId: 'agent-91c2', clientSecret: 'agent-91c2-secret' };

describe('real OAuth 2.0 server (oidc-provider) for containment integration tests', () => {
  let server: RealOAuthServer;

  beforeAll(async () => {
    server = await startRealOAuthServer({ clients: [containment, agent, otherAgent], scopes: ['agent:act'] });
  });

  afterAll(async () => {
    await server?.stop();
  });

  function revoke(token: string, as: { clientId: string; clientSecret: string }): Promise<Response> {
    return fetch(server.revocationEndpoint, {
      method: 'POST',
      headers: {
        authorization: basicAuthorization(as.clientId, as.clientSecret),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
    });
  }

  it('publishes its endpoints in the discovery document, on the 127.0.0.1 issuer', () => {
    expect(server.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.tokenEndpoint).toBe(`${server.issuer}/token`);
    expect(server.revocationEndpoint).toBe(`${server.issuer}/token/revocation`);
    expect(server.introspectionEndpoint).toBe(`${server.issuer}/token/introspection`);
  });

  it('issues an opaque client_credentials token that introspects as active', async () => {
    const issued = await server.clientCredentialsToken(agent.clientId, agent.clientSecret, 'agent:act');
    expect(issued).toMatchObject({ token_type: 'Bearer', scope: 'agent:act', expires_in: 600 });
    expect(issued.access_token.split('.')).toHaveLength(1);

    await expect(server.introspect(issued.access_token, containment)).resolves.toMatchObject({
      active: true,
      client_id: agent.clientId,
      scope: 'agent:act',
      iss: server.issuer,
    });
  });

  it('lets the containment client revoke an agent token (RFC 7009), after which it introspects as inactive', async () => {
    const { access_token: token } = await server.clientCredentialsToken(agent.clientId, agent.clientSecret);
    expect((await server.introspect(token, containment)).active).toBe(true);

    const response = await revoke(token, containment);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');

    await expect(server.introspect(token, containment)).resolves.toEqual({ active: false });
    await expect(server.introspect(token, agent)).resolves.toEqual({ active: false });
  });

  it('answers 401 invalid_client to a wrong client secret at the revocation endpoint, and revokes nothing', async () => {
    const { access_token: token } = await server.clientCredentialsToken(agent.clientId, agent.clientSecret);

    const response = await revoke(token, { clientId: containment.clientId, clientSecret: 'not-the-secret' });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'invalid_client' });

    expect((await server.introspect(token, containment)).active).toBe(true);
  });

  it("refuses an agent revoking another agent's token (400), but lets an agent revoke its own", async () => {
    const { access_token: token } = await server.clientCredentialsToken(agent.clientId, agent.clientSecret);

    const foreign = await revoke(token, otherAgent);
    expect(foreign.status).toBe(400);
    expect(await foreign.json()).toMatchObject({ error: 'invalid_request' });
    expect((await server.introspect(token, containment)).active).toBe(true);

    expect((await revoke(token, agent)).status).toBe(200);
    expect((await server.introspect(token, containment)).active).toBe(false);
  });

  it('answers 200 to the revocation of an unknown token, as RFC 7009 §2.2 requires', async () => {
    expect((await revoke('no-such-token', containment)).status).toBe(200);
  });

  it('stops: the port no longer answers', async () => {
    const stopped = await startRealOAuthServer({ clients: [agent] });
    await stopped.stop();
    await stopped.stop();
    await expect(fetch(`${stopped.issuer}/.well-known/openid-configuration`)).rejects.toThrow();
  });
});
