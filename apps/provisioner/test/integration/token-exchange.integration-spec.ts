import { randomUUID } from 'node:crypto';

import { createLocalJWKSet, decodeJwt, JSONWebKeySet, jwtVerify } from 'jose';

import { ServiceHarness } from '@agentgov/service-testing';
import { waitFor } from '@agentgov/test-support';

import { ProvisionerHarness } from '../support/provisioner-harness';
import { seedOwner } from '../support/registry-seed';

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';
/** Agents with this purpose are reassigned to the owner's manager when the owner leaves (OFFBOARDING_POLICY below). */
const REASSIGNED = 'reassigned-on-offboarding';

const A_SCOPES = ['crm.records.read', 'crm.records.delete', 'crm.records.list', 'mail.send'];
const B_SCOPES = ['crm.records.read', 'crm.records.delete', 'crm.records.list'];
const C_SCOPES = ['crm.records.read', 'crm.records.delete'];
const D_SCOPES = ['crm.records.read'];

interface Agent {
  id: string;
  secret: string;
}

interface Tree {
  ownerId: string;
  a: Agent;
  b: Agent;
  c: Agent;
  d: Agent;
}

/**
 * Token exchange (RFC 8693) through the real provisioner and a second replica: an owner's agent A delegates to its
 * sub-agent B, B to its sub-agent C, and C calls a registered resource (an MCP server) with a token whose nested `act`
 * names C, B and A and whose subject is the owner; scopes only narrow along the way; may_act and the chain bound are
 * enforced; and cutting off any link (containment, suspension, the owner's offboarding, a revoked upstream token)
 * ends every token derived through it on both replicas.
 */
