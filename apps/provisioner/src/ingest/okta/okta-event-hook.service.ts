import { Injectable, Logger } from '@nestjs/common';

import { assertPlausibleEventTime } from '../../owners/event-time';
import { LifecycleReporter } from '../../owners/lifecycle-reporter';
import { OwnersRepository, OwnerSubject } from '../../owners/owners.repository';
import { ReportIds } from '../../owners/report-ids';
import { externalIdForEvent, looksLikeEmail } from '../subject';
import { decideOktaEvent, OktaDeliveryError, oktaDeliveryEvents } from './okta-event-mapping';

export const OKTA_SOURCE = 'okta';

export interface OktaDeliveryOutcome {
  events: number;
  reported: string[];
  duplicates: number;
  ignored: number;
  unknownOwners: number;
}

/** Translates an Okta Event Hook delivery into identity.lifecycle.v1 reports; it changes no owner itself. */
@Injectable()
export class OktaEventHookService {
  private readonly logger = new Logger('OktaEventHook');

  constructor(
    private readonly directory: OwnersRepository,
    private readonly reporter: LifecycleReporter,
    private readonly reportIds: ReportIds,
  ) {}

  /** Throws OktaDeliveryError, before anything is written, when any part of the delivery is malformed. */
  async handle(body: unknown): Promise<OktaDeliveryOutcome> {
    const decisions = oktaDeliveryEvents(body).map((event, i) => decideOktaEvent(event, i));
    decisions.forEach((d, i) => {
      if (d.action === 'report') {
        assertPlausibleEventTime(new Date(d.occurredAt), (detail) => new OktaDeliveryError(`data.events[${i}].published ${detail}`));
      }
    });
    const outcome: OktaDeliveryOutcome = { events: decisions.length, reported: [], duplicates: 0, ignored: 0, unknownOwners: 0 };
    for (const decision of decisions) {
      if (decision.action === 'ignore') {
        outcome.ignored += 1;
        this.logger.debug(`ignored Okta event ${decision.eventType} ${decision.uuid ?? ''}: ${decision.why}`);
        continue;
      }
      const candidates: OwnerSubject[] = [{ source: OKTA_SOURCE, externalId: decision.oktaUserId }];
      if (decision.alternateId && looksLikeEmail(decision.alternateId)) candidates.push({ email: decision.alternateId });
      let resolved = await this.directory.resolveFirst(candidates);
      // The email is a fallback for owners not linked to Okta yet: an owner linked to another Okta user is not this
      // one (an Okta admin can give any user any login; the link is what identifies the person).
      if (resolved && 'email' in resolved.by) {
        const linked = await this.directory.linkedIds(resolved.owner.id, OKTA_SOURCE);
        if (linked.some((id) => id !== decision.oktaUserId)) {
          this.logger.warn(`Okta event ${decision.eventType} ${decision.uuid}: its email names an owner linked to another Okta user; ignored`);
          resolved = undefined;
        }
      }
      if (!resolved) {
        outcome.unknownOwners += 1;
        this.logger.warn(`Okta event ${decision.eventType} ${decision.uuid}: no owner for Okta user ${decision.oktaUserId}; ignored`);
        continue;
      }
      const externalId = externalIdForEvent(decision.oktaUserId);
      const result = await this.reporter.report({
        eventId: this.reportIds.of(OKTA_SOURCE, decision.uuid, resolved.owner.id),
        data: {
          kind: decision.kind,
          ownerId: resolved.owner.id,
          ...(externalId ? { externalId } : {}),
          source: OKTA_SOURCE,
          occurredAt: decision.occurredAt,
          reason: decision.reason,
        },
        actor: { actorType: 'api', actor: 'okta-event-hook' },
        details: { oktaEventUuid: decision.uuid, oktaEventType: decision.eventType, matchedBy: Object.keys(resolved.by).join('+') },
      });
      if (result.duplicate) outcome.duplicates += 1;
      else outcome.reported.push(result.eventId);
    }
    return outcome;
  }
}
