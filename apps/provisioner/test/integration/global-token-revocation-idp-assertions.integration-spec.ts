import { randomUUID } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';

import { exportJWK, generateKeyPair, JWK, KeyLike, SignJWT } from 'jose';

import { ProvisionerHarness } from '../support/provisioner-harness';
import { seedAgentChains, seedOwner } from '../support/registry-seed';

const ISSUER = 'https://agentgov-issuer.test';
const ENDPOINT = `${ISSUER}/global-token-revocation`;
const CLIENT_ID = '0oa-agentgov-integration';

/**
 * The identity provider's half of Okta Universal Logout, whose only authentication method is a JWT it signs itself:
 * its key set published over HTTP (as `{org}/oauth2/v1/keys` is) and assertions in the documented shape (typ
 * global-token-revocation+jwt, iss the org, sub our client id there, aud our endpoint's URL, jti, iat, nbf five
 * minutes back, exp five minutes ahead). No real Okta tenant is reachable from here; everything on our side is real.
 */
class SigningIdp {
  readonly issuer: string;
  private server?: Server;
  private keys: Array<{ kid: string; privateKey: KeyLike; jwk: JWK }> = [];
  jwksUrl = '';

  constructor(name: string) {
    this.issuer = `https://${name}-${randomUUID().slice(0, 8)}.okta.test`;
  }

