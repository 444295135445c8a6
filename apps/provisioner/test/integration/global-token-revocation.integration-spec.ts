import { randomUUID } from 'node:crypto';

import { Role } from '@agentgov/auth';
import { ServiceHarness } from '@agentgov/service-testing';
import { waitFor, withTestDatabase } from '@agentgov/test-support';

import { ProvisionerHarness } from '../support/provisioner-harness';
import { seedAgentChains, SeededAgent, seedOwner } from '../support/registry-seed';

const ISSUER = 'https://agentgov-issuer.test';

/**
 * Global Token Revocation (draft-parecki-oauth-global-token-revocation-06) through the real provisioner, with a
 * second replica: the tokens of the named agent, or of every agent and sub-agent an owner is accountable for, stop
 * introspecting active on both; nobody else's do.
 */
describe('POST /global-token-revocation ends every token of an agent or an owner, on every replica', () => {
  const harness = new ProvisionerHarness({ ISSUER_URL: ISSUER });
  const replica = harness.replica();

  beforeAll(async () => {
    await harness.start();
    await replica.start();
  }, 90000);
  afterAll(async () => {
    await replica.stop();
    await harness.stop();
  });

  async function tokenFor(agentId: string, secret: string): Promise<string> {
    const response = await fetch(`${harness.url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${agentId}:${secret}`).toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { access_token: string }).access_token;
  }

  /** Whether each token introspects active at the given instance. */
  async function active(at: ServiceHarness, tokens: string[]): Promise<boolean[]> {
    return Promise.all(tokens.map(async (token) => (await at.request('POST', '/oauth2/introspect', { token }, ['introspect'])).body.active as boolean));
  }

  async function revoke(body: unknown, roles: Role[] = ['global-token-revocation'], caller = 'okta-universal-logout', contentType = 'application/json') {
    const response = await fetch(`${harness.url}/global-token-revocation`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await harness.token(roles, caller)}`, 'content-type': contentType },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return {
      status: response.status,
      text: await response.text(),
      contentType: response.headers.get('content-type'),
      cache: response.headers.get('cache-control'),
    };
  }

  /** A seeded tree with a token for each agent, cached as active at both instances. */
  async function treeWithTokens(options: { ownerId: string; chains: number; levels: number; leafOwnerId?: string }) {
    const { agents, secret } = await seedAgentChains(options);
    const tokens = await Promise.all(agents.map((a) => tokenFor(a.id, secret)));
    expect(await active(harness, tokens)).toEqual(tokens.map(() => true));
    expect(await active(replica, tokens)).toEqual(tokens.map(() => true));
    return { agents, secret, tokens };
  }

  async function bothInactive(tokens: string[], what: string): Promise<void> {
    expect(await active(harness, tokens)).toEqual(tokens.map(() => false));
    // The other replica learns it from the database's notification, within milliseconds.
    await waitFor(
      () => active(replica, tokens),
      (states) => states.every((a) => !a),
      { timeoutMs: 3000, intervalMs: 50, what },
    );
  }

  it('advertises the endpoint in the authorization server metadata (§6)', async () => {
    const metadata = (await (await fetch(`${harness.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      issuer: ISSUER,
      global_token_revocation_endpoint: `${ISSUER}/global-token-revocation`,
      global_token_revocation_endpoint_auth_methods_supported: ['bearer'],
    });
  });

  it('an agent named by its opaque id (its client id): its tokens and its sub-agents’ end; a bystander’s and a new token work', async () => {
    const ownerId = await seedOwner();
    const { agents, secret, tokens } = await treeWithTokens({ ownerId, chains: 1, levels: 3 });
    const [parent, child, grandchild] = agents as [SeededAgent, SeededAgent, SeededAgent];
    const bystander = await treeWithTokens({ ownerId, chains: 1, levels: 1 });

    // The middle agent: it and the sub-agent acting for it.
    const answer = await revoke({ sub_id: { format: 'opaque', id: child.id } });
    expect(answer).toMatchObject({ status: 204, text: '', cache: 'no-store' });

    await bothInactive([tokens[1]!, tokens[2]!], 'the agent’s tokens to end on the other replica');
    expect(await active(replica, [tokens[0]!, ...bystander.tokens])).toEqual([true, true]);
    expect(await active(harness, [tokens[0]!, ...bystander.tokens])).toEqual([true, true]);
    // §3.3 "re-authenticate before issuing new tokens": the client credentials grant is that re-authentication.
    expect(await active(harness, [await tokenFor(grandchild.id, secret)])).toEqual([true]);

    // Audited under the caller, with the identifier as sent and what it resolved to; no token anywhere in it.
    const audit = await harness.request('GET', `/audit?subjectId=${child.id}&limit=50`, undefined, ['soc-analyst']);
    const record = audit.body.items.find((i: { action: string }) => i.action === 'global-token-revocation');
    expect(record).toMatchObject({
      actorType: 'api',
      actor: 'okta-universal-logout',
      subjectType: 'agent',
      subjectId: child.id,
      details: { subjectIdentifier: { format: 'opaque', id: child.id }, agentsRevoked: 2, agentIds: [child.id, grandchild.id].sort() },
    });
    expect(audit.body.items.filter((i: { action: string }) => i.action === 'agent.tokens-revoked')).toHaveLength(1);
    expect(JSON.stringify(audit.body)).not.toContain(tokens[1]!.split('.')[2]);
    expect(parent.id).not.toBe(child.id);
  });

  it('an agent named as iss_sub under this issuer (the sub of its tokens)', async () => {
    const { agents, tokens } = await treeWithTokens({ ownerId: await seedOwner(), chains: 1, levels: 1 });
    expect((await revoke({ sub_id: { format: 'iss_sub', iss: `${ISSUER}/`, sub: agents[0]!.id } })).status).toBe(204);
    await bothInactive(tokens, 'the iss_sub agent’s tokens to end');
  });

  it('an owner named by email: every agent and sub-agent they are accountable for, another owner’s sub-agent in their tree too; idempotent', async () => {
    const leaver = await seedOwner({ email: `leaver-${randomUUID()}@example.com` });
    const other = await seedOwner();
    // Two chains of three under the leaver; each chain's deepest agent is accountable to another owner and goes
    // with the tree (as the offboarding cascade counts it).
    const tree = await treeWithTokens({ ownerId: leaver, chains: 2, levels: 3, leafOwnerId: other });
    const bystander = await treeWithTokens({ ownerId: other, chains: 1, levels: 2 });
    const email = (await withTestDatabase(async (c) => (await c.query(`SELECT "email" FROM "provisioner"."owners" WHERE "id" = $1`, [leaver])).rows))[0]
      .email as string;

    // The IdP sends the address as it knows it; case does not matter.
    const first = await revoke({ sub_id: { format: 'email', email: email.toUpperCase() } }, ['global-token-revocation'], 'auth0-gtr');
    expect(first.status).toBe(204);
    await bothInactive(tree.tokens, 'every token of the owner’s tree to end');
    expect(await active(replica, bystander.tokens)).toEqual([true, true]);

    const again = await revoke({ sub_id: { format: 'email', email } }, ['global-token-revocation'], 'auth0-gtr');
    expect(again.status).toBe(204);
    expect(await active(harness, [...tree.tokens, ...bystander.tokens])).toEqual([...tree.tokens.map(() => false), true, true]);

    const audit = await harness.request('GET', `/audit?subjectId=${leaver}&limit=50`, undefined, ['soc-analyst']);
    const records = audit.body.items.filter((i: { action: string }) => i.action === 'global-token-revocation');
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({ actor: 'auth0-gtr', subjectType: 'owner', subjectId: leaver, details: { agentsRevoked: 6 } });
    expect(records[0].details.agentIds.sort()).toEqual(tree.agents.map((a) => a.id).sort());
  });

  it('an owner named by the iss_sub of a linked IdP identity, or by their opaque owner id', async () => {
    const owner = await seedOwner();
    const idpSub = `00u${randomUUID().slice(0, 8)}`;
    expect(
      (await harness.request('PUT', `/owners/${owner}/identities`, { identities: [{ source: 'https://idp.example.test', externalId: idpSub }] }, ['admin']))
        .status,
    ).toBe(200);
    const first = await treeWithTokens({ ownerId: owner, chains: 1, levels: 2 });
    expect((await revoke({ sub_id: { format: 'iss_sub', iss: 'https://idp.example.test', sub: idpSub } })).status).toBe(204);
    await bothInactive(first.tokens, 'the linked owner’s tokens to end');

    const second = await treeWithTokens({ ownerId: owner, chains: 1, levels: 1 });
    expect((await revoke({ sub_id: { format: 'opaque', id: owner } })).status).toBe(204);
    await bothInactive(second.tokens, 'the opaque owner’s tokens to end');
  });

  it('refuses without the role, a malformed body without echoing it, unsupported formats, unknown and ambiguous subjects, and changes nothing', async () => {
    const shared = `shared-${randomUUID()}@example.com`;
    const ownerA = await seedOwner({ email: shared });
    await seedOwner({ email: shared.toUpperCase() });
    const { agents, tokens } = await treeWithTokens({ ownerId: ownerA, chains: 1, levels: 1 });
    const agentSubject = { sub_id: { format: 'opaque', id: agents[0]!.id } };

    // No token, and every role but admin and global-token-revocation (revoke-tokens, containment's, included).
    const anonymous = await fetch(`${harness.url}/global-token-revocation`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(agentSubject),
    });
    expect(anonymous.status).toBe(401);
    for (const role of ['revoke-tokens', 'soc-analyst', 'ingest', 'introspect', 'reviewer', 'owner-lifecycle', 'link-identities'] as Role[]) {
      const refused = await revoke(agentSubject, [role]);
      expect({ role, status: refused.status, code: JSON.parse(refused.text).code }).toEqual({ role, status: 403, code: 'AUTH_FORBIDDEN' });
    }

    const marker = `leaver-${randomUUID()}@example.com`;
    const cases: Array<[unknown, string, number, string]> = [
      [`{"sub_id": {"format": "email", "email": ${marker}}}`, 'application/json', 400, 'GTR_INVALID_REQUEST'],
      [`sub_id=${marker}`, 'application/x-www-form-urlencoded', 400, 'GTR_INVALID_REQUEST'],
      [{ sub_id: marker }, 'application/json', 400, 'GTR_INVALID_REQUEST'],
      [{ sub_id: { format: 'phone_number', phone_number: marker } }, 'application/json', 400, 'GTR_UNSUPPORTED_SUBJECT_FORMAT'],
      [{ sub_id: { format: 'email', email: marker } }, 'application/json', 404, 'GTR_SUBJECT_NOT_FOUND'],
      [{ sub_id: { format: 'opaque', id: randomUUID() } }, 'application/json', 404, 'GTR_SUBJECT_NOT_FOUND'],
      [{ sub_id: { format: 'iss_sub', iss: ISSUER, sub: marker } }, 'application/json', 404, 'GTR_SUBJECT_NOT_FOUND'],
      [{ sub_id: { format: 'email', email: shared } }, 'application/json', 422, 'GTR_SUBJECT_AMBIGUOUS'],
    ];
    for (const [body, contentType, status, code] of cases) {
      const answer = await revoke(body, ['global-token-revocation'], 'okta-universal-logout', contentType);
      expect({ status: answer.status, code: JSON.parse(answer.text).code }).toEqual({ status, code });
      expect(answer.contentType).toMatch(/^application\/problem\+json/);
      expect(answer.text).not.toContain(marker);
      expect(answer.text).not.toContain(shared);
    }
    expect(await active(harness, tokens)).toEqual([true]);
    const audit = await harness.request('GET', `/audit?subjectId=${ownerA}&limit=50`, undefined, ['soc-analyst']);
    expect(audit.body.items.filter((i: { action: string }) => i.action === 'global-token-revocation')).toEqual([]);
  });
});
