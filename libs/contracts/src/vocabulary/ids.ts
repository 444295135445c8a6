import { createHash } from 'node:crypto';

/** Every id the services mint or accept as a uuid (agents, owners, actions, incidents, events they derive). */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_PATTERN.test(value);
}

/**
 * The one scheme for ids derived from what identifies a thing (an Okta event uuid, a SET's jti and type, an
 * agent's episode): the same input always gives the same id, so a re-delivery or a re-processing after a crash
 * is absorbed by every consumer's inbox. SHA-256 over the length-prefixed parts (so `("a:b", "c")` and
 * `("a", "b:c")` cannot blur), laid out as a UUID with version nibble 5 and the RFC 4122 variant.
 */
export function deterministicUuid(namespace: string, ...parts: readonly string[]): string {
  const hash = createHash('sha256');
  for (const part of [namespace, ...parts]) hash.update(`${Buffer.byteLength(part)}:${part};`);
  const bytes = hash.digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
