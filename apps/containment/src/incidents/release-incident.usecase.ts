import { Injectable } from '@nestjs/common';

import { ActionsRepository } from '../actions/actions.repository';
import { UniversalLogout } from '../actions/universal-logout';
import { DEFAULT_SECOND_ANALYST_FROM } from '../policy/containment-policy';
import { PolicyRepository } from '../policy/policy.repository';
import { Incident } from './incident';
import { Analyst, analystAction, IncidentDecision } from './incident-decision';
import { IncidentsError, IncidentsErrorCode } from './incidents.errors';
import { IncidentsRepository } from './incidents.repository';

/**
 * Restores the agent: the provisioner reactivates it (and the sub-agents this containment suspended), and
 * every token from before stays dead (fresh credentials). Refused while another incident still holds the
 * agent contained: releasing one would restore an agent the other contains.
 *
 * Separation of duties: the analyst who ordered the containment cannot release it, and a containment whose score
 * reached the policy's `releaseNeedsSecondAnalystFrom` takes two analysts: the first asks (the incident stays
 * contained, the request is audited), a different one releases.
 */
@Injectable()
export class ReleaseIncidentUseCase {
  constructor(
    private readonly decision: IncidentDecision,
    private readonly incidents: IncidentsRepository,
    private readonly actions: ActionsRepository,
    private readonly policies: PolicyRepository,
    private readonly logout: UniversalLogout,
  ) {}

  execute(incidentId: string, analyst: Analyst): Promise<Incident> {
    return this.decision.decide(incidentId, 'release', analyst, async (tx, incident, now) => {
      const other = await this.incidents.otherContainedIncidentOf(tx, incident.agentId, incident.id);
      if (other) throw IncidentsError.illegalTransition('release', `contained while incident ${other} also holds the agent contained`);
      if ((await this.actions.analystWhoContained(tx, incident.id)) === analyst.id) {
        throw new IncidentsError(IncidentsErrorCode.SeparationOfDuties, 'you ordered this containment: another analyst must release it');
      }
      const { policy } = await this.policies.current(tx);
      if (incident.score >= (policy.releaseNeedsSecondAnalystFrom ?? DEFAULT_SECOND_ANALYST_FROM)) {
        if (!incident.releaseRequest) {
          incident.releaseRequest = { by: analyst.id, at: now, reason: analyst.reason };
          return { auditAction: 'incident.release-requested' };
        }
        if (incident.releaseRequest.by === analyst.id) {
          throw new IncidentsError(
            IncidentsErrorCode.SeparationOfDuties,
            `a score of ${incident.score} takes two analysts to release: you asked already, another analyst must release it`,
          );
        }
      }
      await this.logout.start(tx, { ...analystAction(incident, analyst), kind: 'release' });
      incident.status = 'released';
      incident.releasedScore = incident.score;
      incident.releasedAt = now;
      incident.releaseRequest = undefined;
      // Policy may contain again (a score above the released one, any new episode, or any once the cooldown has passed).
      incident.band = 'alert';
    });
  }
}