describe('token exchange: act chains to the human, attenuated scopes, audience-bound tokens, and revocation through the chain', () => {
  const harness = new ProvisionerHarness({
    TOKEN_EXCHANGE_MAX_CHAIN: '3',
    OFFBOARDING_POLICY: JSON.stringify({ default: 'deprovision', byPurpose: { [REASSIGNED]: 'reassign' } }),
  });
  const replica = harness.replica();
  const crm = `https://crm-${randomUUID().slice(0, 8)}.example.test/mcp`;
  const mail = `https://mail-${randomUUID().slice(0, 8)}.example.test/mcp`;

  beforeAll(async () => {
    await harness.start();
    await replica.start();
    for (const [resource, scopes] of [
      [crm, ['crm.records.read', 'crm.records.delete', 'crm.records.list']],
      [mail, ['mail.send']],
    ] as const) {
      const response = await harness.request('POST', '/resource-servers', { resource, resource_name: resource, scopes_supported: scopes });
      expect(response.status).toBe(201);
    }
  }, 90000);
  afterAll(async () => {
    await replica.stop();
    await harness.stop();
  });

  function basic(agent: Agent): string {
    return `Basic ${Buffer.from(`${agent.id}:${agent.secret}`).toString('base64')}`;
  }

  async function tokenEndpoint(agent: Agent, params: Array<[string, string]>) {
    const response = await fetch(`${harness.url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(agent) },
      body: new URLSearchParams(params).toString(),
    });
    return { status: response.status, cacheControl: response.headers.get('cache-control'), body: (await response.json()) as Record<string, any> };
  }

  async function clientToken(agent: Agent): Promise<string> {
    const response = await tokenEndpoint(agent, [['grant_type', 'client_credentials']]);
    expect(response.status).toBe(200);
    return response.body.access_token;
  }

  /** A token exchange by `agent`; `extra` adds audience, resource, scope, actor_token... */
  function exchange(agent: Agent, subjectToken: string, extra: Record<string, string> = {}) {
    return tokenEndpoint(agent, [
      ['grant_type', TOKEN_EXCHANGE],
      ['subject_token', subjectToken],
      ['subject_token_type', ACCESS_TOKEN],
      ...Object.entries(extra),
    ]);
  }

  async function exchanged(agent: Agent, subjectToken: string, extra: Record<string, string> = {}): Promise<string> {
    const response = await exchange(agent, subjectToken, extra);
    expect(response).toMatchObject({ status: 200, body: { issued_token_type: ACCESS_TOKEN, token_type: 'Bearer' } });
    return response.body.access_token;
  }

  async function introspect(at: ServiceHarness, token: string) {
    const response = await at.request('POST', '/oauth2/introspect', { token }, ['introspect']);
    expect(response.status).toBe(200);
    return response.body;
  }

  async function active(at: ServiceHarness, tokens: string[]): Promise<boolean[]> {
    return Promise.all(tokens.map(async (token) => (await introspect(at, token)).active as boolean));
  }

  /** Inactive at once where the change was made, and on the other replica as soon as its notification arrives. */
  async function inactiveOnBothReplicas(tokens: string[], what: string, changedAt: ServiceHarness = harness, timeoutMs = 3000): Promise<void> {
    const other = changedAt === harness ? replica : harness;
    await waitFor(
      () => active(changedAt, tokens),
      (states) => states.every((a) => !a),
      { timeoutMs, intervalMs: 50, what: `${what} (where it was changed)` },
    );
    await waitFor(
      () => active(other, tokens),
      (states) => states.every((a) => !a),
      { timeoutMs: 3000, intervalMs: 50, what: `${what} (on the other replica)` },
    );
  }

  async function register(body: Record<string, unknown>): Promise<Agent> {
    const response = await harness.request('POST', '/agents', { name: 'agent', purpose: 'crm-assistant', platform: 'langgraph', riskTier: 'medium', ...body });
    expect(response.status).toBe(201);
    return { id: response.body.id, secret: response.body.clientSecret };
  }

  /** owner → A → B → C → D, each a sub-agent of the one before with fewer scopes. */
  async function tree(options: { purpose?: string; managerId?: string } = {}): Promise<Tree> {
    const ownerId = await seedOwner({ managerId: options.managerId });
    const purpose = options.purpose ? { purpose: options.purpose } : {};
    const a = await register({ ownerId, scopes: A_SCOPES, ...purpose });
    const b = await register({ parentAgentId: a.id, scopes: B_SCOPES, ...purpose });
    const c = await register({ parentAgentId: b.id, scopes: C_SCOPES, ...purpose });
    const d = await register({ parentAgentId: c.id, scopes: D_SCOPES, ...purpose });
    return { ownerId, a, b, c, d };
  }

  /** A's own token; A delegates it to B, B to C, and C exchanges it for a token to call the CRM's MCP server. */
  async function chainToCrm(t: Tree, scope = 'crm.records.read') {
    const ta = await clientToken(t.a);
    const t1 = await exchanged(t.a, ta, { audience: t.b.id });
    const t2 = await exchanged(t.b, t1, { audience: t.c.id });
    const t3 = await exchanged(t.c, t2, { resource: crm, scope });
    return { ta, t1, t2, t3 };
  }

  it('a chain three deep: the owner’s A delegates to B, B to C, and C calls a resource with nested act claims, verified in the JWT and by introspection', async () => {
    const t = await tree();
    const ta = await clientToken(t.a);

    const first = await exchange(t.a, ta, { audience: t.b.id });
    expect(first).toMatchObject({ status: 200, cacheControl: 'no-store' });
    expect(first.body).toMatchObject({ issued_token_type: ACCESS_TOKEN, token_type: 'Bearer', scope: B_SCOPES.join(' ') });
    const t1 = first.body.access_token as string;
    // The human is the subject; A acts; B alone may act on it next; the scopes are what both A and B hold.
    expect(decodeJwt(t1)).toMatchObject({
      sub: t.ownerId,
      owner_id: t.ownerId,
      client_id: t.a.id,
      aud: t.b.id,
      act: { sub: t.a.id },
      may_act: { sub: t.b.id },
    });

    const t2 = await exchanged(t.b, t1, { audience: t.c.id });
    expect(decodeJwt(t2)).toMatchObject({
      sub: t.ownerId,
      client_id: t.b.id,
      aud: t.c.id,
      scope: C_SCOPES.join(' '),
      act: { sub: t.b.id, act: { sub: t.a.id } },
      may_act: { sub: t.c.id },
    });

    const t3 = await exchanged(t.c, t2, { resource: crm, scope: 'crm.records.read' });
    const claims = decodeJwt(t3);
    const chain = { sub: t.c.id, act: { sub: t.b.id, act: { sub: t.a.id } } };
    expect(claims).toMatchObject({ sub: t.ownerId, client_id: t.c.id, aud: crm, scope: 'crm.records.read', act: chain });
    expect(claims.act).toEqual(chain);
    expect(claims.may_act).toBeUndefined();
    // A delegation never outlasts what it was delegated from.
    expect(claims.exp).toBeLessThanOrEqual(decodeJwt(ta).exp!);

    for (const at of [harness, replica]) {
      expect(await introspect(at, t3)).toMatchObject({ active: true, sub: t.ownerId, client_id: t.c.id, aud: crm, scope: 'crm.records.read', act: chain });
    }
    expect(await introspect(harness, t1)).toMatchObject({ active: true, may_act: { sub: t.b.id }, act: { sub: t.a.id } });

    // The resource server's own check: the token is for the CRM, and no other resource accepts it.
    const jwks = createLocalJWKSet((await (await fetch(`${harness.url}/.well-known/jwks.json`)).json()) as JSONWebKeySet);
    await expect(jwtVerify(t3, jwks, { issuer: 'http://127.0.0.1:3001', audience: crm })).resolves.toBeDefined();
    await expect(jwtVerify(t3, jwks, { issuer: 'http://127.0.0.1:3001', audience: mail })).rejects.toThrow(/aud/);

    // Audited with the chain, the scopes and the resource; no token in the record.
    const audit = await harness.request('GET', `/audit?subjectId=${t.c.id}&limit=50`, undefined, ['soc-analyst']);
    const record = audit.body.items.find((i: { action: string }) => i.action === 'agent.token-exchanged');
    expect(record).toMatchObject({
      actorType: 'api',
      actor: t.c.id,
      subjectType: 'agent',
      subjectId: t.c.id,
      details: { jti: claims.jti, ownerId: t.ownerId, actorChain: [t.a.id, t.b.id, t.c.id], scope: ['crm.records.read'], resources: [crm] },
    });
    expect(record.details.derivedFrom).toEqual([decodeJwt(ta).jti, decodeJwt(t1).jti, decodeJwt(t2).jti]);
    const recorded = JSON.stringify(audit.body);
    for (const token of [ta, t1, t2, t3]) expect(recorded).not.toContain(token.split('.')[2]);
  });

  it('attenuation: more than the subject token has, than the agent’s own grant, or than the resource offers is refused', async () => {
    const t = await tree();
    const ta = await clientToken(t.a);
    // A delegates read only.
    const t1 = await exchanged(t.a, ta, { audience: t.b.id, scope: 'crm.records.read' });
    expect(decodeJwt(t1).scope).toBe('crm.records.read');

    // B holds delete itself, but the token delegated to it does not carry it.
    expect(await exchange(t.b, t1, { audience: t.c.id, scope: 'crm.records.read crm.records.delete' })).toMatchObject({
      status: 400,
      cacheControl: 'no-store',
      body: { error: 'invalid_scope', error_description: "The requested scope exceeds the subject token's scope." },
    });
    // A holds mail.send, B does not: delegating it to B is refused by B's grant.
    expect((await exchange(t.a, ta, { audience: t.b.id, scope: 'mail.send' })).body).toMatchObject({
      error: 'invalid_scope',
      error_description: "The requested scope exceeds the downstream agent's scopes.",
    });
    // C's own token carries delete, but the mail server offers no such tool.
    const tc = await clientToken(t.c);
    expect((await exchange(t.c, tc, { resource: mail, scope: 'crm.records.delete' })).body).toEqual({
      error: 'invalid_scope',
      error_description: 'The requested scope exceeds the scopes the resource offers.',
    });
    // Nothing asked: what the token, C and the CRM all allow.
    expect(decodeJwt(await exchanged(t.c, tc, { resource: crm })).scope).toBe('crm.records.read crm.records.delete');
    expect((await exchange(t.c, tc, { resource: mail })).body.error).toBe('invalid_scope');
    expect((await exchange(t.c, tc, { resource: 'https://unregistered.example.test/mcp' })).body).toEqual({
      error: 'invalid_target',
      error_description: 'A requested resource is not registered with this issuer.',
    });
  });

  it('may_act: only the agent a token was delegated to may present it, only while the registry lets it act; explicit grants beyond the tree', async () => {
    const t = await tree();
    const outsider = await register({ ownerId: t.ownerId, scopes: B_SCOPES });
    const ta = await clientToken(t.a);
    const t1 = await exchanged(t.a, ta, { audience: t.b.id });
    const mayActRefusal = { error: 'invalid_request', error_description: 'The subject_token was not issued for this client to act on (may_act).' };

    // Neither an outsider nor C (a sub-agent of A, whom the registry would let act, but not the one named) nor A's own
    // parent chain upwards may present B's token.
    expect((await exchange(outsider, t1, { resource: crm })).body).toEqual(mayActRefusal);
    expect((await exchange(t.c, t1, { resource: crm })).body).toEqual(mayActRefusal);
    const t2 = await exchanged(t.b, t1, { audience: t.c.id });
    expect((await exchange(t.a, t2, { resource: crm })).body).toEqual(mayActRefusal);
    // A cannot name as audience an agent outside its subtree, nor C its own parent.
    expect((await exchange(t.a, ta, { audience: outsider.id })).body).toMatchObject({ error: 'invalid_target' });
    expect((await exchange(t.c, await clientToken(t.c), { audience: t.b.id })).body).toMatchObject({ error: 'invalid_target' });

    // An explicit grant lets the outsider act for A; only an admin may give it.
    expect((await harness.request('PUT', `/agents/${t.a.id}/delegates/${outsider.id}`, undefined, ['reviewer'])).status).toBe(403);
    const granted = await harness.request('PUT', `/agents/${t.a.id}/delegates/${outsider.id}`);
    expect(granted).toMatchObject({ status: 200, body: { agentId: t.a.id, delegateId: outsider.id, grantedBy: 'test-admin' } });
    expect((await harness.request('GET', `/agents/${t.a.id}/delegates`, undefined, ['reviewer'])).body.items).toEqual([granted.body]);
    const forOutsider = await exchanged(t.a, ta, { audience: outsider.id });
    const used = await exchanged(outsider, forOutsider, { resource: crm });
    expect(decodeJwt(used)).toMatchObject({ sub: t.ownerId, client_id: outsider.id, act: { sub: outsider.id, act: { sub: t.a.id } } });

    // Withdrawn: no new exchange.
    expect((await harness.request('DELETE', `/agents/${t.a.id}/delegates/${outsider.id}`)).status).toBe(204);
    expect((await exchange(outsider, forOutsider, { resource: crm })).body).toEqual({
      error: 'invalid_request',
      error_description: 'This client may no longer act for the agent that delegated the subject_token.',
    });
    expect((await harness.request('DELETE', `/agents/${t.a.id}/delegates/${outsider.id}`)).status).toBe(404);
    const audit = await harness.request('GET', `/audit?subjectId=${t.a.id}&limit=50`, undefined, ['soc-analyst']);
    expect(audit.body.items.filter((i: { action: string }) => i.action.startsWith('agent.delegation-')).map((i: { action: string }) => i.action)).toEqual([
      'agent.delegation-granted',
      'agent.delegation-withdrawn',
    ]);
  });

  it('the chain length is bounded by TOKEN_EXCHANGE_MAX_CHAIN (3 here): C cannot delegate to D, nor D exchange its own token naming four agents', async () => {
    const t = await tree();
    const { t2 } = await chainToCrm(t);
    const bound = {
      error: 'invalid_request',
      error_description: 'The delegation chain would name 4 agents; at most 3 are allowed (TOKEN_EXCHANGE_MAX_CHAIN).',
    };
    expect((await exchange(t.c, t2, { audience: t.d.id })).body).toEqual(bound);
    // D's own token already names C, B and A as the parents it acts for.
    expect((await exchange(t.d, await clientToken(t.d), { resource: crm })).body).toEqual(bound);
    // C's own token names A, B, C: at the bound, allowed.
    expect(decodeJwt(await exchanged(t.c, await clientToken(t.c), { resource: crm })).act).toEqual({
      sub: t.c.id,
      act: { sub: t.b.id, act: { sub: t.a.id } },
    });
  });

  it('the middle agent contained (revoke-tokens): every token derived through it ends on both replicas; the links before it stay', async () => {
    const t = await tree();
    const { ta, t1, t2, t3 } = await chainToCrm(t);
    expect(await active(replica, [ta, t1, t2, t3])).toEqual([true, true, true, true]);

    const contained = await replica.request('POST', `/agents/${t.b.id}/revoke-tokens`, undefined, ['revoke-tokens']);
    expect(contained.status).toBe(200);

    await inactiveOnBothReplicas([t2, t3], 'the tokens derived through B to end', replica);
    expect(await active(harness, [ta])).toEqual([true]);
    expect(await active(replica, [ta])).toEqual([true]);
    // B held t1 when it was contained: it can no longer pass it on.
    expect((await exchange(t.b, t1, { audience: t.c.id })).body).toEqual({
      error: 'invalid_request',
      error_description: 'A party of the delegation chain is no longer active.',
    });
    // A new delegation after the containment works again.
    const fresh = await chainToCrm(t);
    expect(await active(replica, [fresh.t3])).toEqual([true]);
  });

  it('the middle agent suspended: a token it passed to an agent outside its subtree (granted explicitly) ends too, on both replicas', async () => {
    const t = await tree();
    const partner = await register({ ownerId: await seedOwner(), scopes: C_SCOPES });
    expect((await harness.request('PUT', `/agents/${t.b.id}/delegates/${partner.id}`)).status).toBe(200);
    const ta = await clientToken(t.a);
    const t1 = await exchanged(t.a, ta, { audience: t.b.id });
    const toPartner = await exchanged(t.b, t1, { audience: partner.id });
    const partnerCall = await exchanged(partner, toPartner, { resource: crm });
    expect(decodeJwt(partnerCall).act).toEqual({ sub: partner.id, act: { sub: t.b.id, act: { sub: t.a.id } } });
    const partnersOwn = await clientToken(partner);

    const suspended = await harness.request('POST', `/agents/${t.b.id}/suspend`, { reason: 'investigating' }, ['soc-analyst']);
    expect(suspended.status).toBe(200);

    // The partner is not B's sub-agent and stays active: only the lineage check ends what came through B.
    await inactiveOnBothReplicas([toPartner, partnerCall], 'the tokens derived through the suspended B to end');
    expect(await active(replica, [partnersOwn, ta])).toEqual([true, true]);
  });

  it('the owner offboarded: terminated (agents deprovisioned) ends the chain; reassigned to the manager, the agents stay but the chain naming the leaver ends', async () => {
    const leaving = await tree();
    const { t3 } = await chainToCrm(leaving);
    expect((await harness.request('POST', `/owners/${leaving.ownerId}/lifecycle-events`, { kind: 'owner.terminated' })).status).toBe(202);
    // Applied by whichever replica consumes the owner's lifecycle event.
    await inactiveOnBothReplicas([t3], 'the terminated owner’s chain to end', harness, 20000);

    const manager = await seedOwner();
    const handedOver = await tree({ purpose: REASSIGNED, managerId: manager });
    const chain = await chainToCrm(handedOver);
    const ownTokenOfC = await clientToken(handedOver.c);
    expect((await harness.request('POST', `/owners/${handedOver.ownerId}/lifecycle-events`, { kind: 'owner.terminated' })).status).toBe(202);
    await inactiveOnBothReplicas([chain.t1, chain.t2, chain.t3], 'the chain acting for the leaver to end', harness, 20000);
    // The agents now answer to the manager and keep working; what acted for the leaver does not.
    const agent = await harness.request('GET', `/agents/${handedOver.c.id}`, undefined, ['reviewer']);
    expect(agent.body).toMatchObject({ ownerId: manager, status: 'active' });
    expect(await active(replica, [ownTokenOfC])).toEqual([true]);
    expect((await exchange(handedOver.c, ownTokenOfC, { resource: crm })).body).toMatchObject({ error: 'invalid_request' });
    const anew = await exchanged(handedOver.c, await clientToken(handedOver.c), { resource: crm });
    expect(decodeJwt(anew).sub).toBe(manager);
  });

  it('a token revoked upstream (RFC 7009 by A) ends every token derived from it; A’s own token stays', async () => {
    const t = await tree();
    const { ta, t1, t2, t3 } = await chainToCrm(t);
    const revoked = await fetch(`${harness.url}/oauth2/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(t.a) },
      body: new URLSearchParams({ token: t1 }).toString(),
    });
    expect(revoked.status).toBe(200);
    await inactiveOnBothReplicas([t1, t2, t3], 'the tokens derived from the revoked one to end');
    expect(await active(replica, [ta])).toEqual([true]);
    // Only the client a token was issued to may revoke it.
    const byOther = await fetch(`${harness.url}/oauth2/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(t.c) },
      body: new URLSearchParams({ token: ta }).toString(),
    });
    expect(byOther.status).toBe(400);
  });

  it('an actor_token proves the client; malformed exchanges are refused per RFC 8693 §2.2.2', async () => {
    const t = await tree();
    const tc = await clientToken(t.c);
    const { t2 } = await chainToCrm(t);
    expect(decodeJwt(await exchanged(t.c, t2, { resource: crm, actor_token: tc, actor_token_type: ACCESS_TOKEN })).client_id).toBe(t.c.id);

    const cases: Array<[Array<[string, string]>, string, string]> = [
      [[['subject_token', t2]], 'invalid_request', 'The subject_token_type parameter is required.'],
      [
        [
          ['subject_token', t2],
          ['subject_token_type', 'urn:ietf:params:oauth:token-type:id_token'],
        ],
        'invalid_request',
        'subject_token_type must be urn:ietf:params:oauth:token-type:access_token: this issuer exchanges only its own access tokens.',
      ],
      [
        [
          ['subject_token', t2],
          ['subject_token_type', ACCESS_TOKEN],
          ['requested_token_type', 'urn:ietf:params:oauth:token-type:refresh_token'],
        ],
        'invalid_request',
        'This issuer issues access tokens only: requested_token_type must be urn:ietf:params:oauth:token-type:access_token.',
      ],
      [
        [
          ['subject_token', 'not-a-token'],
          ['subject_token_type', ACCESS_TOKEN],
        ],
        'invalid_request',
        'The subject_token is not an active access token of this issuer.',
      ],
      [
        [
          ['subject_token', t2],
          ['subject_token_type', ACCESS_TOKEN],
          ['actor_token', await clientToken(t.b)],
          ['actor_token_type', ACCESS_TOKEN],
        ],
        'invalid_request',
        'The actor_token must be a token of the authenticated client.',
      ],
      [
        [
          ['subject_token', t2],
          ['subject_token_type', ACCESS_TOKEN],
          ['audience', 'crm'],
        ],
        'invalid_target',
        'The audience must be the client id of a downstream agent; name other resources with the resource parameter.',
      ],
      [
        [
          ['subject_token', t2],
          ['subject_token_type', ACCESS_TOKEN],
          ['resource', 'https://crm.example.test/mcp#tools'],
        ],
        'invalid_target',
        'Each resource parameter must be an absolute URI without a fragment.',
      ],
    ];
    for (const [params, error, description] of cases) {
      const response = await tokenEndpoint(t.c, [['grant_type', TOKEN_EXCHANGE], ...params]);
      expect({ status: response.status, cacheControl: response.cacheControl, body: response.body }).toEqual({
        status: 400,
        cacheControl: 'no-store',
        body: { error, error_description: description },
      });
    }
    // A client that does not authenticate gets nothing, whatever it presents.
    const unauthenticated = await tokenEndpoint({ id: t.c.id, secret: 'wrong' }, [
      ['grant_type', TOKEN_EXCHANGE],
      ['subject_token', t2],
      ['subject_token_type', ACCESS_TOKEN],
    ]);
    expect(unauthenticated).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
  });
});
