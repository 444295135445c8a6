import { randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { DomainError } from '@agentgov/service-runtime';

import { AuditLog } from '../audit/audit-log';
import { CONTAINMENT_SCHEMA } from '../database/containment.database';
import { UniversalLogout } from '../logout/universal-logout';
import { severityOf } from '../policy/containment-policy';
import { KnownAgent, KnownAgents } from '../registry/known-agents';
import { AnalystDecision, ANALYST_TRANSITIONS, Incident } from './incident';
import { AgentNotKnownError, IllegalIncidentTransitionError, IncidentNotFoundError } from './incident.errors';
import { IncidentAlerts } from './incident-alerts';
import { IncidentStore } from './incident-store';

/** Beyond this, an owner's agents are logged out through the registry (suspending the owner), not one request. */
const MAX_AGENTS_PER_OWNER_LOGOUT = 1000;
// What containment.action.v1 and the audit can record as the actor.
const RECORDABLE_ACTOR = /^[\x21-\x7E]{1,256}$/;

function assertRecordable(analyst: Analyst): void {
  if (!RECORDABLE_ACTOR.test(analyst.id)) {
    throw new DomainError({
      code: 'ACTOR_NOT_RECORDABLE',
      status: 403,
      title: 'The token subject cannot be recorded as the actor',
      detail: 'decisions are recorded under the token subject, which must be 1 to 256 printable ASCII characters',
    });
  }
}

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
      if (incident.status === 'open') incident.status = 'acknowledged';
      incident.acknowledgedBy = analyst.id;
      incident.acknowledgedAt = now;
    });
  }

  /** Dismisses an incident that contained nothing (a false alarm): no action anywhere. */
  close(incidentId: string, analyst: Analyst): Promise<Incident> {
    return this.decide(incidentId, 'close', analyst, async (_tx, incident) => {
      incident.status = 'closed';
    });
  }

  /**
   * Restores the agent: the provisioner reactivates it (and the sub-agents this containment suspended), and
   * every token from before stays dead (fresh credentials). Refused while another incident still holds the
   * agent contained: releasing one would restore an agent the other contains.
   */
  release(incidentId: string, analyst: Analyst): Promise<Incident> {
    return this.decide(incidentId, 'release', analyst, async (tx, incident, now) => {
      const [other] = await tx.query(`SELECT "id" FROM "${CONTAINMENT_SCHEMA}"."incidents" WHERE "agent_id" = $1 AND "status" = 'contained' AND "id" <> $2 LIMIT 1`, [
        incident.agentId,
        incident.id,
      ]);
      if (other) throw new IllegalIncidentTransitionError('release', `contained while incident ${other.id} also holds the agent contained`);
      await this.logout.start(tx, { ...this.actionOf(incident, analyst), kind: 'release' });
      incident.status = 'released';
      incident.releasedScore = incident.score;
      incident.releasedAt = now;
      // Policy may contain again (a score above the released one, or any once the cooldown has passed).
      incident.band = 'alert';
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
    assertRecordable(analyst);
    return this.dataSource.transaction(async (tx) => {
      const agent = await this.known.find(tx, agentId);
      if (!agent || agent.status === 'deprovisioned') throw new AgentNotKnownError(`agent ${agentId} is not a live agent in the registry`);
      return this.manualLogout(tx, agent, analyst);
    });
  }

  /** Every live agent of the owner, each with its own incident. */
  async logoutOwner(ownerId: string, analyst: Analyst): Promise<Incident[]> {
    assertRecordable(analyst);
    return this.dataSource.transaction(async (tx) => {
      const agents = await this.known.ofOwner(tx, ownerId);
      if (agents.length === 0) throw new AgentNotKnownError(`owner ${ownerId} has no live agents in the registry`);
      if (agents.length > MAX_AGENTS_PER_OWNER_LOGOUT) {
        throw new DomainError({
          code: 'TOO_MANY_AGENTS',
          status: 422,
          title: 'Too many agents for one request',
          detail: `owner ${ownerId} has ${agents.length} live agents (at most ${MAX_AGENTS_PER_OWNER_LOGOUT} here); suspend the owner in the registry instead, which logs out every agent through the registry`,
        });
      }
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
    decision: AnalystDecision,
    analyst: Analyst,
    apply: (tx: EntityManager, incident: Incident, now: Date) => Promise<void>,
  ): Promise<Incident> {
    assertRecordable(analyst);
    return this.dataSource.transaction(async (tx) => {
      const incident = await this.incidents.lock(tx, incidentId);
      if (!incident) throw new IncidentNotFoundError(incidentId);
      if (!ANALYST_TRANSITIONS[decision].includes(incident.status)) throw new IllegalIncidentTransitionError(decision, incident.status);
      // An unregistered agent's id is whatever its activity carried: deprovisioning "it" could hit someone else.
      if (decision === 'confirm' && incident.kind === 'shadow-agent') throw new IllegalIncidentTransitionError('confirm', 'about an unregistered agent');
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
