import { createHash } from 'node:crypto';

/**
 * A ce_id derived from what identifies one delivery (Okta event uuid, SET jti and event type, SCIM request),
 * shaped as a UUID (version nibble 5, RFC 4122 variant). The same delivery always gets the same id, so a
 * repeat is absorbed here and by every consumer's inbox; the parts are length-prefixed so they cannot blur.
 */
export function deterministicEventId(namespace: string, ...parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of [namespace, ...parts]) hash.update(`${Buffer.byteLength(part)}:${part};`);
  const bytes = hash.digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
