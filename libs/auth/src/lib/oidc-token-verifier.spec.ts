import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';

import { JWK, JWTPayload, SignJWT } from 'jose';

import { AuthError, AuthErrorCode } from './auth.error';
import { mintDevToken } from './dev-token';
import { OidcIssuerConfig, parseRoleMap } from './oidc-issuer';
import { createTokenVerifier, TokenVerifier } from './token-verifier';

const PRIMARY = 'agentgov-dev';
const AUDIENCE = 'agentgov';

async function rejection(verify: TokenVerifier, token: string): Promise<AuthError> {
  const error = await verify(`Bearer ${token}`).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuthError);
  return error as AuthError;
}

/**
 * A real HTTP server standing in for an identity provider (Keycloak signs with RS256): its discovery document and its
 * key set, as the verifier fetches them.
 */
describe('createTokenVerifier with a trusted OpenID Connect issuer', () => {
  const idpKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const primaryKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  let server: Server;
  let issuer: string;
  let discoveryRequests = 0;
  let discoveredIssuer: (issuer: string) => string = (i) => i;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/realms/agentgov/.well-known/openid-configuration') {
        discoveryRequests++;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer: discoveredIssuer(issuer), jwks_uri: `${issuer}/certs` }));
      } else if (req.url === '/realms/agentgov/certs') {
        const jwk = { ...(idpKeys.publicKey.export({ format: 'jwk' }) as JWK), kid: 'idp-1', alg: 'RS256', use: 'sig' };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/realms/agentgov`;
  });

  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const oidcConfig = (overrides: Partial<OidcIssuerConfig> = {}): OidcIssuerConfig => ({
    issuer,
    audience: AUDIENCE,
    rolesClaim: 'realm_access.roles',
    roleMap: parseRoleMap('agentgov-soc=soc-analyst,agentgov-admin=admin,agentgov-admin=soc-analyst,agentgov-reviewer=reviewer', 'AUTH_OIDC_ROLE_MAP'),
    ...overrides,
  });
  const verifierWith = (overrides: Partial<OidcIssuerConfig> = {}) =>
    createTokenVerifier({
      issuer: PRIMARY,
      audience: AUDIENCE,
      publicKey: primaryKeys.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      oidc: oidcConfig(overrides),
    });

  /** A token as the IdP issues one: RS256 with its key id, the IdP's role names nested in realm_access. */
  const idpToken = (claims: JWTPayload = {}, key: KeyObject = idpKeys.privateKey, alg = 'RS256') =>
    new SignJWT({ realm_access: { roles: ['agentgov-soc', 'offline_access'] }, preferred_username: 'sam', ...claims })
      .setProtectedHeader({ alg, kid: 'idp-1', typ: 'JWT' })
      .setSubject('5b1f7c4e-3f0a-4c55-9d55-2d8f0c0f7e11')
      .setIssuer(typeof claims.iss === 'string' ? claims.iss : issuer)
      .setAudience(claims.aud ?? [AUDIENCE, 'account'])
      .setExpirationTime('5m')
      .sign(key);

  it('verifies each token against the issuer its iss names: the IdP for people, the primary issuer for services', async () => {
    const verify = verifierWith();
    await expect(verify(`Bearer ${await idpToken()}`)).resolves.toMatchObject({ subject: '5b1f7c4e-3f0a-4c55-9d55-2d8f0c0f7e11', roles: ['soc-analyst'] });
    const service = await mintDevToken({ sub: 'hr-system', roles: ['ingest'], privateKey: primaryKeys.privateKey });
    await expect(verify(`Bearer ${service}`)).resolves.toMatchObject({ subject: 'hr-system', roles: ['ingest'] });
  });

  it('maps IdP roles to people roles, one IdP role to several, and finds the key set through discovery once', async () => {
    const before = discoveryRequests;
    const verify = verifierWith();
    const admin = await idpToken({ realm_access: { roles: ['agentgov-admin', 'agentgov-reviewer'] } });
    expect((await verify(`Bearer ${admin}`)).roles).toEqual(['admin', 'soc-analyst', 'reviewer']);
    expect((await verify(`Bearer ${await idpToken()}`)).roles).toEqual(['soc-analyst']);
    expect(discoveryRequests - before).toBe(1);
  });

  it('gives no role for IdP roles outside the mapping, or without a roles claim', async () => {
    const verify = verifierWith();
    expect((await verify(`Bearer ${await idpToken({ realm_access: { roles: ['offline_access', 'uma_authorization'] } })}`)).roles).toEqual([]);
    expect((await verify(`Bearer ${await idpToken({ realm_access: {} })}`)).roles).toEqual([]);
    expect((await verify(`Bearer ${await idpToken({ realm_access: undefined })}`)).roles).toEqual([]);
  });

  it('never takes a machine role (or any role) from the IdP token itself, only through the mapping', async () => {
    const verify = verifierWith();
    const claimsMachineRoles = await idpToken({ roles: ['ingest', 'revoke-tokens', 'admin'], realm_access: { roles: ['ingest', 'owner-lifecycle', 'admin'] } });
    expect((await verify(`Bearer ${claimsMachineRoles}`)).roles).toEqual([]);
  });

  it('refuses a role mapping that grants a machine role', () => {
    expect(() => parseRoleMap('agentgov-soc=soc-analyst,hr-bot=ingest', 'AUTH_OIDC_ROLE_MAP')).toThrow('ingest is a machine role');
    expect(() => verifierWith({ roleMap: { 'hr-bot': ['ingest' as never] } })).toThrow('maps to a role an identity provider cannot grant');
  });

  it('refuses an IdP token for another audience', async () => {
    const error = await rejection(verifierWith(), await idpToken({ aud: ['account', 'another-api'] }));
    expect(error.code).toBe(AuthErrorCode.WrongAudience);
  });

  it('keeps the issuers apart: neither key signs for the other issuer', async () => {
    const verify = verifierWith();
    const primaryKeyAsIdp = await idpToken({}, primaryKeys.privateKey, 'ES256');
    expect((await rejection(verify, primaryKeyAsIdp)).code).toBe(AuthErrorCode.InvalidSignature);
    const idpKeyAsPrimary = await idpToken({ iss: PRIMARY, roles: ['ingest'] });
    expect((await rejection(verify, idpKeyAsPrimary)).code).toBe(AuthErrorCode.InvalidSignature);
  });

  it('refuses a roles claim that is not a list of strings, and a token without the subject claim', async () => {
    const verify = verifierWith();
    expect((await rejection(verify, await idpToken({ realm_access: { roles: 'agentgov-soc' } }))).code).toBe(AuthErrorCode.InvalidClaims);
    const bySubjectClaim = verifierWith({ subjectClaim: 'preferred_username' });
    await expect(bySubjectClaim(`Bearer ${await idpToken()}`)).resolves.toMatchObject({ subject: 'sam', roles: ['soc-analyst'] });
    expect((await rejection(bySubjectClaim, await idpToken({ preferred_username: undefined }))).code).toBe(AuthErrorCode.InvalidClaims);
  });

  it('reads a top-level claim whose name has dots (a namespaced claim) before a nested path', async () => {
    const verify = verifierWith({ rolesClaim: 'https://agentgov.example/roles' });
    expect((await verify(`Bearer ${await idpToken({ 'https://agentgov.example/roles': ['agentgov-reviewer'] })}`)).roles).toEqual(['reviewer']);
  });

  it('answers keys_unavailable (503) while discovery fails or names another issuer, and tries again later', async () => {
    discoveredIssuer = () => 'https://impostor.example';
    const verify = verifierWith();
    const token = await idpToken();
    const error = await rejection(verify, token);
    expect(error).toMatchObject({ code: AuthErrorCode.KeysUnavailable, status: 503 });
    discoveredIssuer = (i) => i;
    await expect(verify(`Bearer ${token}`)).resolves.toMatchObject({ roles: ['soc-analyst'] });
  });
});
