import { createHmac, generateKeyPairSync, KeyObject } from 'node:crypto';

import { SignJWT } from 'jose';

import { mintDevToken, Role } from '@agentgov/auth';

import { Secret } from './log-secrets';

const ISSUER = 'agentgov-test';
const AUDIENCE = 'agentgov';

const b64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/**
 * The services' token key for a run (give `publicKeyPem` to them as AUTH_PUBLIC_KEY), and every kind of bearer
 * token a caller may present: valid ones by role, and expired, forged, unsigned, confused and mis-addressed ones.
 * Every token minted is remembered for the log scan.
 */
export class TokenMint {
  readonly secrets: Secret[] = [];
  private readonly key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  private readonly attacker = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  readonly publicKeyPem = this.key.publicKey.export({ format: 'pem', type: 'spki' }).toString();

  private remember(name: string, token: string): string {
    this.secrets.push({ name, value: token });
    return token;
  }

  async valid(roles: Role[], sub = 'hostile-caller'): Promise<string> {
    return this.remember(
      `bearer token (${roles.join(',') || 'no role'})`,
      await mintDevToken({ sub, roles, privateKey: this.key.privateKey, issuer: ISSUER, audience: AUDIENCE }),
    );
  }

  /** Tokens every protected route must answer with 401, each with why. */
  async invalid(roles: Role[] = [Role.Admin]): Promise<Array<{ why: string; token: string }>> {
    const sign = (options: Partial<Parameters<typeof mintDevToken>[0]>) =>
      mintDevToken({ sub: 'hostile-caller', roles, privateKey: this.key.privateKey, issuer: ISSUER, audience: AUDIENCE, ...options });
    const claims = { sub: 'hostile-caller', roles, iss: ISSUER, aud: AUDIENCE, iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 3600 };
    const tokens: Array<{ why: string; token: string }> = [
      { why: 'expired', token: await sign({ ttlSeconds: -3600 }) },
      { why: 'signed by another key', token: await sign({ privateKey: this.attacker.privateKey as KeyObject }) },
      { why: 'from another issuer', token: await sign({ issuer: 'https://evil.example' }) },
      { why: 'for another audience', token: await sign({ audience: 'billing' }) },
      { why: 'unsigned (alg none)', token: `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.` },
      // The public key used as an HMAC secret: the classic algorithm confusion.
      { why: 'HS256 keyed with the public key', token: hs256(claims, this.publicKeyPem) },
      { why: 'signature of another token', token: await this.spliced(sign) },
      { why: 'roles not an array', token: await new SignJWT({ ...claims, roles: 'admin' }).setProtectedHeader({ alg: 'ES256' }).sign(this.key.privateKey) },
      { why: 'no subject', token: await new SignJWT({ ...claims, sub: undefined }).setProtectedHeader({ alg: 'ES256' }).sign(this.key.privateKey) },
      { why: 'garbage', token: 'not.a.jwt' },
    ];
    for (const { why, token } of tokens) if (token.length >= 12) this.remember(`invalid token (${why})`, token);
    return tokens;
  }

  /** Claims of one token (admin) under the signature of another (no role): a tampered payload. */
  private async spliced(sign: (o: Partial<Parameters<typeof mintDevToken>[0]>) => Promise<string>): Promise<string> {
    const [header, payload] = (await sign({ roles: [Role.Admin] })).split('.');
    const signature = (await sign({ roles: [] })).split('.')[2];
    return `${header}.${payload}.${signature}`;
  }
}

function hs256(claims: unknown, secret: string): string {
  const unsigned = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url(claims)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}
