import { createPrivateKey, generateKeyPairSync, KeyObject, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { calculateJwkThumbprint, JWK, SignJWT } from 'jose';

import { DEV_AUTH_AUDIENCE, DEV_AUTH_ISSUER } from './auth-config';
import { algorithmForKey } from './public-key';
import { isRole, Role } from './roles';

export interface MintDevTokenOptions {
  sub: string;
  roles: readonly Role[];
  /** Lifetime in seconds; may be negative to mint an already expired token. Default 3600. */
  ttlSeconds?: number;
  /** Private key as a JWK (as in tmp/dev-auth/private.jwk.json) or a KeyObject. */
  privateKey: JWK | KeyObject;
  issuer?: string;
  audience?: string | string[];
  /** Other claims to include (e.g. `jti`); registered claims above win. */
  claims?: Record<string, unknown>;
}

/** Signs a development access token. For local use and tests, never for production identities. */
export async function mintDevToken(options: MintDevTokenOptions): Promise<string> {
  if (!options.sub) throw new Error('sub is required');
  const unknown = options.roles.filter((r) => !isRole(r));
  if (unknown.length > 0) throw new Error(`unknown roles: ${unknown.join(', ')}`);
  const ttl = options.ttlSeconds ?? 3600;
  if (!Number.isInteger(ttl)) throw new Error('ttlSeconds must be an integer');

  const key =
    options.privateKey instanceof KeyObject
      ? options.privateKey
      : createPrivateKey({ key: options.privateKey as import('node:crypto').JsonWebKey, format: 'jwk' });
  if (key.type !== 'private') throw new Error('privateKey must be a private key');
  const alg = algorithmForKey(key, 'privateKey');
  const kid = options.privateKey instanceof KeyObject ? undefined : options.privateKey.kid;
  const now = Math.floor(Date.now() / 1000);

  return new SignJWT({ jti: randomUUID(), ...options.claims, roles: [...options.roles] })
    .setProtectedHeader({ alg, typ: 'JWT', ...(kid ? { kid } : {}) })
    .setSubject(options.sub)
    .setIssuer(options.issuer ?? DEV_AUTH_ISSUER)
    .setAudience(options.audience ?? DEV_AUTH_AUDIENCE)
    .setIssuedAt(Math.min(now, now + ttl))
    .setExpirationTime(now + ttl)
    .sign(key);
}

export interface DevKeyPair {
  /** The ES256 private key as a JWK, with its thumbprint as `kid`. */
  privateJwk: JWK;
  publicPem: string;
  privateKeyFile: string;
  /** What services read through AUTH_PUBLIC_KEY_FILE. */
  publicKeyFile: string;
  /** True when this call generated the pair. */
  created: boolean;
}

export const DEV_PRIVATE_KEY_FILE = 'private.jwk.json';
export const DEV_PUBLIC_KEY_FILE = 'public.pem';

/** Returns the dev key pair in `dir`, generating an ES256 pair on first use. */
export async function ensureDevKeyPair(dir: string): Promise<DevKeyPair> {
  const privateKeyFile = join(dir, DEV_PRIVATE_KEY_FILE);
  const publicKeyFile = join(dir, DEV_PUBLIC_KEY_FILE);
  if (existsSync(privateKeyFile) && existsSync(publicKeyFile)) {
    const privateJwk = JSON.parse(readFileSync(privateKeyFile, 'utf8')) as JWK;
    return { privateJwk, publicPem: readFileSync(publicKeyFile, 'utf8'), privateKeyFile, publicKeyFile, created: false };
  }

  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = privateKey.export({ format: 'jwk' }) as JWK;
  const kid = await calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y });
  const privateJwk: JWK = { ...jwk, kid, alg: 'ES256', use: 'sig' };
  const publicPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();

  // Write then rename, so a concurrent reader never sees half a key; the public key goes last because
  // its presence marks the pair complete.
  writeAtomically(privateKeyFile, `${JSON.stringify(privateJwk, null, 2)}\n`, 0o600);
  writeAtomically(publicKeyFile, publicPem, 0o644);
  return { privateJwk, publicPem, privateKeyFile, publicKeyFile, created: true };
}

function writeAtomically(file: string, content: string, mode: number): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, content, { mode });
  renameSync(temporary, file);
}
