import { AuditRecord } from '../common/audit-trail';
import { actorWords, HistoryRow } from '../common/history';

const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);

/** What an owner's audit record says happened, in plain words. */
export function ownerEventWords(record: Pick<AuditRecord, 'action' | 'details'>): string {
  const details = record.details ?? {};
  switch (record.action) {
    case 'owner.created':
      return 'Registered as an owner';
    case 'owner.profile-updated': {
      const fields = Object.keys((details['changes'] as Record<string, unknown> | undefined) ?? {});
      return fields.length ? `Profile changed: ${fields.join(', ')}` : 'Profile changed';
    }
    case 'owner.identities-changed':
      return 'Linked identities changed';
    case 'owner.terminated':
      return `Terminated${from(details)}`;
    case 'owner.suspended':
      return `Suspended${from(details)}`;
    case 'owner.reinstated':
      return `Reinstated${from(details)}`;
    case 'owner.transferred': {
      const to = [
        text(details['newManagerId']) && `manager ${String(details['newManagerId'])}`,
        text(details['newTeam']) && `team ${String(details['newTeam'])}`,
      ]
        .filter(Boolean)
        .join(', ');
      return `Transferred${to ? ` to ${to}` : ''}${from(details)}`;
    }
    case 'owner.lifecycle-ignored-as-stale':
      return `An older ${String(details['kind'] ?? 'lifecycle event').replace(/^owner\./, '')} arrived late and was ignored`;
    default:
      return record.action.replace(/^owner\./, '').replace(/-/g, ' ');
  }
}

function from(details: Record<string, unknown>): string {
  const source = text(details['source']);
  return source ? ` (reported by ${source})` : '';
}

/** The owner's lifecycle history, newest first. */
export function ownerHistory(audit: readonly AuditRecord[]): HistoryRow[] {
  return audit
    .map((record) => {
      const reason = record.reason ?? text(record.details?.['reason']) ?? '';
      return { seq: record.seq, at: record.at, who: actorWords(record), what: ownerEventWords(record), why: reason };
    })
    .reverse();
}
