import { createHash, createPrivateKey, generateKeyPairSync, JsonWebKey, KeyObject } from 'node:crypto';

/** The ES256 (P-256) key that signs Security Event Tokens, with the `kid` receivers find it by in the JWKS. */
export interface SsfSigningKey {
  privateJwk: JsonWebKey;
  kid: string;
}

export interface GeneratedSsfSigningKey extends SsfSigningKey {
  /** Carries `kid`; publish it with `ssfJwks`. */
  publicJwk: JsonWebKey;
}

/** A new P-256 key pair; its `kid` is the RFC 7638 thumbprint of the public key. */
export function generateSsfSigningKey(): GeneratedSsfSigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicJwk = publicKey.export({ format: 'jwk' });
  const kid = jwkThumbprint(publicJwk);
  return { privateJwk: privateKey.export({ format: 'jwk' }), publicJwk: { ...publicJwk, kid }, kid };
}

/** ES256 for an EC P-256 key; RS256 for an RSA key of 2048 bits or more (CAEP Interoperability Profile 1.0 §2.6). */
export type SsfSigningAlgorithm = 'ES256' | 'RS256';

/** The JWKS document that receivers fetch to verify SETs. Only public members are copied, whatever is passed. */
export function ssfJwks(publicJwk: JsonWebKey): { keys: JsonWebKey[] } {
  const kid = typeof publicJwk['kid'] === 'string' ? publicJwk['kid'] : jwkThumbprint(publicJwk);
  if (publicJwk.kty === 'RSA') {
    const { kty, n, e } = publicJwk;
    return { keys: [{ kty, n, e, kid, use: 'sig', alg: 'RS256' }] };
  }
  const { kty, crv, x, y } = publicJwk;
  return { keys: [{ kty, crv, x, y, kid, use: 'sig', alg: 'ES256' }] };
}

/** Checks and loads the key once, at start-up; the error never quotes key material. */
export function loadSsfSigningKey(key: SsfSigningKey | undefined): { privateKey: KeyObject; kid: string; alg: SsfSigningAlgorithm } {
  if (!key) throw new Error('An ssf connector is configured, but no ssfSigningKey was supplied');
  if (typeof key.kid !== 'string' || key.kid.trim() === '') throw new Error('ssfSigningKey.kid must be a non-empty string');
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: key.privateJwk, format: 'jwk' });
  } catch {
    throw new Error('ssfSigningKey.privateJwk is not a private JWK');
  }
  if (privateKey.asymmetricKeyType === 'ec' && privateKey.asymmetricKeyDetails?.namedCurve === 'prime256v1') return { privateKey, kid: key.kid, alg: 'ES256' };
  if (privateKey.asymmetricKeyType === 'rsa' && (privateKey.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048) {
    return { privateKey, kid: key.kid, alg: 'RS256' };
  }
  throw new Error('ssfSigningKey.privateJwk must be an EC P-256 key (ES256) or an RSA key of at least 2048 bits (RS256)');
}

function jwkThumbprint(jwk: JsonWebKey): string {
  // RFC 7638: the required members of the key, in lexicographic order, without whitespace.
  const canonical =
    jwk.kty === 'RSA' ? JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n }) : JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}
