import { Injectable } from '@nestjs/common';

import { UniversalLogout } from '../actions/universal-logout';
import { severityOf } from '../policy/containment-policy';
import { Incident } from './incident';
import { Analyst, analystAction, IncidentDecision } from './incident-decision';

/** The analyst confirms the threat: the agent (and its sub-agents) are deprovisioned. */
@Injectable()
export class ConfirmIncidentUseCase {
  constructor(
    private readonly decision: IncidentDecision,
    private readonly logout: UniversalLogout,
  ) {}

  execute(incidentId: string, analyst: Analyst): Promise<Incident> {
    return this.decision.decide(incidentId, 'confirm', analyst, async (tx, incident) => {
      await this.logout.start(tx, { ...analystAction(incident, analyst), kind: 'deprovision' });
      incident.status = 'confirmed';
      incident.band = 'deprovision';
      incident.severity = severityOf('deprovision');
    });
  }
}
