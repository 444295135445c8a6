import { randomUUID } from 'node:crypto';

import { generateKeyPair, KeyLike, SignJWT } from 'jose';

import { AccessTokenVerifier } from './access-token-verifier';
import { CredentialsConfig } from './credentials.config';
import { SigningKeyStore } from './signing-key-store';

const ISSUER = 'https://issuer.example';
const TTL = 300;

describe('AccessTokenVerifier', () => {
  let privateKey: KeyLike;
  let trusted: boolean;
  let verifier: AccessTokenVerifier;

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    privateKey = pair.privateKey;
    // A stand-in for the database-backed key store: one key, trusted until the test revokes it.
    const keys = { verificationKey: async () => pair.publicKey, trusts: () => trusted } as unknown as SigningKeyStore;
    verifier = new AccessTokenVerifier(keys, { issuer: ISSUER, ttlSeconds: TTL } as CredentialsConfig);
  });
  beforeEach(() => (trusted = true));

  const token = (lifetimeSeconds: number, subject: string = randomUUID(), claims: Record<string, unknown> = {}) => {
    const iat = Math.floor(Date.now() / 1000);
    return new SignJWT({ jti: randomUUID(), scope: 'crm:read', ...claims })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' })
      .setIssuer(ISSUER)
      .setSubject(subject)
      .setIssuedAt(iat)
      .setExpirationTime(iat + lifetimeSeconds)
      .sign(privateKey);
  };

  it('accepts a token living exactly the configured lifetime, and refuses one that lives longer', async () => {
    expect(await verifier.verify(await token(TTL))).not.toBeNull();
    expect(await verifier.verify(await token(TTL + 60))).toBeNull();
    expect(await verifier.verify(await token(24 * 3600))).toBeNull();
  });

  it('stops accepting a token it verified before once its key is no longer trusted (an emergency revocation)', async () => {
    const t = await token(TTL);
    expect(await verifier.verify(t)).not.toBeNull();
    trusted = false;
    expect(await verifier.verify(t)).toBeNull();
  });

  it('looks a token up by its agent: the subject of a client credentials token, the client of an exchanged one', async () => {
    const lineage = { agents: [{ agent: randomUUID(), owner: 'alice', since: Date.now() }], tokens: [] };
    expect(await verifier.verify(await token(TTL, 'alice', { client_id: randomUUID(), lineage }))).not.toBeNull();
    expect(await verifier.verify(await token(TTL, 'alice', { client_id: 'not-an-agent', lineage }))).toBeNull();
    expect(await verifier.verify(await token(TTL, 'alice'))).toBeNull();
  });
});
