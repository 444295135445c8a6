import { createPublicKey, KeyObject } from 'node:crypto';

import type { JWK } from 'jose';

export const ALLOWED_ALGORITHMS = ['ES256', 'RS256', 'EdDSA'] as const;
export type AllowedAlgorithm = (typeof ALLOWED_ALGORITHMS)[number];

export type PublicKeyInput = string | JWK | KeyObject;

/**
 * Parses a PEM (SPKI) or JWK public key. `source` names where it came from in error messages; the key
 * text itself is never echoed.
 */
export function parsePublicKey(input: PublicKeyInput, source = 'publicKey'): KeyObject {
  let key: KeyObject;
  try {
    if (input instanceof KeyObject) {
      key = input;
    } else if (typeof input === 'string') {
      const text = input.trim().replace(/\\n/g, '\n');
      if (text.startsWith('{')) {
        key = fromJwk(JSON.parse(text) as JWK, source);
      } else {
        if (/PRIVATE KEY-----/.test(text)) throw new PrivateKeyError(source);
        key = createPublicKey({ key: text, format: 'pem' });
      }
    } else {
      key = fromJwk(input, source);
    }
  } catch (error) {
    if (error instanceof PrivateKeyError) throw error;
    throw new Error(`${source} is not a PEM (SPKI) or JWK public key`);
  }
  if (key.type !== 'public') throw new PrivateKeyError(source);
  algorithmForKey(key, source);
  return key;
}

/** The one signature algorithm a key may verify, so that a token cannot choose another. */
export function algorithmForKey(key: KeyObject, source = 'publicKey'): AllowedAlgorithm {
  switch (key.asymmetricKeyType) {
    case 'ec':
      if (key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
      break;
    case 'rsa':
      if ((key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048) return 'RS256';
      break;
    case 'ed25519':
      return 'EdDSA';
  }
  throw new Error(`${source} must be an EC P-256, RSA (2048 bits or more) or Ed25519 key`);
}

class PrivateKeyError extends Error {
  constructor(source: string) {
    super(`${source} must hold a public key, not a private key`);
  }
}

function fromJwk(jwk: JWK, source: string): KeyObject {
  if (typeof jwk !== 'object' || jwk === null) throw new Error('not a JWK');
  if ('d' in jwk) throw new PrivateKeyError(source);
  return createPublicKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
}
