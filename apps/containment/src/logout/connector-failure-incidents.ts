import { randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { ActionsRepository } from '../actions/actions.repository';
import { DeliveryQueue } from '../actions/delivery-queue';
import { IncidentAlerts } from '../incidents/incident-alerts';
import { IncidentsRepository } from '../incidents/incidents.repository';
import { KnownAgentsRepository } from '../registry/known-agents.repository';

interface FailedAction {
  id: string;
  agent_id: string;
  owner_id: string | null;
  kind: string;
}

/**
 * An action with no incident (a logout the registry asked for) whose connector keeps failing still reaches the
 * SOC: it gets an incident of its own, to which the action and its receipts are attached.
 */
@Injectable()
export class ConnectorFailureIncidents {
  constructor(
    private readonly incidents: IncidentsRepository,
    private readonly alerts: IncidentAlerts,
    private readonly known: KnownAgentsRepository,
    private readonly actions: ActionsRepository,
    private readonly deliveries: DeliveryQueue,
  ) {}

  async open(tx: EntityManager, action: FailedAction, connector: string): Promise<void> {
    // Another connector of the same action may have opened it first.
    const existing = await this.actions.lockIncidentOf(tx, action.id);
    if (existing) {
      await this.alerts.republish(tx, existing);
      return;
    }
    const agent = await this.known.find(tx, action.agent_id);
    const now = new Date();
    const id = randomUUID();
    await this.incidents.insert(tx, {
      id,
      agentId: action.agent_id,
      kind: 'connector-failure',
      ...(action.owner_id ? { ownerId: action.owner_id } : {}),
      ...(agent ? { riskTier: agent.riskTier } : {}),
      status: 'open',
      band: 'alert',
      severity: 'high',
      score: 0,
      explanation: [],
      summary: `Universal logout (${action.kind}) of agent ${action.agent_id} is failing at connector ${connector}: its access there may not have ended`,
      episodeOpen: false,
      openedAt: now,
      updatedAt: now,
      revision: 0,
    });
    await this.actions.attachIncident(tx, action.id, id);
    await this.deliveries.attachIncident(tx, action.id, id);
    const incident = await this.incidents.lock(tx, id);
    if (incident) await this.alerts.saveAndPublish(tx, incident);
  }
}
