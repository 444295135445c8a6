import { Injectable } from '@nestjs/common';

import { Incident } from './incident';
import { Analyst, IncidentDecision } from './incident-decision';

/** An analyst takes the incident: who and when are recorded (a contained incident stays contained). */
@Injectable()
export class AcknowledgeIncidentUseCase {
  constructor(private readonly decision: IncidentDecision) {}

  execute(incidentId: string, analyst: Analyst): Promise<Incident> {
    return this.decision.decide(incidentId, 'acknowledge', analyst, async (_tx, incident, now) => {
      if (incident.status === 'open') incident.status = 'acknowledged';
      incident.acknowledgedBy = analyst.id;
      incident.acknowledgedAt = now;
    });
  }
}
