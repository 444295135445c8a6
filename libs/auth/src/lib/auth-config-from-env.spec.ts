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
      'AUTH_OIDC_AUDIENCE',
      'AUTH_OIDC_ISSUER',
      'AUTH_OIDC_JWKS_URL',
      'AUTH_OIDC_ROLES_CLAIM',
      'AUTH_OIDC_ROLE_MAP',
      'AUTH_OIDC_SUBJECT_CLAIM',
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

  describe('a trusted OpenID Connect issuer for people', () => {
    const withKey = { ...base, AUTH_JWKS_URL: 'https://idp/jwks' };
    const oidc = {
      AUTH_OIDC_ISSUER: 'https://sso.example.com/realms/agentgov',
      AUTH_OIDC_AUDIENCE: 'agentgov',
      AUTH_OIDC_ROLE_MAP: 'agentgov-soc=soc-analyst, agentgov-admin=admin, agentgov-admin=soc-analyst,agentgov-reviewer=reviewer',
    };

    it('reads the issuer, audience, roles claim, role mapping and subject claim; the JWKS comes from discovery unless set', () => {
      expect(
        authConfigFromEnv({ ...withKey, ...oidc, AUTH_OIDC_ROLES_CLAIM: 'realm_access.roles', AUTH_OIDC_SUBJECT_CLAIM: 'preferred_username' }).oidc,
      ).toEqual({
        issuer: 'https://sso.example.com/realms/agentgov',
        audience: 'agentgov',
        rolesClaim: 'realm_access.roles',
        roleMap: { 'agentgov-soc': ['soc-analyst'], 'agentgov-admin': ['admin', 'soc-analyst'], 'agentgov-reviewer': ['reviewer'] },
        subjectClaim: 'preferred_username',
      });
      expect(authConfigFromEnv({ ...withKey, ...oidc, AUTH_OIDC_JWKS_URL: 'https://sso.example.com/certs' }).oidc).toMatchObject({
        jwksUrl: 'https://sso.example.com/certs',
        rolesClaim: 'roles',
      });
      expect(authConfigFromEnv(withKey).oidc).toBeUndefined();
    });

    it.each([
      ['machine role', { AUTH_OIDC_ROLE_MAP: 'agentgov-soc=soc-analyst,hr-bot=ingest' }, 'AUTH_OIDC_ROLE_MAP: ingest is a machine role'],
      ['unknown role', { AUTH_OIDC_ROLE_MAP: 'agentgov-soc=superuser' }, 'AUTH_OIDC_ROLE_MAP: superuser is not a role'],
      ['malformed entry', { AUTH_OIDC_ROLE_MAP: 'agentgov-soc' }, 'AUTH_OIDC_ROLE_MAP: "agentgov-soc" is not of the form idp-role=role'],
      ['missing role map', { AUTH_OIDC_ROLE_MAP: undefined }, 'AUTH_OIDC_ROLE_MAP is required'],
      ['missing audience', { AUTH_OIDC_AUDIENCE: ' ' }, 'AUTH_OIDC_AUDIENCE is required'],
      ['issuer that is not a URL', { AUTH_OIDC_ISSUER: 'keycloak' }, 'AUTH_OIDC_ISSUER must be an http(s) URL'],
      ['issuer equal to AUTH_ISSUER', { AUTH_OIDC_ISSUER: 'agentgov-dev' }, 'AUTH_OIDC_ISSUER must differ from AUTH_ISSUER'],
      ['JWKS URL that is not http(s)', { AUTH_OIDC_JWKS_URL: 'file:///etc/keys' }, 'AUTH_OIDC_JWKS_URL must be an http(s) URL'],
      ['roles claim with spaces', { AUTH_OIDC_ROLES_CLAIM: 'realm access' }, 'AUTH_OIDC_ROLES_CLAIM must be a claim name or a dotted path'],
      ['roles claim path with an empty part', { AUTH_OIDC_ROLES_CLAIM: 'realm_access..roles' }, 'AUTH_OIDC_ROLES_CLAIM must be a claim name or a dotted path'],
    ])('stops at a %s, naming the variable', (_case, change, message) => {
      expect(() => authConfigFromEnv({ ...withKey, ...oidc, ...change })).toThrow(message);
    });

    it('refuses AUTH_OIDC_* settings without AUTH_OIDC_ISSUER', () => {
      expect(() => authConfigFromEnv({ ...withKey, AUTH_OIDC_AUDIENCE: 'agentgov', AUTH_OIDC_ROLE_MAP: 'a=admin' })).toThrow(
        'AUTH_OIDC_AUDIENCE, AUTH_OIDC_ROLE_MAP are set without AUTH_OIDC_ISSUER',
      );
    });
  });
});
