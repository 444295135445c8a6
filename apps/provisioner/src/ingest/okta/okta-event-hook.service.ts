import { Injectable, Logger } from '@nestjs/common';

import { assertPlausibleEventTime } from '@agentgov/contracts';

import { LifecycleReporter } from '../../owners/lifecycle-reporter';
import { OwnerMatcher } from '../../owners/owner-matching';
import { OwnerSubject } from '../../owners/owners.repository';
import { ReportIds } from '../../owners/report-ids';
import { UnmatchedSignals } from '../../owners/unmatched-signals';
import { externalIdForEvent, looksLikeEmail } from '../subject';
import { decideOktaEvent, OktaDeliveryError, oktaDeliveryEvents } from './okta-event-mapping';

export const OKTA_SOURCE = 'okta';

export interface OktaDeliveryOutcome {
  events: number;
  reported: string[];
  duplicates: number;
  ignored: number;
  /** Events that named no owner, or several: kept (GET /identity-signals), applied once they match one. */
  unknownOwners: number;
  unmatchedSignals: string[];
}

/** Translates an Okta Event Hook delivery into identity.lifecycle.v1 reports; it changes no owner itself. */
@Injectable()
export class OktaEventHookService {
  private readonly logger = new Logger('OktaEventHook');

  constructor(
    private readonly matcher: OwnerMatcher,
    private readonly unmatched: UnmatchedSignals,
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
    const outcome: OktaDeliveryOutcome = { events: decisions.length, reported: [], duplicates: 0, ignored: 0, unknownOwners: 0, unmatchedSignals: [] };
    for (const decision of decisions) {
      if (decision.action === 'ignore') {
        outcome.ignored += 1;
        this.logger.debug(`ignored Okta event ${decision.eventType} ${decision.uuid ?? ''}: ${decision.why}`);
        continue;
      }
      // The Okta user id first; the login email is a fallback for owners not linked to Okta yet (OwnerMatcher).
      const candidates: OwnerSubject[] = [{ source: OKTA_SOURCE, externalId: decision.oktaUserId }];
      if (decision.alternateId && looksLikeEmail(decision.alternateId)) candidates.push({ email: decision.alternateId });
      const match = await this.matcher.match({ candidates });
      if (match.outcome !== 'matched') {
        outcome.unknownOwners += 1;
        const kept = await this.unmatched.record({
          source: OKTA_SOURCE,
          signalRef: decision.uuid ?? `${decision.eventType}:${decision.oktaUserId}:${decision.occurredAt}`,
          sender: 'okta-event-hook',
          kind: decision.kind,
          reason: decision.reason,
          occurredAt: new Date(decision.occurredAt),
          candidates,
          match,
        });
        outcome.unmatchedSignals.push(kept.id);
        this.logger.warn(
          `Okta event ${decision.eventType} ${decision.uuid}: Okta user ${decision.oktaUserId} names ${match.outcome === 'ambiguous' ? 'several owners' : 'no owner'}; kept as identity signal ${kept.id}`,
        );
        continue;
      }
      const resolved = match;
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
