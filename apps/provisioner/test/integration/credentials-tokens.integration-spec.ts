import { randomUUID } from 'node:crypto';

import { decodeJwt, decodeProtectedHeader } from 'jose';

import { Topics } from '@agentgov/contracts';
import { collectMessages, uniqueName, withTestDatabase } from '@agentgov/test-support';

import { generateClientSecret, hashClientSecret } from '../../src/credentials/client-secret';
import { ProvisionerHarness } from '../support/provisioner-harness';

interface Agent {
  id: string;
  secret: string;
}

async function seedOwner(): Promise<string> {
  const id = uniqueName('cred-owner');
  await withTestDatabase((c) => c.query(`INSERT INTO "provisioner"."owners" ("id", "status") VALUES ($1, 'active')`, [id]));
  return id;
}

async function seedAgent(ownerId: string, scopes: string[], parent?: Agent, depth = 0): Promise<Agent> {
  const id = randomUUID();
  const secret = generateClientSecret();
  const hash = await hashClientSecret(secret);
  await withTestDatabase((c) =>
    c.query(
      `INSERT INTO "provisioner"."agents" ("id", "name", "owner_id", "parent_id", "depth", "purpose", "platform", "risk_tier", "scopes", "created_by", "client_secret_hash")
       VALUES ($1, $2, $3, $4, $5, 'credentials tests', 'langgraph', 'low', $6, 'test', $7)`,
      [id, `agent ${id.slice(0, 8)}`, ownerId, parent?.id ?? null, depth, scopes, hash],
    ),
  );
  return { id, secret };
}

function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

