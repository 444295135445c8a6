import { Injectable } from '@nestjs/common';

import { UniversalLogout } from '../actions/universal-logout';
import { Incident } from './incident';
import { Analyst, analystAction, IncidentDecision } from './incident-decision';
import { IncidentsError } from './incidents.errors';
import { IncidentsRepository } from './incidents.repository';

/**
 * Restores the agent: the provisioner reactivates it (and the sub-agents this containment suspended), and
 * every token from before stays dead (fresh credentials). Refused while another incident still holds the
 * agent contained: releasing one would restore an agent the other contains.
 */
@Injectable()
export class ReleaseIncidentUseCase {
  constructor(
    private readonly decision: IncidentDecision,
    private readonly incidents: IncidentsRepository,
    private readonly logout: UniversalLogout,
  ) {}

  execute(incidentId: string, analyst: Analyst): Promise<Incident> {
    return this.decision.decide(incidentId, 'release', analyst, async (tx, incident, now) => {
      const other = await this.incidents.otherContainedIncidentOf(tx, incident.agentId, incident.id);
      if (other) throw IncidentsError.illegalTransition('release', `contained while incident ${other} also holds the agent contained`);
      await this.logout.start(tx, { ...analystAction(incident, analyst), kind: 'release' });
      incident.status = 'released';
      incident.releasedScore = incident.score;
      incident.releasedAt = now;
      // Policy may contain again (a score above the released one, or any once the cooldown has passed).
      incident.band = 'alert';
    });
  }
}
