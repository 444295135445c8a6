import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { decodeProtectedHeader } from 'jose';

import { authConfigFromEnv } from './auth-config';
import { ensureDevKeyPair, mintDevToken } from './dev-token';
import { createTokenVerifier } from './token-verifier';

describe('dev key pair and tokens', () => {
  let dir: string;

  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'dev-auth-')), 'dev-auth');
  });

  afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

  it('generates the pair once, private key readable only by its owner, and reuses it', async () => {
    const first = await ensureDevKeyPair(dir);
    expect(first.created).toBe(true);
    expect(first.privateJwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
    expect(typeof first.privateJwk.d).toBe('string');
    expect(readFileSync(first.publicKeyFile, 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(statSync(first.privateKeyFile).mode & 0o077).toBe(0);

    const second = await ensureDevKeyPair(dir);
    expect(second.created).toBe(false);
    expect(second.privateJwk).toEqual(first.privateJwk);
  });

  it('a minted token verifies for a service configured with AUTH_PUBLIC_KEY_FILE and the dev defaults', async () => {
    const pair = await ensureDevKeyPair(dir);
    const token = await mintDevToken({ sub: 'alice', roles: ['admin', 'soc-analyst'], ttlSeconds: 600, privateKey: pair.privateJwk });
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'ES256', kid: pair.privateJwk.kid });

    const verify = createTokenVerifier(authConfigFromEnv({ AUTH_ISSUER: 'agentgov-dev', AUTH_AUDIENCE: 'agentgov', AUTH_PUBLIC_KEY_FILE: pair.publicKeyFile }));
    const principal = await verify(`Bearer ${token}`);
    expect(principal).toMatchObject({ subject: 'alice', roles: ['admin', 'soc-analyst'] });
    expect(principal.tokenId).toMatch(/^[0-9a-f-]{36}$/);
    const exp = principal.claims.exp! - Math.floor(Date.now() / 1000);
    expect(exp).toBeGreaterThan(590);
    expect(exp).toBeLessThanOrEqual(600);
  });

  it('refuses unknown roles and a public key', async () => {
    const pair = await ensureDevKeyPair(dir);
    await expect(mintDevToken({ sub: 'a', roles: ['root' as never], privateKey: pair.privateJwk })).rejects.toThrow('unknown roles: root');
    const { d: _d, ...publicJwk } = pair.privateJwk;
    await expect(mintDevToken({ sub: 'a', roles: [], privateKey: publicJwk })).rejects.toThrow();
  });
});
