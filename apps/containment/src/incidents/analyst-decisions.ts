import { randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { AuditLog } from '../audit/audit-log';
import { UniversalLogout } from '../logout/universal-logout';
import { severityOf } from '../policy/containment-policy';
import { KnownAgent, KnownAgents } from '../registry/known-agents';
import { ANALYST_TRANSITIONS, Incident } from './incident';
import { AgentNotKnownError, IllegalIncidentTransitionError, IncidentNotFoundError } from './incident.errors';
import { IncidentAlerts } from './incident-alerts';
import { IncidentStore } from './incident-store';

export interface Analyst {
  /** The token's subject: who decided. */
  id: string;
  reason: string;
}

/**
 * What SOC analysts decide about incidents, and manual universal logout. Each decision locks the incident,
 * checks the transition, takes its action, writes the audit row (who and why) and publishes the incident, in
 * one transaction.
 */
@Injectable()
export class AnalystDecisions {
  constructor(
    private readonly dataSource: DataSource,
    private readonly incidents: IncidentStore,
    private readonly alerts: IncidentAlerts,
    private readonly logout: UniversalLogout,
    private readonly known: KnownAgents,
    private readonly audit: AuditLog,
  ) {}

  acknowledge(incidentId: string, analyst: Analyst): Promise<Incident> {
    return this.decide(incidentId, 'acknowledge', analyst, async (_tx, incident, now) => {
      incident.status = 'acknowledged';
      incident.acknowledgedBy = analyst.id;
      incident.acknowledgedAt = now;
    });
  }

  /** Restores the agent: the provisioner reactivates it, and every token from before stays dead (fresh credentials). */
  release(incidentId: string, analyst: Analyst): Promise<Incident> {
    return this.decide(incidentId, 'release', analyst, async (tx, incident) => {
      await this.logout.start(tx, { ...this.actionOf(incident, analyst), kind: 'release' });
      incident.status = 'released';
      incident.releasedScore = incident.score;
    });
  }

  /** The analyst confirms the threat: the agent (and its sub-agents) are deprovisioned. */
  confirm(incidentId: string, analyst: Analyst): Promise<Incident> {
    return this.decide(incidentId, 'confirm', analyst, async (tx, incident) => {
      await this.logout.start(tx, { ...this.actionOf(incident, analyst), kind: 'deprovision' });
      incident.status = 'confirmed';
      incident.band = 'deprovision';
      incident.severity = severityOf('deprovision');
    });
  }

  /** Ends one agent's access everywhere now, opening a manual incident that an analyst can later release or confirm. */
  async logoutAgent(agentId: string, analyst: Analyst): Promise<Incident> {
    return this.dataSource.transaction(async (tx) => {
      const agent = await this.known.find(tx, agentId);
      if (!agent || agent.status === 'deprovisioned') throw new AgentNotKnownError(`agent ${agentId} is not a live agent in the registry`);
      return this.manualLogout(tx, agent, analyst);
    });
  }

  /** Every live agent of the owner, each with its own incident. */
  async logoutOwner(ownerId: string, analyst: Analyst): Promise<Incident[]> {
    return this.dataSource.transaction(async (tx) => {
      const agents = await this.known.ofOwner(tx, ownerId);
      if (agents.length === 0) throw new AgentNotKnownError(`owner ${ownerId} has no live agents in the registry`);
      const incidents: Incident[] = [];
      for (const agent of agents) incidents.push(await this.manualLogout(tx, agent, analyst));
      return incidents;
    });
  }

  private async manualLogout(tx: EntityManager, agent: KnownAgent, analyst: Analyst): Promise<Incident> {
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
    await this.logout.start(tx, { ...this.actionOf(incident, analyst), kind: 'contain' });
    await this.audit.append(tx, { at: now, actor: analyst.id, action: 'incident.logout', subjectType: 'incident', subjectId: incident.id, reason: analyst.reason, details: { agentId: agent.agentId } });
    await this.alerts.saveAndPublish(tx, incident);
    return incident;
  }

  private actionOf(incident: Incident, analyst: Analyst) {
    return {
      agentId: incident.agentId,
      ownerId: incident.ownerId,
      origin: 'analyst' as const,
      requestedBy: analyst.id,
      reason: analyst.reason,
      incidentId: incident.id,
    };
  }

  private async decide(
    incidentId: string,
    decision: keyof typeof ANALYST_TRANSITIONS,
    analyst: Analyst,
    apply: (tx: EntityManager, incident: Incident, now: Date) => Promise<void>,
  ): Promise<Incident> {
    return this.dataSource.transaction(async (tx) => {
      const incident = await this.incidents.lock(tx, incidentId);
      if (!incident) throw new IncidentNotFoundError(incidentId);
      if (!ANALYST_TRANSITIONS[decision].includes(incident.status)) throw new IllegalIncidentTransitionError(decision, incident.status);
      // A confirmed (deprovisioned) agent cannot be released: that was checked above; a shadow agent has nothing to release.
      if (decision === 'release' && incident.kind === 'shadow-agent') throw new IllegalIncidentTransitionError('release', 'about an unregistered agent');
      const now = new Date();
      const from = incident.status;
      await apply(tx, incident, now);
      incident.updatedAt = now;
      await this.audit.append(tx, {
        at: now,
        actor: analyst.id,
        action: `incident.${decision}`,
        subjectType: 'incident',
        subjectId: incident.id,
        reason: analyst.reason,
        details: { agentId: incident.agentId, from, to: incident.status },
      });
      await this.alerts.saveAndPublish(tx, incident);
      return incident;
    });
  }
}
