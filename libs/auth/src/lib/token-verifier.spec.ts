import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';

import { JWK, SignJWT } from 'jose';

import { AuthError, AuthErrorCode } from './auth.error';
import { mintDevToken } from './dev-token';
import { Role } from './roles';
import { assertAnyRole, createTokenVerifier, TokenVerifier } from './token-verifier';

const ISSUER = 'agentgov-dev';
const AUDIENCE = 'agentgov';

function ecKeys() {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

async function rejection(verify: TokenVerifier, header?: string): Promise<AuthError> {
  const error = await verify(header).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuthError);
  return error as AuthError;
}

describe('createTokenVerifier with a local public key', () => {
  const { privateKey, publicKey } = ecKeys();
  const publicPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  const verify = createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, publicKey: publicPem });
  const mint = (options: Partial<Parameters<typeof mintDevToken>[0]> = {}) => mintDevToken({ sub: 'alice', roles: [Role.Admin], privateKey, ...options });

  it('returns the principal of a valid token', async () => {
    const token = await mint({ roles: ['soc-analyst', 'reviewer'], claims: { jti: 'token-1', tenant: 't1' } });
    const principal = await verify(`Bearer ${token}`);
    expect(principal).toMatchObject({ subject: 'alice', roles: ['soc-analyst', 'reviewer'], tokenId: 'token-1' });
    expect(principal.claims['tenant']).toBe('t1');
  });

  it('trusts a token it verified before only until the token expires', async () => {
    const strict = createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, publicKey: publicPem, clockToleranceSeconds: 0 });
    const token = await mint({ ttlSeconds: 1 });
    expect((await strict(`Bearer ${token}`)).subject).toBe('alice');
    expect((await strict(`Bearer ${token}`)).subject).toBe('alice');
    await new Promise((resolve) => setTimeout(resolve, 2100));
    await expect(strict(`Bearer ${token}`)).rejects.toMatchObject({ code: AuthErrorCode.Expired });
  });

  it('accepts the same key given as a JWK, and a lower-case scheme', async () => {
    const verifyJwk = createTokenVerifier({ issuer: ISSUER, audience: [AUDIENCE, 'other'], publicKey: publicKey.export({ format: 'jwk' }) as JWK });
    await expect(verifyJwk(`bearer ${await mint()}`)).resolves.toMatchObject({ subject: 'alice' });
  });

  it('drops unknown role names and rejects a roles claim that is not a string array', async () => {
    const withUnknown = await new SignJWT({ roles: ['admin', 'root'] })
      .setProtectedHeader({ alg: 'ES256' })
      .setSubject('bob')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('5m')
      .sign(privateKey);
    expect((await verify(`Bearer ${withUnknown}`)).roles).toEqual(['admin']);

    const badRoles = await new SignJWT({ roles: 'admin' })
      .setProtectedHeader({ alg: 'ES256' })
      .setSubject('bob')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('5m')
      .sign(privateKey);
    expect((await rejection(verify, `Bearer ${badRoles}`)).code).toBe(AuthErrorCode.InvalidClaims);
  });

  it.each([
    ['no header', undefined, AuthErrorCode.Missing],
    ['an empty header', '  ', AuthErrorCode.Missing],
    ['another scheme', 'Basic YWxpY2U6c2VjcmV0', AuthErrorCode.Malformed],
    ['a bearer that is not a JWT', 'Bearer not-a-jwt', AuthErrorCode.Malformed],
    ['three parts of garbage', 'Bearer aaaa.bbbb.cccc', AuthErrorCode.Malformed],
  ])('rejects %s', async (_case, header, code) => {
    const error = await rejection(verify, header);
    expect(error.code).toBe(code);
    expect(error.status).toBe(401);
  });

  it('rejects an expired token, beyond the clock tolerance', async () => {
    const error = await rejection(verify, `Bearer ${await mint({ ttlSeconds: -120 })}`);
    expect(error.code).toBe(AuthErrorCode.Expired);
  });

  it('tolerates a few seconds of clock skew', async () => {
    await expect(verify(`Bearer ${await mint({ ttlSeconds: -5 })}`)).resolves.toMatchObject({ subject: 'alice' });
  });

  it('rejects a wrong issuer and a wrong audience', async () => {
    expect((await rejection(verify, `Bearer ${await mint({ issuer: 'evil' })}`)).code).toBe(AuthErrorCode.WrongIssuer);
    expect((await rejection(verify, `Bearer ${await mint({ audience: 'other-api' })}`)).code).toBe(AuthErrorCode.WrongAudience);
  });

  it('rejects a token signed by another key', async () => {
    const token = await mint({ privateKey: ecKeys().privateKey });
    expect((await rejection(verify, `Bearer ${token}`)).code).toBe(AuthErrorCode.InvalidSignature);
  });

  it('rejects an HS256 token made with the public key as the secret (algorithm confusion)', async () => {
    const token = await new SignJWT({ roles: ['admin'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('mallory')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(publicPem));
    expect((await rejection(verify, `Bearer ${token}`)).code).toBe(AuthErrorCode.InvalidSignature);
  });

  it('rejects an unsigned token (alg none)', async () => {
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const token = `${encode({ alg: 'none' })}.${encode({ sub: 'mallory', iss: ISSUER, aud: AUDIENCE, exp: 9999999999, roles: ['admin'] })}.`;
    const error = await rejection(verify, `Bearer ${token}`);
    expect([AuthErrorCode.Malformed, AuthErrorCode.InvalidSignature]).toContain(error.code);
  });

  it('rejects a token without a subject or expiry', async () => {
    const noExp = await new SignJWT({}).setProtectedHeader({ alg: 'ES256' }).setSubject('a').setIssuer(ISSUER).setAudience(AUDIENCE).sign(privateKey);
    expect((await rejection(verify, `Bearer ${noExp}`)).code).toBe(AuthErrorCode.InvalidClaims);
    const noSub = await new SignJWT({}).setProtectedHeader({ alg: 'ES256' }).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('5m').sign(privateKey);
    expect((await rejection(verify, `Bearer ${noSub}`)).code).toBe(AuthErrorCode.InvalidClaims);
  });

  it('never puts the token in an error message', async () => {
    const tokens = [await mint({ ttlSeconds: -120 }), await mint({ audience: 'x' }), await mint({ privateKey: ecKeys().privateKey })];
    for (const token of tokens) {
      expect((await rejection(verify, `Bearer ${token}`)).message).not.toContain(token.split('.')[1]);
    }
  });

  it('refuses a configuration with a private key, or with both or neither key source', () => {
    const pkcs8 = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(() => createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, publicKey: pkcs8 })).toThrow('public key, not a private key');
    expect(() => createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE })).toThrow('exactly one');
    expect(() => createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, publicKey: publicPem, jwksUrl: 'http://x/jwks' })).toThrow('exactly one');
    expect(() => createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, publicKey: publicPem, algorithms: ['RS256'] })).toThrow('ES256');
  });
});

