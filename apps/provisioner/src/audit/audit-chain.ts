import { createHash } from 'node:crypto';

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

export const GENESIS_HASH = '0'.repeat(64);

/** Stable JSON: keys sorted at every depth, so the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** Each row's hash covers the previous row's hash, so editing or deleting any row breaks every later one. */
export function chainHash(prevHash: string, entry: AuditEntry): string {
  const content = canonicalJson({
    at: entry.at.toISOString(),
    actorType: entry.actorType,
    actor: entry.actor ?? null,
    causeEventId: entry.causeEventId ?? null,
    action: entry.action,
    subjectType: entry.subjectType,
    subjectId: entry.subjectId,
    details: entry.details ?? {},
  });
  return createHash('sha256').update(prevHash).update('\n').update(content).digest('hex');
}
