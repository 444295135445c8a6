import { Injectable } from '@nestjs/common';

import { Incident } from './incident';
import { Analyst, IncidentDecision } from './incident-decision';

/** Dismisses an incident that contained nothing (a false alarm): no action anywhere. */
@Injectable()
export class CloseIncidentUseCase {
  constructor(private readonly decision: IncidentDecision) {}

  execute(incidentId: string, analyst: Analyst): Promise<Incident> {
    return this.decision.decide(incidentId, 'close', analyst, async (_tx, incident) => {
      incident.status = 'closed';
    });
  }
}
