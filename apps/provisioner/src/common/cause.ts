import { AuditEntry } from '@agentgov/audit-trail';
import { TopicPayloads } from '@agentgov/contracts';

/** Who or what caused a change: an API caller, another event (by its ce_id), or a scheduled job. */
export type Cause = TopicPayloads['agent.lifecycle.v1']['cause'];

export function apiCause(actor: string): Cause {
  return { type: 'api', actor };
}

export function eventCause(eventId: string, actor?: string): Cause {
  return actor ? { type: 'event', eventId, actor } : { type: 'event', eventId };
}

/** The audit columns that say who or what caused a change. */
export function auditActor(cause: Cause): Pick<AuditEntry, 'actorType' | 'actor' | 'causeEventId'> {
  return { actorType: cause.type, actor: cause.actor, causeEventId: cause.eventId };
}
