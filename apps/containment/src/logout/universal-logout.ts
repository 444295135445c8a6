import { randomUUID } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { Topics } from '@agentgov/contracts';
import { OutboxWriter } from '@agentgov/messaging-nest';

import { AuditLog } from '../audit/audit-log';
import { ActionKind, ActionOrigin, ConnectorRegistry } from '../connectors/connector-registry';
import { CONTAINMENT_SCHEMA } from '../database/containment.database';
import { currentDeliveryTraceContext } from './delivery-trace-context';

export const DELIVERIES_CHANNEL = 'containment_deliveries';

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
    @Inject(OutboxWriter) private readonly outbox: OutboxWriter,
    private readonly audit: AuditLog,
  ) {}

  async start(tx: EntityManager, request: LogoutRequest): Promise<string> {
    const actionId = randomUUID();
    const at = new Date();
    await tx.query(
      `INSERT INTO "${CONTAINMENT_SCHEMA}"."actions" ("id", "incident_id", "agent_id", "owner_id", "kind", "origin", "requested_by", "reason", "created_at")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [actionId, request.incidentId ?? null, request.agentId, request.ownerId ?? null, request.kind, request.origin, request.requestedBy, request.reason, at],
    );
    // Every action is audited under whoever asked: an analyst, `policy-vN` or `registry:<event id>`.
    await this.audit.append(tx, {
      at,
      actor: request.requestedBy,
      action: `logout.${request.kind}`,
      subjectType: 'agent',
      subjectId: request.agentId,
      reason: request.reason,
      details: { actionId, origin: request.origin, ...(request.incidentId ? { incidentId: request.incidentId } : {}) },
    });
    const targets = this.connectors.targetsOf(request.kind);
    if (targets.length > 0) {
      const settled = targets.map((c) => ConnectorRegistry.settledByOrigin(c, request.origin) ?? null);
      // The calls are made after commit, outside this trace: each delivery keeps it, and its call's span joins it.
      await tx.query(
        `INSERT INTO "${CONTAINMENT_SCHEMA}"."deliveries" ("action_id", "incident_id", "target", "status", "reason", "created_at", "updated_at", "next_attempt_at", "trace_context")
         SELECT $1, $2, t.target, CASE WHEN t.settled IS NULL THEN 'pending' ELSE 'confirmed' END, t.settled, $4, $4, $4, $6::jsonb
         FROM unnest($3::text[], $5::text[]) AS t(target, settled)`,
        [actionId, request.incidentId ?? null, targets.map((c) => c.name), at, settled, currentDeliveryTraceContext()],
      );
      await tx.query(`SELECT pg_notify($1, '')`, [DELIVERIES_CHANNEL]);
    }
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
