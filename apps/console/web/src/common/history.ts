import { AuditRecord } from './audit-trail';

/** One line of a history: when, what, who, why. */
export interface HistoryRow {
  seq: string;
  at: string;
  who: string;
  what: string;
  why: string;
}

/** Who made a recorded change, in words: the person or client, the event's sender, or the service itself. */
export function actorWords(record: Pick<AuditRecord, 'actorType' | 'actor'>): string {
  if (record.actor) return record.actor;
  return record.actorType === 'event' ? 'an event' : record.actorType === 'system' ? 'the service' : 'an API caller';
}

/** Why, as recorded: the decider's reason, or the reason a change carried in its details. */
export function whyOf(record: Pick<AuditRecord, 'reason' | 'details'>): string {
  const fromDetails = record.details?.['reason'];
  return record.reason ?? (typeof fromDetails === 'string' ? fromDetails : '');
}