describe('agents get short-lived tokens that stop working the moment they are revoked', () => {
  const harness = new ProvisionerHarness();
  let ownerId: string;
  let agent: Agent;

  async function form(path: string, params: Record<string, string>, authorization?: string) {
    const response = await fetch(`${harness.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization ? { authorization } : {}) },
      body: new URLSearchParams(params).toString(),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  }

  async function issue(a: Agent, scope?: string): Promise<string> {
    const response = await form('/oauth2/token', { grant_type: 'client_credentials', ...(scope ? { scope } : {}) }, basic(a.id, a.secret));
    expect(response.status).toBe(200);
    return response.body.access_token;
  }

  async function introspect(token: string) {
    const response = await harness.request('POST', '/oauth2/introspect', { token }, ['soc-analyst']);
    expect(response.status).toBe(200);
    return response.body;
  }

  beforeAll(async () => {
    await harness.start();
    ownerId = await seedOwner();
    agent = await seedAgent(ownerId, ['crm:read', 'crm:write', 'mail:send']);
  }, 60000);
  afterAll(() => harness.stop());

  it('issues an ES256 at+jwt for an active agent, which introspection reports active with its claims', async () => {
    const response = await form('/oauth2/token', { grant_type: 'client_credentials', scope: 'crm:read mail:send' }, basic(agent.id, agent.secret));

    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.body).toMatchObject({ token_type: 'Bearer', expires_in: 300, scope: 'crm:read mail:send' });
    const header = decodeProtectedHeader(response.body.access_token);
    expect(header).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    const claims = decodeJwt(response.body.access_token);
    expect(claims).toMatchObject({ sub: agent.id, client_id: agent.id, owner_id: ownerId, scope: 'crm:read mail:send', iss: 'http://127.0.0.1:3001' });
    expect(claims.exp! - claims.iat!).toBe(300);
    expect(claims.act).toBeUndefined();

    const jwks = (await fetch(`${harness.url}/.well-known/jwks.json`).then((r) => r.json())) as { keys: Array<Record<string, unknown> & { kid: string }> };
    expect(jwks.keys.map((k: { kid: string }) => k.kid)).toContain(header.kid);
    expect(jwks.keys.every((k: Record<string, unknown>) => k.d === undefined)).toBe(true);

    expect(await introspect(response.body.access_token)).toEqual({
      active: true,
      sub: agent.id,
      client_id: agent.id,
      scope: 'crm:read mail:send',
      exp: claims.exp,
      iat: claims.iat,
      jti: claims.jti,
      iss: 'http://127.0.0.1:3001',
      token_type: 'Bearer',
    });
  });

  it("accepts client_secret_post, and gives all the agent's scopes when none are asked for", async () => {
    const response = await form('/oauth2/token', { grant_type: 'client_credentials', client_id: agent.id, client_secret: agent.secret });

    expect(response.status).toBe(200);
    expect(response.body.scope).toBe('crm:read crm:write mail:send');
  });

  it('answers a wrong secret and an unknown client alike: 401 invalid_client with a Basic challenge', async () => {
    const wrong = await form('/oauth2/token', { grant_type: 'client_credentials' }, basic(agent.id, generateClientSecret()));
    const unknown = await form('/oauth2/token', { grant_type: 'client_credentials' }, basic(randomUUID(), agent.secret));
    const notAnId = await form('/oauth2/token', { grant_type: 'client_credentials', client_id: 'nobody', client_secret: 'x' });

    for (const response of [wrong, unknown, notAnId]) {
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed.' });
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    }
  });

  it('refuses a scope the agent was not granted with invalid_scope, rather than narrowing it', async () => {
    const response = await form('/oauth2/token', { grant_type: 'client_credentials', scope: 'crm:read admin:all' }, basic(agent.id, agent.secret));

    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_scope');
    expect(response.body.access_token).toBeUndefined();
  });

  it('refuses other grant types with unsupported_grant_type', async () => {
    const response = await form('/oauth2/token', { grant_type: 'password', username: 'u', password: 'p' }, basic(agent.id, agent.secret));

    expect(response.status).toBe(400);
    expect(response.body.error).toBe('unsupported_grant_type');
  });

  it("names the parent and grandparent in the act chain of a sub-sub-agent's token", async () => {
    const parent = await seedAgent(ownerId, ['crm:read'], agent, 1);
    const child = await seedAgent(ownerId, ['crm:read'], parent, 2);

    const token = await issue(child);

    expect(decodeJwt(token).act).toEqual({ sub: parent.id, act: { sub: agent.id } });
    expect(await introspect(token)).toMatchObject({ active: true, sub: child.id, act: { sub: parent.id, act: { sub: agent.id } } });
  });

  it("revokes one token by RFC 7009: that one is inactive, the agent's others still active", async () => {
    const revoked = await issue(agent);
    const kept = await issue(agent);

    const response = await form('/oauth2/revoke', { token: revoked, token_type_hint: 'access_token' }, basic(agent.id, agent.secret));

    expect(response.status).toBe(200);
    expect(await introspect(revoked)).toEqual({ active: false });
    expect(await introspect(kept)).toMatchObject({ active: true });
    const { jti } = decodeJwt(revoked);
    const rows = await withTestDatabase(
      async (c) => (await c.query(`SELECT "action", "details" FROM "provisioner"."audit_log" WHERE "subject_id" = $1`, [agent.id])).rows,
    );
    expect(rows).toContainEqual({ action: 'agent.token-revoked', details: expect.objectContaining({ jti }) });
  });

  it("answers 200 to revoking garbage, and refuses to revoke another client's token", async () => {
    const other = await seedAgent(ownerId, ['crm:read']);
    const othersToken = await issue(other);

    expect((await form('/oauth2/revoke', { token: 'not-a-token' }, basic(agent.id, agent.secret))).status).toBe(200);
    const refused = await form('/oauth2/revoke', { token: othersToken }, basic(agent.id, agent.secret));
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('unauthorized_client');
    expect(await introspect(othersToken)).toMatchObject({ active: true });
  });

  it('revoke-all makes every token inactive at once, emits agent.credentials-revoked, and a new token is active again', async () => {
    const subject = await seedAgent(ownerId, ['crm:read']);
    const tokens = [await issue(subject), await issue(subject), await issue(subject)];
    for (const token of tokens) expect(await introspect(token)).toMatchObject({ active: true });

    const response = await harness.request('POST', `/agents/${subject.id}/revoke-tokens`, undefined, ['soc-analyst']);

    expect(response.status).toBe(200);
    for (const token of tokens) expect(await introspect(token)).toEqual({ active: false });
    // Twice is harmless.
    expect((await harness.request('POST', `/agents/${subject.id}/revoke-tokens`, undefined, ['revoke-tokens'])).status).toBe(200);
    const fresh = await issue(subject);
    expect(await introspect(fresh)).toMatchObject({ active: true, sub: subject.id });

    const events = await collectMessages(harness.kafka, harness.topic(Topics.AgentLifecycle), 2, { timeoutMs: 20000 });
    const revokedEvents = events.map((m) => JSON.parse(m.value)).filter((e) => e.agentId === subject.id);
    expect(revokedEvents).toHaveLength(2);
    expect(revokedEvents[0]).toMatchObject({ kind: 'agent.credentials-revoked', ownerId, status: 'active', cause: { type: 'api', actor: 'test-admin' } });
  });

  it("narrowing an agent's scopes ends its live tokens that carry a removed scope, at once; the others and new ones stay active", async () => {
    const narrowed = await seedAgent(ownerId, ['crm:read', 'mail:send']);
    const wide = await issue(narrowed, 'crm:read mail:send');
    const narrow = await issue(narrowed, 'crm:read');
    expect(await introspect(wide)).toMatchObject({ active: true });

    const patched = await harness.request('PATCH', `/agents/${narrowed.id}`, { scopes: ['crm:read'] });
    expect(patched.status).toBe(200);

    expect(await introspect(wide)).toEqual({ active: false });
    expect(await introspect(narrow)).toMatchObject({ active: true, scope: 'crm:read' });
    expect(await introspect(await issue(narrowed))).toMatchObject({ active: true, scope: 'crm:read' });
  });

  it('makes a token inactive the moment its agent is suspended or expires in the database', async () => {
    const suspended = await seedAgent(ownerId, ['crm:read']);
    const expiring = await seedAgent(ownerId, ['crm:read']);
    const suspendedToken = await issue(suspended);
    const expiringToken = await issue(expiring);

    await withTestDatabase(async (c) => {
      await c.query(`UPDATE "provisioner"."agents" SET "status" = 'suspended' WHERE "id" = $1`, [suspended.id]);
      await c.query(`UPDATE "provisioner"."agents" SET "expires_at" = now() - interval '1 second' WHERE "id" = $1`, [expiring.id]);
    });

    expect(await introspect(suspendedToken)).toEqual({ active: false });
    expect(await introspect(expiringToken)).toEqual({ active: false });
    const refused = await form('/oauth2/token', { grant_type: 'client_credentials' }, basic(suspended.id, suspended.secret));
    expect(refused.status).toBe(401);
    expect(refused.body.error).toBe('invalid_client');
  });

  it('refuses a token to a sub-agent whose parent is suspended', async () => {
    const parent = await seedAgent(ownerId, ['crm:read']);
    const child = await seedAgent(ownerId, ['crm:read'], parent, 1);
    await withTestDatabase((c) => c.query(`UPDATE "provisioner"."agents" SET "status" = 'suspended' WHERE "id" = $1`, [parent.id]));

    const refused = await form('/oauth2/token', { grant_type: 'client_credentials' }, basic(child.id, child.secret));

    expect(refused.status).toBe(401);
  });

  it('reports tokens it did not sign, or tampered ones, as inactive', async () => {
    const token = await issue(agent);
    const [h, p, s] = token.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ ...decodeJwt(token), scope: 'admin:all' })).toString('base64url');

    expect(await introspect(`${h}.${forgedPayload}.${s}`)).toEqual({ active: false });
    expect(await introspect(`${h}.${p}.${s.slice(0, -4)}AAAA`)).toEqual({ active: false });
    expect(await introspect(await harness.token(['admin']))).toEqual({ active: false });
  });

  it('refuses introspection without a platform bearer token, or with the wrong role', async () => {
    const token = await issue(agent);
    const anonymous = await fetch(`${harness.url}/oauth2/introspect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }).toString(),
    });

    expect(anonymous.status).toBe(401);
    expect((await harness.request('POST', '/oauth2/introspect', { token }, ['reviewer'])).status).toBe(403);
  });

  it("rotates an agent's secret: the new one works once shown, the old one no longer does", async () => {
    const subject = await seedAgent(ownerId, ['crm:read']);

    const response = await harness.request('POST', `/agents/${subject.id}/rotate-secret`);

    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.body).toMatchObject({ clientId: subject.id, clientSecret: expect.any(String) });
    expect((await form('/oauth2/token', { grant_type: 'client_credentials' }, basic(subject.id, subject.secret))).status).toBe(401);
    await issue({ id: subject.id, secret: response.body.clientSecret });
    const [row] = await withTestDatabase(
      async (c) => (await c.query(`SELECT "client_secret_hash" FROM "provisioner"."agents" WHERE "id" = $1`, [subject.id])).rows,
    );
    expect(row.client_secret_hash).not.toContain(response.body.clientSecret);
    expect((await harness.request('POST', `/agents/${subject.id}/rotate-secret`, undefined, ['soc-analyst'])).status).toBe(403);
  });

  it('publishes RFC 8414 metadata naming its endpoints', async () => {
    const metadata = (await fetch(`${harness.url}/.well-known/oauth-authorization-server`).then((r) => r.json())) as Record<string, unknown>;

    expect(metadata).toMatchObject({
      issuer: 'http://127.0.0.1:3001',
      token_endpoint: 'http://127.0.0.1:3001/oauth2/token',
      jwks_uri: 'http://127.0.0.1:3001/.well-known/jwks.json',
      introspection_endpoint: 'http://127.0.0.1:3001/oauth2/introspect',
      revocation_endpoint: 'http://127.0.0.1:3001/oauth2/revoke',
      grant_types_supported: ['client_credentials', 'urn:ietf:params:oauth:grant-type:token-exchange'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    });
  });
});
