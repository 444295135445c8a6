import { linkHash } from '@agentgov/hash-chain';

export { canonicalJson, GENESIS_HASH } from '@agentgov/hash-chain';

export interface AuditEntry {
  at: Date;
  actorType: 'api' | 'event' | 'system';
  actor?: string;
  causeEventId?: string;
  action: string;
  subjectType: 'owner' | 'agent' | 'signing-key';
  subjectId: string;
  details?: Record<string, unknown>;
}

/** Each row's hash covers the previous row's hash, so editing or deleting any row breaks every later one. */
export function chainHash(prevHash: string, entry: AuditEntry): string {
  return linkHash(prevHash, {
    at: entry.at.toISOString(),
    actorType: entry.actorType,
    actor: entry.actor ?? null,
    causeEventId: entry.causeEventId ?? null,
    action: entry.action,
    subjectType: entry.subjectType,
    subjectId: entry.subjectId,
    details: entry.details ?? {},
  });
}
