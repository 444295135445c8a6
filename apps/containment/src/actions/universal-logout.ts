import { randomUUID } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { AuditChain } from '@agentgov/audit-trail';
import { Topics } from '@agentgov/contracts';
import { OutboxWriter } from '@agentgov/messaging';

import { ActionKind, ActionOrigin, ConnectorRegistry } from '../connectors/connector-registry';
import { SsfStreamFanOut } from '../ssf-transmitter/ssf-stream-fan-out';
import { ActionsRepository } from './actions.repository';
import { DeliveryQueue } from './delivery-queue';

export interface LogoutRequest {
  agentId: string;
  ownerId?: string;
  kind: ActionKind;
  origin: ActionOrigin;
  /** The analyst's user id, or the policy/system cause. */
  requestedBy: string;
  reason: string;
  incidentId?: string;
}

/**
 * One action ends (or, for a release, restores) an agent's access everywhere: the action and one delivery per
 * connector are written in the caller's transaction, so they exist exactly when the decision does; the
 * dispatcher carries them out after commit. Unless the registry itself caused it, the provisioner is told on
 * containment.action.v1, whose ce_id is the action id (so its lifecycle echo is recognised, not acted on twice).
 */
@Injectable()
export class UniversalLogout {
  constructor(
    private readonly connectors: ConnectorRegistry,
    private readonly actions: ActionsRepository,
    private readonly deliveries: DeliveryQueue,
    @Inject(OutboxWriter) private readonly outbox: OutboxWriter,
    private readonly audit: AuditChain,
    private readonly ssfStreams: SsfStreamFanOut,
  ) {}

  async start(tx: EntityManager, request: LogoutRequest): Promise<string> {
    const actionId = randomUUID();
    const at = new Date();
    await this.actions.insert(tx, {
      id: actionId,
      incidentId: request.incidentId,
      agentId: request.agentId,
      ownerId: request.ownerId,
      kind: request.kind,
      origin: request.origin,
      requestedBy: request.requestedBy,
      reason: request.reason,
      createdAt: at,
    });
    // Every action is audited under whoever asked: an analyst, `policy-vN` or `registry:<event id>`.
    await this.audit.append(tx, [
      {
        at,
        // An analyst asks through the API; policy and the registry act on an event (an anomaly, a lifecycle change).
        actorType: request.origin === 'analyst' ? 'api' : 'event',
        actor: request.requestedBy,
        action: `logout.${request.kind}`,
        subjectType: 'agent',
        subjectId: request.agentId,
        reason: request.reason,
        details: { actionId, origin: request.origin, ...(request.incidentId ? { incidentId: request.incidentId } : {}) },
      },
    ]);
    const targets = this.connectors.targetsOf(request.kind);
    if (targets.length > 0) {
      await this.deliveries.enqueueAction(tx, {
        actionId,
        agentId: request.agentId,
        kind: request.kind,
        incidentId: request.incidentId,
        targets: targets.map((c) => c.name),
        settled: targets.map((c) => ConnectorRegistry.settledByOrigin(c, request.origin) ?? null),
        at,
      });
    }
    // The receivers of containment's own Shared Signals streams hear of it in the same transaction (SSF 1.0).
    await this.ssfStreams.enqueueAction(tx, { actionId, agentId: request.agentId, kind: request.kind, origin: request.origin, reason: request.reason, at });
    if (request.origin !== 'lifecycle') {
      await this.outbox.append(tx, [
        {
          topic: Topics.ContainmentAction,
          id: actionId,
          subject: request.agentId,
          data: {
            actionId,
            agentId: request.agentId,
            ...(request.ownerId ? { ownerId: request.ownerId } : {}),
            kind: request.kind,
            reason: request.reason.slice(0, 1000),
            ...(request.incidentId ? { incidentId: request.incidentId } : {}),
            requestedBy: request.origin === 'analyst' ? { type: 'analyst', actor: request.requestedBy } : { type: 'policy', actor: request.requestedBy },
            occurredAt: at.toISOString(),
          },
        },
      ]);
    }
    return actionId;
  }
}
