import { randomUUID } from 'node:crypto';

import { decodeJwt } from 'jose';

import { Role } from '@agentgov/auth';
import { withTestDatabase } from '@agentgov/test-support';

import { generateClientSecret, hashClientSecret } from '../../src/credentials/client-secret';
import { ProvisionerHarness } from '../support/provisioner-harness';
import { seedOwner } from '../support/registry-seed';

const ISSUER = 'https://agentgov-issuer.test';

/**
 * Resource servers (MCP servers included) registered with their RFC 9728 metadata, and client credentials tokens
 * bound to them per RFC 8707: `aud` is the resource, and only the tool-level scopes it offers and the agent holds.
 */
describe('resource servers with RFC 9728 metadata, and audience-bound client credentials tokens (RFC 8707)', () => {
  const audience = 'https://platform.example.test';
  const harness = new ProvisionerHarness({ ISSUER_URL: ISSUER, ACCESS_TOKEN_AUDIENCE: audience });
  const unique = () => randomUUID().slice(0, 8);

  beforeAll(() => harness.start(), 60000);
  afterAll(() => harness.stop());

  const registerResource = (body: Record<string, unknown>, roles: Role[] = ['admin']) => harness.request('POST', '/resource-servers', body, roles);

  async function agentWith(scopes: string[]): Promise<{ id: string; secret: string }> {
    const id = randomUUID();
    const secret = generateClientSecret();
    const ownerId = await seedOwner();
    const hash = await hashClientSecret(secret);
    await withTestDatabase((c) =>
      c.query(
        `INSERT INTO "provisioner"."agents" ("id", "name", "owner_id", "purpose", "platform", "risk_tier", "scopes", "created_by", "client_secret_hash")
         VALUES ($1, 'mcp client', $2, 'resource tests', 'langgraph', 'low', $3, 'test', $4)`,
        [id, ownerId, scopes, hash],
      ),
    );
    return { id, secret };
  }

  async function token(agent: { id: string; secret: string }, params: Array<[string, string]>) {
    const response = await fetch(`${harness.url}/oauth2/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${agent.id}:${agent.secret}`).toString('base64')}`,
      },
      body: new URLSearchParams([['grant_type', 'client_credentials'], ...params]).toString(),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  }

  it('registers, lists, reads, updates and deletes a resource server; its RFC 9728 document is public; each change is audited', async () => {
    const resource = `https://crm-${unique()}.example.test/mcp`;
    const created = await registerResource({
      resource,
      resource_name: 'CRM MCP server',
      scopes_supported: ['crm.records.read', 'crm.records.delete'],
      resource_documentation: 'https://docs.example.test/crm-mcp',
    });
    expect(created.status).toBe(201);
    const metadata = {
      resource,
      authorization_servers: [ISSUER],
      scopes_supported: ['crm.records.read', 'crm.records.delete'],
      bearer_methods_supported: ['header'],
      resource_name: 'CRM MCP server',
      resource_documentation: 'https://docs.example.test/crm-mcp',
    };
    expect(created.body).toMatchObject({ metadata, createdBy: 'test-admin' });
    const id = created.body.id as string;

    // People read it; only an admin changes it.
    expect((await harness.request('GET', `/resource-servers/${id}`, undefined, ['reviewer'])).body).toEqual(created.body);
    expect((await registerResource({ resource: `${resource}/x`, resource_name: 'x', scopes_supported: ['a'] }, ['soc-analyst'])).status).toBe(403);

    const document = await fetch(`${harness.url}/resource-servers/${id}/oauth-protected-resource`);
    expect(document.status).toBe(200);
    expect(document.headers.get('cache-control')).toBe('public, max-age=300');
    expect(await document.json()).toEqual(metadata);

    const issuerMetadata = (await (await fetch(`${harness.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, any>;
    expect(issuerMetadata.grant_types_supported).toEqual(['client_credentials', 'urn:ietf:params:oauth:grant-type:token-exchange']);
    expect(issuerMetadata.protected_resources).toContain(resource);

    const updated = await harness.request('PATCH', `/resource-servers/${id}`, {
      scopes_supported: ['crm.records.read', 'crm.records.delete', 'crm.records.list'],
      authorization_servers: [`${ISSUER}/`],
      resource_documentation: null,
    });
    expect(updated.status).toBe(200);
    expect(updated.body.metadata).toEqual({
      resource,
      authorization_servers: [ISSUER],
      scopes_supported: ['crm.records.read', 'crm.records.delete', 'crm.records.list'],
      bearer_methods_supported: ['header'],
      resource_name: 'CRM MCP server',
    });
    // The identifier is what tokens carry: it is not changed in place.
    expect((await harness.request('PATCH', `/resource-servers/${id}`, { resource: `${resource}/v2` })).status).toBe(400);

    const listed = await harness.request('GET', `/resource-servers?limit=1000`, undefined, ['soc-analyst']);
    expect(listed.body.items.map((s: { id: string }) => s.id)).toContain(id);

    expect((await harness.request('DELETE', `/resource-servers/${id}`)).status).toBe(204);
    expect((await harness.request('GET', `/resource-servers/${id}`)).status).toBe(404);
    expect((await fetch(`${harness.url}/resource-servers/${id}/oauth-protected-resource`)).status).toBe(404);
    expect((await harness.request('DELETE', `/resource-servers/${id}`)).status).toBe(404);

    const audit = await harness.request('GET', `/audit?subjectId=${id}`, undefined, ['soc-analyst']);
    expect(audit.body.items.map((i: { action: string }) => i.action)).toEqual([
      'resource-server.registered',
      'resource-server.updated',
      'resource-server.deleted',
    ]);
  });

  it('refuses identifiers RFC 9728 does not allow, a second registration of one, and another issuer only', async () => {
    const resource = `https://tickets-${unique()}.example.test/mcp`;
    const body = { resource, resource_name: 'Tickets', scopes_supported: ['tickets.read'] };
    expect((await registerResource(body)).status).toBe(201);
    expect(await registerResource(body)).toMatchObject({ status: 409, body: { code: 'RESOURCE_SERVER_EXISTS' } });
    for (const bad of ['tickets', `${resource}#tools`, `${resource}?tenant=1`, 'urn:example:tickets']) {
      expect(await registerResource({ ...body, resource: bad })).toMatchObject({ status: 400, body: { code: 'INVALID_RESOURCE_SERVER' } });
    }
    expect(await registerResource({ ...body, resource: `${resource}/2`, authorization_servers: ['https://other-issuer.example.test'] })).toMatchObject({
      status: 400,
      body: { code: 'INVALID_RESOURCE_SERVER', detail: `authorization_servers must include this issuer, ${ISSUER}.` },
    });
    expect((await registerResource({ ...body, resource: `${resource}/3`, scopes_supported: [] })).status).toBe(400);
    expect((await registerResource({ ...body, resource: `${resource}/4`, scopes_supported: ['has space'] })).status).toBe(400);
  });

  it('binds a client credentials token to the resources asked for: aud is each resource, scopes what they offer and the agent holds', async () => {
    const crm = `https://crm-${unique()}.example.test/mcp`;
    const mail = `https://mail-${unique()}.example.test/mcp`;
    expect((await registerResource({ resource: crm, resource_name: 'CRM', scopes_supported: ['crm.records.read', 'crm.records.delete'] })).status).toBe(201);
    expect((await registerResource({ resource: mail, resource_name: 'Mail', scopes_supported: ['mail.send', 'mail.read'] })).status).toBe(201);
    const agent = await agentWith(['crm.records.read', 'mail.send', 'calendar.read']);

    const forCrm = await token(agent, [['resource', crm]]);
    expect(forCrm).toMatchObject({ status: 200, body: { scope: 'crm.records.read' } });
    expect(decodeJwt(forCrm.body.access_token)).toMatchObject({ aud: crm, sub: agent.id, scope: 'crm.records.read' });
    const introspected = await harness.request('POST', '/oauth2/introspect', { token: forCrm.body.access_token }, ['introspect']);
    expect(introspected.body).toMatchObject({ active: true, aud: crm });

    const forBoth = await token(agent, [
      ['resource', crm],
      ['resource', mail],
    ]);
    expect(decodeJwt(forBoth.body.access_token)).toMatchObject({ aud: [crm, mail], scope: 'crm.records.read mail.send' });

    // Without resource: today's behaviour, the configured audience and every scope of the agent.
    expect(decodeJwt((await token(agent, [])).body.access_token)).toMatchObject({ aud: audience, scope: 'crm.records.read mail.send calendar.read' });

    expect(
      await token(agent, [
        ['resource', crm],
        ['scope', 'crm.records.delete'],
      ]),
    ).toEqual({ status: 400, body: { error: 'invalid_scope', error_description: 'The requested scope exceeds the scopes granted to the client.' } });
    expect(
      await token(agent, [
        ['resource', crm],
        ['scope', 'calendar.read'],
      ]),
    ).toEqual({ status: 400, body: { error: 'invalid_scope', error_description: 'The requested scope exceeds the scopes the resource offers.' } });
    expect(await token(agent, [['resource', `https://unknown-${unique()}.example.test/mcp`]])).toEqual({
      status: 400,
      body: { error: 'invalid_target', error_description: 'A requested resource is not registered with this issuer.' },
    });
    expect((await token(agent, [['resource', 'relative/path']])).body.error).toBe('invalid_target');
  });
});
