import { randomBytes } from 'node:crypto';

import { decryptWithKek, encryptWithKek, KeyDecryptionError, keyEncryptionKeyFrom } from './key-encryption';

const JWK = JSON.stringify({ kty: 'EC', crv: 'P-256', x: 'x-coordinate', y: 'y-coordinate', d: 'private-scalar' });

describe('signing keys encrypted at rest with AES-256-GCM', () => {
  const kek = randomBytes(32);

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

    expect(() => decryptWithKek(randomBytes(32), sealed, 'kid-1')).toThrow(/wrong ISSUER_KEY_ENCRYPTION_KEY/);
  });

  it('reads the key-encryption key from base64 of 32 bytes, and refuses another length', () => {
    expect(keyEncryptionKeyFrom(kek.toString('base64')).equals(kek)).toBe(true);
    expect(() => keyEncryptionKeyFrom(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
    expect(keyEncryptionKeyFrom(undefined)).toHaveLength(32);
  });
});
