import { generateKeyPairSync } from 'node:crypto';

import { compactVerify, createLocalJWKSet, decodeProtectedHeader } from 'jose';

import { signSecurityEvent } from './security-event-token';
import { generateSsfSigningKey, loadSsfSigningKey, ssfJwks } from './ssf-signing-key';

const claims = { iss: 'https://containment.example', jti: 'j', iat: 1, events: { 'urn:example:event': {} } };

describe('the SET signing key', () => {
  it('signs ES256 with an EC P-256 key, verifiable with its JWKS', async () => {
    const key = generateSsfSigningKey();
    const loaded = loadSsfSigningKey(key);
    expect(loaded.alg).toBe('ES256');
    const set = await signSecurityEvent(claims, loaded.privateKey, loaded.kid, loaded.alg);
    expect(decodeProtectedHeader(set)).toEqual({ alg: 'ES256', typ: 'secevent+jwt', kid: key.kid });
    await compactVerify(set, createLocalJWKSet(ssfJwks(key.publicJwk) as Parameters<typeof createLocalJWKSet>[0]));
  });

  it('signs RS256 with an RSA key of 2048 bits, as the CAEP Interoperability Profile 1.0 §2.6 asks, and publishes only its public members', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const loaded = loadSsfSigningKey({ privateJwk: privateKey.export({ format: 'jwk' }), kid: 'rsa-1' });
    expect(loaded.alg).toBe('RS256');
    const set = await signSecurityEvent(claims, loaded.privateKey, loaded.kid, loaded.alg);
    expect(decodeProtectedHeader(set)).toMatchObject({ alg: 'RS256', typ: 'secevent+jwt', kid: 'rsa-1' });
    const jwks = ssfJwks({ ...privateKey.export({ format: 'jwk' }), kid: 'rsa-1' });
    expect(Object.keys(jwks.keys[0]!).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', n: publicKey.export({ format: 'jwk' }).n });
    await compactVerify(set, createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]));
  });

  it('refuses an RSA key under 2048 bits and a curve other than P-256', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'jwk' });
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ format: 'jwk' });
    expect(() => loadSsfSigningKey({ privateJwk: small, kid: 'k' })).toThrow(/RSA key of at least 2048 bits/);
    expect(() => loadSsfSigningKey({ privateJwk: p384, kid: 'k' })).toThrow(/EC P-256/);
  });
});
