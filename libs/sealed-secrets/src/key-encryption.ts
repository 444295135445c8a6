import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT = 'v1';

/**
 * The key used when a service's key-encryption variable is unset outside production (each service's env
 * check refuses that in production). Anyone can derive it from this source, so what is sealed under it is not
 * protected; `purpose` keeps one service's development key from opening another's.
 */
export function developmentKeyEncryptionKey(purpose: string): Buffer {
  return createHash('sha256').update(`agentgov development-only ${purpose} key-encryption key`).digest();
}

export class KeyDecryptionError extends Error {
  constructor(what: string, variable: string) {
    super(`cannot decrypt ${what}: wrong ${variable}, or the stored value was altered`);
    this.name = 'KeyDecryptionError';
  }
}

/** Where a key-encryption key comes from: its env variable (named in errors) and its value, if set. */
export interface KeyEncryptionKeySource {
  variable: string;
  /** Base64 of 32 bytes; the development key of `developmentPurpose` when undefined. */
  base64: string | undefined;
  developmentPurpose: string;
}

export interface KeyEncryptionKey {
  key: Buffer;
  variable: string;
}

export function keyEncryptionKeyFrom(source: KeyEncryptionKeySource): KeyEncryptionKey {
  if (source.base64 === undefined) return { key: developmentKeyEncryptionKey(source.developmentPurpose), variable: source.variable };
  const key = Buffer.from(source.base64, 'base64');
  if (key.length !== 32) throw new Error(`${source.variable} must be the base64 of exactly 32 bytes`);
  return { key, variable: source.variable };
}

/**
 * AES-256-GCM under the key-encryption key. `context` (the key id) is bound as associated data, so a
 * ciphertext copied onto another row fails to decrypt like a tampered one. Format: v1.iv.tag.ciphertext.
 */
export function encryptWithKek(kek: KeyEncryptionKey, plaintext: string, context: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, kek.key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [FORMAT, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
}

export function decryptWithKek(kek: KeyEncryptionKey, sealed: string, context: string): string {
  const [format, iv, tag, ciphertext, extra] = sealed.split('.');
  if (format !== FORMAT || !iv || !tag || ciphertext === undefined || extra !== undefined) throw new KeyDecryptionError(context, kek.variable);
  try {
    const decipher = createDecipheriv(ALGORITHM, kek.key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    const tagBytes = Buffer.from(tag, 'base64url');
    if (tagBytes.length !== TAG_BYTES) throw new KeyDecryptionError(context, kek.variable);
    decipher.setAuthTag(tagBytes);
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new KeyDecryptionError(context, kek.variable);
  }
}