  async start(): Promise<void> {
    this.keys.push(await this.newKey());
    this.server = createServer((request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ keys: this.keys.map((k) => k.jwk) }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.jwksUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/oauth2/v1/keys`;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** An assertion as Okta sends it; `change` breaks it in one way. */
  async assertion(change: { typ?: string; aud?: string; sub?: string; iss?: string; jti?: string; lifetimeSeconds?: number; expiredSecondsAgo?: number } = {}) {
    const now = Math.floor(Date.now() / 1000);
    const exp = change.expiredSecondsAgo !== undefined ? now - change.expiredSecondsAgo : now + (change.lifetimeSeconds ?? 600) / 2;
    const iat = change.expiredSecondsAgo !== undefined ? exp - 600 : now;
    const key = this.keys[this.keys.length - 1]!;
    return new SignJWT({ jti: change.jti ?? randomUUID() })
      .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: change.typ ?? 'global-token-revocation+jwt' })
      .setIssuer(change.iss ?? this.issuer)
      .setSubject(change.sub ?? CLIENT_ID)
      .setAudience(change.aud ?? ENDPOINT)
      .setIssuedAt(iat)
      .setNotBefore(iat - 300)
      .setExpirationTime(exp)
      .sign(key.privateKey);
  }

  /** An assertion signed by a key this IdP never published. */
  async forged(): Promise<string> {
    const stranger = await this.newKey();
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg: 'RS256', kid: this.keys[0]!.kid, typ: 'global-token-revocation+jwt' })
      .setIssuer(this.issuer)
      .setSubject(CLIENT_ID)
      .setAudience(ENDPOINT)
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .sign(stranger.privateKey);
  }

  private async newKey(): Promise<{ kid: string; privateKey: KeyLike; jwk: JWK }> {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    const kid = randomUUID();
    return { kid, privateKey: privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
  }
}

/**
 * Global Token Revocation called by an identity provider with its own signed assertion (GTR_TRUSTED_IDPS), through
 * the real provisioner: the owner it names, linked to that IdP, loses every token; an assertion acts once; an IdP
 * reaches only its own users (draft §6.1); every malformed, forged or misaddressed assertion is refused and changes
 * nothing.
 */
describe('POST /global-token-revocation with a trusted IdP’s signed assertion (Okta Universal Logout)', () => {
  const okta = new SigningIdp('acme');
  const otherIdp = new SigningIdp('other');
  let harness: ProvisionerHarness;

  beforeAll(async () => {
    await okta.start();
    await otherIdp.start();
    harness = new ProvisionerHarness({
      ISSUER_URL: ISSUER,
      GTR_TRUSTED_IDPS: JSON.stringify([
        { issuer: okta.issuer, jwksUrl: okta.jwksUrl, clientId: CLIENT_ID },
        { issuer: otherIdp.issuer, jwksUrl: otherIdp.jwksUrl },
      ]),
    });
    await harness.start();
  }, 90000);
  afterAll(async () => {
    await harness?.stop();
    await okta.stop();
    await otherIdp.stop();
  });

  async function revoke(assertion: string, subId: unknown) {
    const response = await fetch(`${harness.url}/global-token-revocation`, {
      method: 'POST',
      headers: { authorization: `Bearer ${assertion}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sub_id: subId }),
    });
    const text = await response.text();
    return {
      status: response.status,
      code: text ? (JSON.parse(text) as { code?: string }).code : undefined,
      challenge: response.headers.get('www-authenticate'),
    };
  }

  async function tokensOf(ownerId: string) {
    const { agents, secret } = await seedAgentChains({ ownerId, chains: 2, levels: 2 });
    const tokens = await Promise.all(
      agents.map(async (agent) => {
        const response = await fetch(`${harness.url}/oauth2/token`, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            authorization: `Basic ${Buffer.from(`${agent.id}:${secret}`).toString('base64')}`,
          },
          body: 'grant_type=client_credentials',
        });
        return ((await response.json()) as { access_token: string }).access_token;
      }),
    );
    return tokens;
  }

  async function active(tokens: string[]): Promise<boolean[]> {
    return Promise.all(tokens.map(async (token) => (await harness.request('POST', '/oauth2/introspect', { token }, ['introspect'])).body.active as boolean));
  }

  /** An owner linked to `idp` under its issuer, as PUT /owners/:id/identities links one. */
  async function linkedOwner(idp: SigningIdp, email = `user-${randomUUID()}@example.com`): Promise<{ ownerId: string; idpSub: string; email: string }> {
    const ownerId = await seedOwner({ email });
    const idpSub = `00u${randomUUID().replace(/-/g, '').slice(0, 17)}`;
    const linked = await harness.request('PUT', `/owners/${ownerId}/identities`, { identities: [{ source: idp.issuer, externalId: idpSub }] }, ['admin']);
    expect(linked.status).toBe(200);
    return { ownerId, idpSub, email };
  }

  it('advertises the signed-JWT method beside bearer in the metadata', async () => {
    const metadata = (await (await fetch(`${harness.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(metadata['global_token_revocation_endpoint_auth_methods_supported']).toEqual(['bearer', 'global-token-revocation+jwt']);
  });

  it('an owner named by the IdP’s iss_sub loses every token of every agent and sub-agent; the assertion is audited as the IdP’s and acts once', async () => {
    const { ownerId, idpSub } = await linkedOwner(okta);
    const bystander = await linkedOwner(okta);
    const tokens = await tokensOf(ownerId);
    const bystanderTokens = await tokensOf(bystander.ownerId);
    const assertion = await okta.assertion();

    expect((await revoke(assertion, { format: 'iss_sub', iss: okta.issuer, sub: idpSub })).status).toBe(204);
    expect(await active(tokens)).toEqual(tokens.map(() => false));
    expect(await active(bystanderTokens)).toEqual(bystanderTokens.map(() => true));

    // The same assertion again, even for someone else: a replay, refused; the bystander keeps their tokens.
    const replay = await revoke(assertion, { format: 'iss_sub', iss: okta.issuer, sub: bystander.idpSub });
    expect(replay).toMatchObject({ status: 401, code: 'GTR_ASSERTION_REPLAYED' });
    expect(await active(bystanderTokens)).toEqual(bystanderTokens.map(() => true));

    const audit = await harness.request('GET', `/audit?subjectId=${ownerId}&limit=50`, undefined, ['soc-analyst']);
    const records = audit.body.items.filter((i: { action: string }) => i.action === 'global-token-revocation');
    expect(records).toEqual([
      expect.objectContaining({
        actor: `idp:${okta.issuer}`,
        details: expect.objectContaining({ authentication: 'global-token-revocation+jwt', agentsRevoked: tokens.length }),
      }),
    ]);
  }, 30000);

  it('an owner named by email, when linked to that IdP; an owner it does not have is not found; an opaque id or another issuer’s user is out of its scope', async () => {
    const linked = await linkedOwner(okta);
    const tokens = await tokensOf(linked.ownerId);
    expect((await revoke(await okta.assertion(), { format: 'email', email: linked.email.toUpperCase() })).status).toBe(204);
    expect(await active(tokens)).toEqual(tokens.map(() => false));

    // Linked to the other IdP only: Okta cannot reach them by email, by its iss_sub or by the registry's own id.
    const theirs = await linkedOwner(otherIdp);
    const theirTokens = await tokensOf(theirs.ownerId);
    expect(await revoke(await okta.assertion(), { format: 'email', email: theirs.email })).toMatchObject({ status: 404, code: 'GTR_SUBJECT_NOT_FOUND' });
    expect(await revoke(await okta.assertion(), { format: 'iss_sub', iss: otherIdp.issuer, sub: theirs.idpSub })).toMatchObject({
      status: 403,
      code: 'GTR_SUBJECT_OUT_OF_SCOPE',
    });
    expect(await revoke(await okta.assertion(), { format: 'opaque', id: theirs.ownerId })).toMatchObject({ status: 403, code: 'GTR_SUBJECT_OUT_OF_SCOPE' });
    expect(await active(theirTokens)).toEqual(theirTokens.map(() => true));

    // Their own IdP (no clientId configured: any sub of its issuer) can.
    expect((await revoke(await otherIdp.assertion({ sub: 'whatever-client' }), { format: 'iss_sub', iss: otherIdp.issuer, sub: theirs.idpSub })).status).toBe(
      204,
    );
    expect(await active(theirTokens)).toEqual(theirTokens.map(() => false));
  }, 30000);

  it('refuses an assertion that is untyped, for another audience or client, expired, too long-lived or forged, with a Bearer challenge, and changes nothing', async () => {
    const { ownerId, idpSub } = await linkedOwner(okta);
    const tokens = await tokensOf(ownerId);
    const subject = { format: 'iss_sub', iss: okta.issuer, sub: idpSub };
    const cases: Array<[string, string, string]> = [
      ['an ID-token-like typ', await okta.assertion({ typ: 'JWT' }), 'AUTH_INVALID_CLAIMS'],
      ['another endpoint as aud', await okta.assertion({ aud: 'https://other-app.example/global-token-revocation' }), 'AUTH_WRONG_AUDIENCE'],
      ['another client as sub', await okta.assertion({ sub: '0oa-someone-else' }), 'AUTH_INVALID_CLAIMS'],
      ['expired', await okta.assertion({ expiredSecondsAgo: 120 }), 'AUTH_EXPIRED'],
      ['living a day', await okta.assertion({ lifetimeSeconds: 86_400 }), 'AUTH_INVALID_CLAIMS'],
      ['signed by an unpublished key', await okta.forged(), 'AUTH_INVALID_SIGNATURE'],
    ];
    for (const [what, assertion, code] of cases) {
      const answer = await revoke(assertion, subject);
      expect({ what, ...answer }).toMatchObject({ what, status: 401, code });
      expect(answer.challenge).toMatch(/^Bearer realm=.*error="invalid_token"/);
    }
    // An untrusted issuer's token is judged as a platform token, and fails as one.
    const stranger = new SigningIdp('stranger');
    await stranger.start();
    expect((await revoke(await stranger.assertion(), subject)).status).toBe(401);
    await stranger.stop();
    expect(await active(tokens)).toEqual(tokens.map(() => true));
  }, 30000);

  it('still takes platform tokens with the role', async () => {
    const { ownerId } = await linkedOwner(okta);
    const tokens = await tokensOf(ownerId);
    const response = await fetch(`${harness.url}/global-token-revocation`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await harness.token(['global-token-revocation'], 'security-tool')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sub_id: { format: 'opaque', id: ownerId } }),
    });
    expect(response.status).toBe(204);
    expect(await active(tokens)).toEqual(tokens.map(() => false));
  }, 30000);
});
