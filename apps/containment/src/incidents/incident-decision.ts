import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { AuditChain } from '@agentgov/audit-trail';

import { ANALYST_TRANSITIONS, AnalystDecision, Incident } from './incident';
import { IncidentAlerts } from './incident-alerts';
import { IncidentsError, IncidentsErrorCode } from './incidents.errors';
import { IncidentsRepository } from './incidents.repository';

// What containment.action.v1 and the audit can record as the actor.
const RECORDABLE_ACTOR = /^[\x21-\x7E]{1,256}$/;

export interface Analyst {
  /** The token's subject: who decided. */
  id: string;
  reason: string;
}

/** Decisions are recorded under the token subject, which must fit containment.action.v1 and the audit. */
export function assertRecordable(analyst: Analyst): void {
  if (!RECORDABLE_ACTOR.test(analyst.id)) {
    throw new IncidentsError(
      IncidentsErrorCode.ActorNotRecordable,
      'decisions are recorded under the token subject, which must be 1 to 256 printable ASCII characters',
    );
  }
}

/** The universal logout an analyst's decision about the incident's agent starts (its kind added by the caller). */
export function analystAction(incident: Incident, analyst: Analyst) {
  return {
    agentId: incident.agentId,
    ownerId: incident.ownerId,
    origin: 'analyst' as const,
    requestedBy: analyst.id,
    reason: analyst.reason,
    incidentId: incident.id,
  };
}

/**
 * What every SOC analyst's decision about an incident goes through, in one transaction: it locks the incident,
 * checks the transition, lets the decision change it (and take its action), writes the audit row (who and
 * why) and publishes the incident.
 */
@Injectable()
export class IncidentDecision {
  constructor(
    private readonly dataSource: DataSource,
    private readonly incidents: IncidentsRepository,
    private readonly alerts: IncidentAlerts,
    private readonly audit: AuditChain,
  ) {}

  async decide(
    incidentId: string,
    decision: AnalystDecision,
    analyst: Analyst,
    /** Changes the incident (and takes the decision's action); may name the audit action when it did less (a first approval). */
    apply: (tx: EntityManager, incident: Incident, now: Date) => Promise<void | { auditAction: string }>,
  ): Promise<Incident> {
    assertRecordable(analyst);
    return this.dataSource.transaction(async (tx) => {
      const incident = await this.incidents.lock(tx, incidentId);
      if (!incident) throw new IncidentsError(IncidentsErrorCode.IncidentNotFound, `no incident ${incidentId}`);
      if (!ANALYST_TRANSITIONS[decision].includes(incident.status)) throw IncidentsError.illegalTransition(decision, incident.status);
      // An unregistered agent's id is whatever its activity carried: deprovisioning "it" could hit someone else.
      if (decision === 'confirm' && incident.kind === 'shadow-agent') throw IncidentsError.illegalTransition('confirm', 'about an unregistered agent');
      const now = new Date();
      const from = incident.status;
      const applied = await apply(tx, incident, now);
      incident.updatedAt = now;
      await this.audit.append(tx, [
        {
          at: now,
          actorType: 'api',
          actor: analyst.id,
          action: applied?.auditAction ?? `incident.${decision}`,
          subjectType: 'incident',
          subjectId: incident.id,
          reason: analyst.reason,
          details: { agentId: incident.agentId, from, to: incident.status },
        },
      ]);
      await this.alerts.saveAndPublish(tx, incident);
      return incident;
    });
  }
}
