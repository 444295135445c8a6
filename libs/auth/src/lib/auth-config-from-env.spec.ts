import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { AUTH_ENV_VARS, authConfigFromEnv } from './auth-config';

describe('authConfigFromEnv', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  const base = { AUTH_ISSUER: 'agentgov-dev', AUTH_AUDIENCE: 'agentgov' };
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'auth-config-'));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a public key file, a list of audiences, algorithms and clock tolerance', () => {
    const file = join(dir, 'public.pem');
    writeFileSync(file, publicPem);
    const config = authConfigFromEnv({
      ...base,
      AUTH_AUDIENCE: 'agentgov, containment',
      AUTH_PUBLIC_KEY_FILE: file,
      AUTH_ALGORITHMS: 'ES256',
      AUTH_CLOCK_TOLERANCE_SECONDS: '10',
    });
    expect(config).toMatchObject({ issuer: 'agentgov-dev', audience: ['agentgov', 'containment'], algorithms: ['ES256'], clockToleranceSeconds: 10 });
    expect((config.publicKey as KeyObject).equals(publicKey)).toBe(true);
  });

  it('reads an inline PEM (with escaped newlines) or JWK, and a JWKS URL', () => {
    const inlinePem = authConfigFromEnv({ ...base, AUTH_PUBLIC_KEY: publicPem.replace(/\n/g, '\\n') });
    expect((inlinePem.publicKey as KeyObject).equals(publicKey)).toBe(true);
    const inlineJwk = authConfigFromEnv({ ...base, AUTH_PUBLIC_KEY: JSON.stringify(publicKey.export({ format: 'jwk' })) });
    expect((inlineJwk.publicKey as KeyObject).equals(publicKey)).toBe(true);
    expect(authConfigFromEnv({ ...base, AUTH_JWKS_URL: 'https://idp.example.com/jwks' })).toEqual({
      ...{ issuer: 'agentgov-dev', audience: 'agentgov' },
      jwksUrl: 'https://idp.example.com/jwks',
    });
  });

  it.each([
    ['AUTH_ISSUER', { AUTH_AUDIENCE: 'agentgov', AUTH_JWKS_URL: 'https://idp/jwks' }],
    ['AUTH_AUDIENCE', { AUTH_ISSUER: 'i', AUTH_AUDIENCE: ' , ', AUTH_JWKS_URL: 'https://idp/jwks' }],
    ['AUTH_JWKS_URL, AUTH_PUBLIC_KEY or AUTH_PUBLIC_KEY_FILE', base],
    ['AUTH_JWKS_URL and AUTH_PUBLIC_KEY', { ...base, AUTH_JWKS_URL: 'https://idp/jwks', AUTH_PUBLIC_KEY: 'x' }],
    ['AUTH_JWKS_URL', { ...base, AUTH_JWKS_URL: 'ftp://idp/jwks' }],
    ['AUTH_PUBLIC_KEY', { ...base, AUTH_PUBLIC_KEY: 'not a key' }],
    ['AUTH_PUBLIC_KEY_FILE', { ...base, AUTH_PUBLIC_KEY_FILE: '/nonexistent/public.pem' }],
    ['AUTH_ALGORITHMS', { ...base, AUTH_JWKS_URL: 'https://idp/jwks', AUTH_ALGORITHMS: 'HS256' }],
    ['AUTH_CLOCK_TOLERANCE_SECONDS', { ...base, AUTH_JWKS_URL: 'https://idp/jwks', AUTH_CLOCK_TOLERANCE_SECONDS: 'soon' }],
  ])('names %s when it is wrong', (name, env) => {
    expect(() => authConfigFromEnv(env)).toThrow(name);
  });

  it('refuses a private key, without echoing it', () => {
    const pkcs8 = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const privateJwk = JSON.stringify(privateKey.export({ format: 'jwk' }));
    for (const value of [pkcs8, privateJwk]) {
      let message = '';
      try {
        authConfigFromEnv({ ...base, AUTH_PUBLIC_KEY: value });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toBe('AUTH_PUBLIC_KEY must hold a public key, not a private key');
    }
  });

  it('lists every variable it reads', () => {
    expect([...AUTH_ENV_VARS].sort()).toEqual([
      'AUTH_ALGORITHMS',
      'AUTH_AUDIENCE',
      'AUTH_CLOCK_TOLERANCE_SECONDS',
      'AUTH_ISSUER',
      'AUTH_JWKS_URL',
      'AUTH_PUBLIC_KEY',
      'AUTH_PUBLIC_KEY_FILE',
    ]);
    const read: string[] = [];
    const spy = new Proxy(
      { ...base, AUTH_JWKS_URL: 'https://idp/jwks', AUTH_ALGORITHMS: 'ES256', AUTH_CLOCK_TOLERANCE_SECONDS: '5' },
      {
        get(target, key: string) {
          read.push(key);
          return (target as Record<string, string>)[key];
        },
      },
    );
    authConfigFromEnv(spy);
    expect(read.every((name) => (AUTH_ENV_VARS as readonly string[]).includes(name))).toBe(true);
  });
});
