import { randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { AuditChain } from '@agentgov/audit-trail';

import { UniversalLogout } from '../actions/universal-logout';
import { Incident } from '../incidents/incident';
import { IncidentAlerts } from '../incidents/incident-alerts';
import { Analyst, analystAction } from '../incidents/incident-decision';
import { IncidentsRepository } from '../incidents/incidents.repository';
import { severityOf } from '../policy/containment-policy';
import { KnownAgent } from '../registry/known-agents.repository';

/**
 * An analyst's universal logout of one agent, in the caller's transaction: a manual incident (contained, which an
 * analyst can later release or confirm), the containment action, the audit row and the incident's alert.
 */
@Injectable()
export class ManualLogout {
  constructor(
    private readonly incidents: IncidentsRepository,
    private readonly alerts: IncidentAlerts,
    private readonly logout: UniversalLogout,
    private readonly audit: AuditChain,
  ) {}

  async contain(tx: EntityManager, agent: KnownAgent, analyst: Analyst): Promise<Incident> {
    const now = new Date();
    const incident: Incident = {
      id: randomUUID(),
      agentId: agent.agentId,
      kind: 'manual',
      ownerId: agent.ownerId,
      riskTier: agent.riskTier,
      status: 'contained',
      band: 'contain',
      severity: severityOf('contain'),
      score: 0,
      explanation: [],
      summary: `Universal logout by ${analyst.id}: ${analyst.reason}`.slice(0, 2000),
      episodeOpen: false,
      openedAt: now,
      updatedAt: now,
      revision: 0,
    };
    await this.incidents.insert(tx, incident);
    await this.logout.start(tx, { ...analystAction(incident, analyst), kind: 'contain' });
    await this.audit.append(tx, [
      {
        at: now,
        actorType: 'api',
        actor: analyst.id,
        action: 'incident.logout',
        subjectType: 'incident',
        subjectId: incident.id,
        reason: analyst.reason,
        details: { agentId: agent.agentId },
      },
    ]);
    await this.alerts.saveAndPublish(tx, incident);
    return incident;
  }
}
