import { Inject, Injectable, Logger } from '@nestjs/common';

import { assertPlausibleEventTime } from '@agentgov/contracts';
import { SERVICE_ENV } from '@agentgov/service-runtime';

import { ProvisionerEnv } from '../../config/provisioner.env';
import { IdentityLifecycleEvent, LifecycleReporter } from '../../owners/lifecycle-reporter';
import { OwnerMatcher } from '../../owners/owner-matching';
import { ReportIds } from '../../owners/report-ids';
import { UnmatchedSignals } from '../../owners/unmatched-signals';
import { externalIdForEvent } from '../subject';
import { SetVerifier } from './set-verifier';
import { decideSsfEvent, ssfEventTime, SsfPolicy } from './ssf-event-mapping';
import { ssfSubjectCandidates } from './ssf-subject';
import { SsfError } from './ssf.errors';

export const SSF_SOURCE = 'ssf';

export interface SsfPushOutcome {
  reported: string[];
  duplicates: number;
  ignored: number;
  /** Events whose subject named no owner, or several: kept (GET /identity-signals), applied once they match one. */
  unknownOwners: number;
  unmatchedSignals: string[];
}

interface PlannedReport {
  eventType: string;
  kind: IdentityLifecycleEvent['kind'];
  reason: string;
  occurredAt: Date;
}

/** Shared Signals push receiver (RFC 8935): verified SETs become identity.lifecycle.v1 reports. */
@Injectable()
export class SsfPushService {
  private readonly logger = new Logger('SsfPush');
  private readonly verifier?: SetVerifier;
  private readonly policy: SsfPolicy;

  constructor(
    private readonly matcher: OwnerMatcher,
    private readonly unmatched: UnmatchedSignals,
    private readonly reporter: LifecycleReporter,
    private readonly reportIds: ReportIds,
    @Inject(SERVICE_ENV) env: ProvisionerEnv,
  ) {
    if (env.SSF_TRANSMITTER_JWKS_URL || env.SSF_TRANSMITTER_PUBLIC_KEY) {
      this.verifier = new SetVerifier({
        jwksUrl: env.SSF_TRANSMITTER_JWKS_URL,
        publicKey: env.SSF_TRANSMITTER_PUBLIC_KEY,
        issuer: env.SSF_TRANSMITTER_ISSUER as string,
        audience: env.SSF_AUDIENCE ?? [],
        maxAgeSeconds: env.SSF_SET_MAX_AGE_SECONDS,
      });
    }
    this.policy = { sessionRevoked: env.SSF_CAEP_SESSION_REVOKED, credentialChange: env.SSF_CAEP_CREDENTIAL_CHANGE };
  }

  /** Everything is checked before anything is written: a SET is applied whole or refused whole. */
  async handle(token: string): Promise<SsfPushOutcome> {
    if (!this.verifier) {
      this.logger.warn('SET refused: no transmitter key is configured (SSF_TRANSMITTER_JWKS_URL or SSF_TRANSMITTER_PUBLIC_KEY)');
      throw new SsfError('invalid_key', 'this receiver has no transmitter key configured', 503);
    }
    const set = await this.verifier.verify(token);
    const outcome: SsfPushOutcome = { reported: [], duplicates: 0, ignored: 0, unknownOwners: 0, unmatchedSignals: [] };
    const planned: PlannedReport[] = [];
    for (const [eventType, event] of Object.entries(set.events)) {
      const decision = decideSsfEvent(eventType, event, this.policy);
      const occurredAt = ssfEventTime(event, set.iat);
      assertPlausibleEventTime(occurredAt, (detail) => new SsfError('invalid_request', `the event time ${detail}`));
      if (decision.action === 'ignore') {
        outcome.ignored += 1;
        this.logger.log(`SET ${set.jti}: ${decision.why}`);
        continue;
      }
      planned.push({ eventType, kind: decision.kind, reason: decision.reason, occurredAt });
    }
    if (planned.length === 0) return outcome;

    // Older drafts put the subject inside the event; SSF 1.0 puts it in sub_id.
    const subject = set.subId ?? set.events[planned[0].eventType].subject;
    if (subject === undefined) throw new SsfError('invalid_request', 'the SET has no subject (sub_id)');
    const candidates = ssfSubjectCandidates(subject, set.iss);
    const resolved = await this.matcher.match({ candidates });
    if (resolved.outcome !== 'matched') {
      // Accepted (the transmitter did its part) and kept: applied when an owner or a link makes it match one.
      outcome.unknownOwners += planned.length;
      for (const plan of planned) {
        const kept = await this.unmatched.record({
          source: SSF_SOURCE,
          signalRef: `${set.iss}\u001f${set.jti}\u001f${plan.eventType}`,
          sender: `ssf:${set.iss}`,
          kind: plan.kind,
          reason: plan.reason,
          occurredAt: plan.occurredAt,
          candidates,
          match: resolved,
        });
        outcome.unmatchedSignals.push(kept.id);
      }
      return outcome;
    }
    const externalId = 'externalId' in resolved.by ? externalIdForEvent(resolved.by.externalId) : undefined;
    for (const plan of planned) {
      const result = await this.reporter.report({
        eventId: this.reportIds.of(SSF_SOURCE, set.iss, set.jti, plan.eventType, resolved.owner.id),
        data: {
          kind: plan.kind,
          ownerId: resolved.owner.id,
          ...(externalId ? { externalId } : {}),
          source: SSF_SOURCE,
          occurredAt: plan.occurredAt.toISOString(),
          reason: plan.reason,
        },
        actor: { actorType: 'api', actor: `ssf:${set.iss}`.slice(0, 300) },
        details: { setJti: set.jti, ...(set.txn ? { setTxn: set.txn } : {}), setEventType: plan.eventType, matchedBy: Object.keys(resolved.by).join('+') },
      });
      if (result.duplicate) outcome.duplicates += 1;
      else outcome.reported.push(result.eventId);
    }
    return outcome;
  }
}
