import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT = 'v1';

/**
 * Used only when ISSUER_KEY_ENCRYPTION_KEY is unset outside production (the env check refuses that in
 * production). Anyone can derive it from this source, so keys encrypted under it are not protected.
 */
export const DEVELOPMENT_KEY_ENCRYPTION_KEY = createHash('sha256').update('agentgov development-only issuer key-encryption key').digest();

export class KeyDecryptionError extends Error {
  constructor(what: string) {
    super(`cannot decrypt ${what}: wrong ISSUER_KEY_ENCRYPTION_KEY, or the stored value was altered`);
    this.name = 'KeyDecryptionError';
  }
}

/** The key-encryption key from its env value (base64 of 32 bytes), or the development key when unset. */
export function keyEncryptionKeyFrom(base64: string | undefined): Buffer {
  if (base64 === undefined) return DEVELOPMENT_KEY_ENCRYPTION_KEY;
  const key = Buffer.from(base64, 'base64');
  if (key.length !== 32) throw new Error('ISSUER_KEY_ENCRYPTION_KEY must be the base64 of exactly 32 bytes');
  return key;
}

/**
 * AES-256-GCM under the key-encryption key. `context` (the key id) is bound as associated data, so a
 * ciphertext copied onto another row fails to decrypt like a tampered one. Format: v1.iv.tag.ciphertext.
 */
export function encryptWithKek(kek: Buffer, plaintext: string, context: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, kek, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [FORMAT, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
}

export function decryptWithKek(kek: Buffer, sealed: string, context: string): string {
  const [format, iv, tag, ciphertext, extra] = sealed.split('.');
  if (format !== FORMAT || !iv || !tag || ciphertext === undefined || extra !== undefined) throw new KeyDecryptionError(`key ${context}`);
  try {
    const decipher = createDecipheriv(ALGORITHM, kek, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    const tagBytes = Buffer.from(tag, 'base64url');
    if (tagBytes.length !== TAG_BYTES) throw new KeyDecryptionError(`key ${context}`);
    decipher.setAuthTag(tagBytes);
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new KeyDecryptionError(`key ${context}`);
  }
}
