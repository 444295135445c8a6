import { IdentityLifecycleEvent } from '../../owners/lifecycle-reporter';
import { isObject } from '../scim/scim-attributes';

/**
 * Okta System Log event types that change an owner. Deactivation is how Okta offboards a leaver; a
 * delete is only possible after it. activate and reactivate both bring a deactivated user back (Okta
 * names it "activate" when an admin re-activates a DEPROVISIONED user); for a user we do not track as
 * inactive the consumer applies nothing. Locks (user.account.lock) are temporary and not offboarding.
 */
export const OKTA_LIFECYCLE_EVENTS: Readonly<Record<string, IdentityLifecycleEvent['kind']>> = {
  'user.lifecycle.deactivate': 'owner.terminated',
  'user.lifecycle.delete.initiated': 'owner.terminated',
  'user.lifecycle.delete.completed': 'owner.terminated',
  'user.lifecycle.suspend': 'owner.suspended',
  'user.lifecycle.unsuspend': 'owner.reinstated',
  'user.lifecycle.activate': 'owner.reinstated',
  'user.lifecycle.reactivate': 'owner.reinstated',
};

export class OktaDeliveryError extends Error {}

export type OktaEventDecision =
  | {
      action: 'report';
      kind: IdentityLifecycleEvent['kind'];
      eventType: string;
      /** Okta's event uuid: the same event redelivered has the same one. */
      uuid: string;
      /** The event's `published`: when it happened in Okta. */
      occurredAt: string;
      oktaUserId: string;
      alternateId?: string;
      reason: string;
    }
  | { action: 'ignore'; eventType: string; uuid?: string; why: string };

/** The events of an Event Hook delivery (`data.events[]`); a malformed envelope throws OktaDeliveryError. */
export function oktaDeliveryEvents(body: unknown): unknown[] {
  if (!isObject(body)) throw new OktaDeliveryError('the body must be a JSON object');
  if (!isObject(body.data)) throw new OktaDeliveryError('data must be an object');
  const events = body.data.events;
  if (!Array.isArray(events)) throw new OktaDeliveryError('data.events must be an array');
  if (events.length > 1000) throw new OktaDeliveryError('data.events has more than 1000 events');
  events.forEach((event, i) => {
    if (!isObject(event) || typeof event.eventType !== 'string' || event.eventType === '') {
      throw new OktaDeliveryError(`data.events[${i}] must be an object with an eventType`);
    }
  });
  return events;
}

/** What one Okta System Log event means for an owner. */
export function decideOktaEvent(event: unknown, index = 0): OktaEventDecision {
  if (!isObject(event) || typeof event.eventType !== 'string') throw new OktaDeliveryError(`data.events[${index}] has no eventType`);
  const eventType = event.eventType;
  const uuid = typeof event.uuid === 'string' && event.uuid !== '' ? event.uuid : undefined;
  const kind = OKTA_LIFECYCLE_EVENTS[eventType];
  if (!kind) return { action: 'ignore', eventType, uuid, why: 'not a lifecycle event' };
  if (!uuid || uuid.length > 200) throw new OktaDeliveryError(`data.events[${index}].uuid must be a non-empty string`);
  const published = typeof event.published === 'string' ? new Date(event.published) : undefined;
  if (!published || !Number.isFinite(published.getTime())) {
    throw new OktaDeliveryError(`data.events[${index}].published must be a date-time`);
  }
  const result = isObject(event.outcome) ? event.outcome.result : undefined;
  if (result !== undefined && result !== null && result !== 'SUCCESS') {
    return { action: 'ignore', eventType, uuid, why: `outcome ${String(result).slice(0, 40)}` };
  }
  const targets = Array.isArray(event.target) ? event.target : [];
  const user = targets.find((t) => isObject(t) && t.type === 'User' && typeof t.id === 'string' && t.id !== '') as
    { id: string; alternateId?: unknown } | undefined;
  if (!user) return { action: 'ignore', eventType, uuid, why: 'no target of type User' };
  const displayMessage = typeof event.displayMessage === 'string' && event.displayMessage ? event.displayMessage : eventType;
  const outcomeReason = isObject(event.outcome) && typeof event.outcome.reason === 'string' && event.outcome.reason ? `: ${event.outcome.reason}` : '';
  return {
    action: 'report',
    kind,
    eventType,
    uuid,
    occurredAt: published.toISOString(),
    oktaUserId: user.id,
    ...(typeof user.alternateId === 'string' && user.alternateId ? { alternateId: user.alternateId } : {}),
    reason: `Okta ${eventType} (${displayMessage}${outcomeReason})`.slice(0, 1000),
  };
}
