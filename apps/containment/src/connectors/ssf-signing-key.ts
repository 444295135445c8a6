import { createPublicKey, JsonWebKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { generateSsfSigningKey, SsfSigningKey as SigningKeyMaterial, ssfJwks } from '@agentgov/revocation-connectors';

/**
 * The key that signs the Shared Signals SETs containment pushes, and its public JWKS. From
 * SSF_SIGNING_KEY_FILE (a private P-256 JWK with its `kid`); outside production, a key generated at start-up
 * when unset (receivers re-fetch the JWKS, but SETs signed before a restart no longer verify).
 */
export class SsfSigningKey {
  private constructor(
    readonly material: SigningKeyMaterial,
    private readonly publicJwk: JsonWebKey,
    readonly generated: boolean,
  ) {}

  static load(file: string | undefined, production: boolean): SsfSigningKey {
    if (!file) {
      if (production) return SsfSigningKey.absent();
      const generated = generateSsfSigningKey();
      return new SsfSigningKey({ privateJwk: generated.privateJwk, kid: generated.kid }, generated.publicJwk, true);
    }
    const path = resolve(file);
    let jwk: JsonWebKey;
    try {
      jwk = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new Error(`SSF_SIGNING_KEY_FILE cannot be read as JSON (${(error as NodeJS.ErrnoException).code ?? 'invalid JSON'}): ${path}`);
    }
    if (typeof jwk['kid'] !== 'string' || !jwk['d']) throw new Error('SSF_SIGNING_KEY_FILE must hold a private JWK with a kid');
    let publicJwk: JsonWebKey;
    try {
      publicJwk = { ...createPublicKey({ key: jwk, format: 'jwk' }).export({ format: 'jwk' }), kid: jwk['kid'] };
    } catch {
      throw new Error('SSF_SIGNING_KEY_FILE does not hold a valid EC private JWK');
    }
    return new SsfSigningKey({ privateJwk: jwk, kid: jwk['kid'] as string }, publicJwk, false);
  }

  private static absent(): SsfSigningKey {
    return new SsfSigningKey(undefined as unknown as SigningKeyMaterial, {}, false);
  }

  get present(): boolean {
    return this.material !== undefined;
  }

  jwks(): { keys: JsonWebKey[] } {
    return this.present ? ssfJwks(this.publicJwk) : { keys: [] };
  }
}