describe('createTokenVerifier with a JWKS URL', () => {
  const { privateKey, publicKey } = ecKeys();
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let server: Server;
  let jwksUrl: string;
  let jwksRequests = 0;

  const jwk = (key: KeyObject, kid: string, alg: string) => ({ ...(key.export({ format: 'jwk' }) as JWK), kid, alg, use: 'sig' });

  beforeAll(async () => {
    const body = JSON.stringify({ keys: [jwk(publicKey, 'ec-1', 'ES256'), jwk(rsa.publicKey, 'rsa-1', 'RS256')] });
    server = createServer((req, res) => {
      jwksRequests++;
      if (req.url !== '/.well-known/jwks.json') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });

  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('verifies ES256 and RS256 tokens by kid and fetches the key set once', async () => {
    const verify = createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUrl });
    const before = jwksRequests;
    const ec = await mintDevToken({ sub: 'svc-a', roles: ['ingest'], privateKey: { ...(privateKey.export({ format: 'jwk' }) as JWK), kid: 'ec-1' } });
    const rs = await mintDevToken({ sub: 'svc-b', roles: ['reviewer'], privateKey: { ...(rsa.privateKey.export({ format: 'jwk' }) as JWK), kid: 'rsa-1' } });
    await expect(verify(`Bearer ${ec}`)).resolves.toMatchObject({ subject: 'svc-a', roles: ['ingest'] });
    await expect(verify(`Bearer ${rs}`)).resolves.toMatchObject({ subject: 'svc-b', roles: ['reviewer'] });
    await expect(verify(`Bearer ${ec}`)).resolves.toMatchObject({ subject: 'svc-a' });
    expect(jwksRequests - before).toBe(1);
  });

  it('rejects a token whose kid is not in the key set, or signed by another key', async () => {
    const verify = createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUrl });
    const other = ecKeys().privateKey;
    const unknownKid = await mintDevToken({ sub: 'x', roles: [], privateKey: { ...(other.export({ format: 'jwk' }) as JWK), kid: 'nope' } });
    const forged = await mintDevToken({ sub: 'x', roles: [], privateKey: { ...(other.export({ format: 'jwk' }) as JWK), kid: 'ec-1' } });
    expect((await rejection(verify, `Bearer ${unknownKid}`)).code).toBe(AuthErrorCode.InvalidSignature);
    expect((await rejection(verify, `Bearer ${forged}`)).code).toBe(AuthErrorCode.InvalidSignature);
  });

  it('honours the configured algorithms', async () => {
    const verify = createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUrl, algorithms: ['ES256'] });
    const rs = await mintDevToken({ sub: 'svc-b', roles: [], privateKey: { ...(rsa.privateKey.export({ format: 'jwk' }) as JWK), kid: 'rsa-1' } });
    expect((await rejection(verify, `Bearer ${rs}`)).code).toBe(AuthErrorCode.InvalidSignature);
  });

  it('answers keys_unavailable (503), not 401, when the key set cannot be fetched', async () => {
    const verify = createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUrl: jwksUrl.replace('jwks.json', 'missing.json') });
    const token = await mintDevToken({ sub: 'x', roles: [], privateKey: { ...(privateKey.export({ format: 'jwk' }) as JWK), kid: 'ec-1' } });
    const error = await rejection(verify, `Bearer ${token}`);
    expect(error.code).toBe(AuthErrorCode.KeysUnavailable);
    expect(error.status).toBe(503);
  });
});

describe('assertAnyRole', () => {
  const principal = { subject: 'a', roles: [Role.SocAnalyst], claims: {} };

  it('passes with one matching role or no requirement, and forbids otherwise', () => {
    expect(() => assertAnyRole(principal, [Role.Admin, Role.SocAnalyst])).not.toThrow();
    expect(() => assertAnyRole(principal, [])).not.toThrow();
    let error: unknown;
    try {
      assertAnyRole(principal, [Role.Admin]);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: AuthErrorCode.Forbidden, status: 403 });
  });
});
