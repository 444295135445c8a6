import { createHash, createHmac } from 'node:crypto';

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
  return uuidOf(createHash('sha256'), namespace, parts);
}

/**
 * The same scheme under a secret key (HMAC-SHA-256): still the same id for the same input (a retried webhook is
 * absorbed), but nobody without the key can compute it. For ids of events reported from outside (an IdP's SCIM
 * call, a webhook): whoever may write the topic cannot send, ahead of the real report, one carrying its id.
 */
export function keyedUuid(key: Buffer, namespace: string, ...parts: readonly string[]): string {
  return uuidOf(createHmac('sha256', key), namespace, parts);
}

function uuidOf(hash: { update(data: string): unknown; digest(): Buffer }, namespace: string, parts: readonly string[]): string {
  for (const part of [namespace, ...parts]) hash.update(`${Buffer.byteLength(part)}:${part};`);
  const bytes = hash.digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
