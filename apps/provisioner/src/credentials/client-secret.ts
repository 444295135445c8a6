import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/*
 * Client secrets are 256 random bits generated here, not passwords people choose: no dictionary or
 * brute-force attack on a SHA-256 of them is feasible, so a slow password hash (scrypt, argon2) would only
 * cost ~30 ms of CPU on every token request without adding protection. The hash is salted anyway so equal
 * secrets never show as equal hashes, and compared in constant time.
 */
const SCHEME = 'sha256';

/** A fresh client secret: 32 random bytes, base64url. Shown once to the caller, never stored. */
export function generateClientSecret(): string {
  return randomBytes(32).toString('base64url');
}

function digest(secret: string, salt: Buffer): Buffer {
  return createHash('sha256').update(salt).update(secret, 'utf8').digest();
}

/** `sha256$salt$hash`; only this is stored. */
export async function hashClientSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  return [SCHEME, salt.toString('base64url'), digest(secret, salt).toString('base64url')].join('$');
}

export async function verifyClientSecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== SCHEME || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = digest(secret, Buffer.from(salt, 'base64url'));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
