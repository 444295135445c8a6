import { createHash, randomBytes } from 'node:crypto';

import { decryptWithKek, developmentKeyEncryptionKey, encryptWithKek, KeyDecryptionError, keyEncryptionKeyFrom } from './key-encryption';

const JWK = JSON.stringify({ kty: 'EC', crv: 'P-256', x: 'x-coordinate', y: 'y-coordinate', d: 'private-scalar' });

describe('secrets sealed at rest with AES-256-GCM', () => {
  const kek = { key: randomBytes(32), variable: 'TEST_KEY_ENCRYPTION_KEY' };

  it('decrypts what it encrypted, and never stores the plaintext', () => {
    const sealed = encryptWithKek(kek, JWK, 'kid-1');

    expect(sealed).not.toContain('private-scalar');
    expect(decryptWithKek(kek, sealed, 'kid-1')).toBe(JWK);
  });

  it('uses a fresh IV each time', () => {
    expect(encryptWithKek(kek, JWK, 'kid-1')).not.toBe(encryptWithKek(kek, JWK, 'kid-1'));
  });

  it('refuses a ciphertext with one bit flipped', () => {
    const [format, iv, tag, ciphertext] = encryptWithKek(kek, JWK, 'kid-1').split('.');
    const bytes = Buffer.from(ciphertext, 'base64url');
    bytes[3] ^= 0x01;
    const tampered = [format, iv, tag, bytes.toString('base64url')].join('.');

    expect(() => decryptWithKek(kek, tampered, 'kid-1')).toThrow(KeyDecryptionError);
  });

  it('refuses a ciphertext moved to another key id, or a truncated tag', () => {
    const sealed = encryptWithKek(kek, JWK, 'kid-1');
    const [format, iv, tag, ciphertext] = sealed.split('.');

    expect(() => decryptWithKek(kek, sealed, 'kid-2')).toThrow(KeyDecryptionError);
    expect(() => decryptWithKek(kek, [format, iv, tag.slice(0, 8), ciphertext].join('.'), 'kid-1')).toThrow(KeyDecryptionError);
  });

  it('refuses another key-encryption key, without echoing the plaintext', () => {
    const sealed = encryptWithKek(kek, JWK, 'kid-1');

    expect(() => decryptWithKek({ key: randomBytes(32), variable: 'TEST_KEY_ENCRYPTION_KEY' }, sealed, 'kid-1')).toThrow(/wrong TEST_KEY_ENCRYPTION_KEY/);
  });

  it('reads the key-encryption key from base64 of 32 bytes, and refuses another length', () => {
    const source = (base64: string | undefined) => ({ variable: 'TEST_KEY_ENCRYPTION_KEY', base64, developmentPurpose: 'test' });
    expect(keyEncryptionKeyFrom(source(kek.key.toString('base64'))).key.equals(kek.key)).toBe(true);
    expect(() => keyEncryptionKeyFrom(source(randomBytes(16).toString('base64')))).toThrow(/TEST_KEY_ENCRYPTION_KEY must be the base64 of exactly 32 bytes/);
    expect(keyEncryptionKeyFrom(source(undefined)).key).toHaveLength(32);
  });

  it("gives each purpose its own development key, the issuer's unchanged since keys were first sealed under it", () => {
    expect(developmentKeyEncryptionKey('issuer').toString('hex')).toBe(
      createHash('sha256').update('agentgov development-only issuer key-encryption key').digest('hex'),
    );
    expect(developmentKeyEncryptionKey('issuer').equals(developmentKeyEncryptionKey('external-token'))).toBe(false);
  });
});
