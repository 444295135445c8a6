import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { Topics, TopicPayloads } from '@agentgov/contracts';
import { OutboxWriter } from '@agentgov/messaging-nest';
import { SERVICE_ENV } from '@agentgov/service-runtime';

import { ContainmentEnv } from '../config/containment.env';
import { CONTAINMENT_SCHEMA } from '../database/containment.database';
import { currentDeliveryTraceContext } from '../logout/delivery-trace-context';
import { DELIVERIES_CHANNEL } from '../logout/universal-logout';
import { Incident } from './incident';
import { IncidentStore } from './incident-store';
import { toDetectionFinding } from './ocsf-detection-finding';

type Alert = TopicPayloads['containment.alert.v1'];

/** Target of the delivery that forwards an alert to ALERT_WEBHOOK_URL (not a connector name: those have no '@'). */
export const ALERT_WEBHOOK_TARGET = '@alert-webhook';

interface ActionRow {
  id: string;
  kind: 'contain' | 'release' | 'deprovision';
}
interface DeliveryRow {
  action_id: string;
  target: string;
  status: 'pending' | 'sent' | 'confirmed' | 'failed' | 'retrying';
  reason: string | null;
  updated_at: Date;
}

/**
 * Every change to an incident goes out whole on containment.alert.v1 (and, when configured, to the alert
 * webhook through a durable delivery), in the transaction that made the change.
 */
@Injectable()
export class IncidentAlerts {
  constructor(
    private readonly incidents: IncidentStore,
    @Inject(OutboxWriter) private readonly outbox: OutboxWriter,
    @Inject(SERVICE_ENV) private readonly env: ContainmentEnv,
  ) {}

  /** Saves the incident with its next revision and publishes it. */
  async saveAndPublish(tx: EntityManager, incident: Incident, isNew = false): Promise<Alert> {
    incident.revision = isNew ? 1 : incident.revision + 1;
    if (isNew) await this.incidents.insert(tx, incident);
    else await this.incidents.save(tx, incident);
    return this.publish(tx, incident);
  }

  /** Republishes the incident as it is (a receipt changed). */
  async republish(tx: EntityManager, incidentId: string): Promise<void> {
    const incident = await this.incidents.lock(tx, incidentId);
    if (!incident) return;
    incident.updatedAt = new Date();
    await this.saveAndPublish(tx, incident);
  }

  async view(manager: EntityManager, incident: Incident): Promise<Alert> {
    return (await this.viewMany(manager, [incident]))[0];
  }

  /** The alerts of a page of incidents in two queries, whatever the page size. */
  async viewMany(manager: EntityManager, incidents: Incident[]): Promise<Alert[]> {
    if (incidents.length === 0) return [];
    const actions: (ActionRow & { incident_id: string })[] = await manager.query(
      `SELECT "id", "kind", "incident_id" FROM "${CONTAINMENT_SCHEMA}"."actions" WHERE "incident_id" = ANY($1) ORDER BY "created_at", "id"`,
      [incidents.map((i) => i.id)],
    );
    const deliveries: DeliveryRow[] = actions.length
      ? await manager.query(
          `SELECT "action_id", "target", "status", "reason", "updated_at" FROM "${CONTAINMENT_SCHEMA}"."deliveries" WHERE "action_id" = ANY($1) ORDER BY "target"`,
          [actions.map((a) => a.id)],
        )
      : [];
    return incidents.map((incident) => this.alertOf(incident, actions.filter((a) => a.incident_id === incident.id), deliveries));
  }

  private alertOf(incident: Incident, actions: ActionRow[], deliveries: DeliveryRow[]): Alert {
    const alert: Omit<Alert, 'ocsf'> = {
      incidentId: incident.id,
      agentId: incident.agentId,
      ...(incident.ownerId ? { ownerId: incident.ownerId } : {}),
      ...(incident.riskTier ? { riskTier: incident.riskTier } : {}),
      status: incident.status,
      severity: incident.severity,
      score: incident.score,
      explanation: incident.explanation,
      // The most recent actions, should an incident ever collect more than the contract carries.
      actions: actions.slice(-64).map((a) => ({
        actionId: a.id,
        kind: a.kind,
        receipts: deliveries
          .filter((d) => d.action_id === a.id)
          .slice(0, 32)
          .map((d) => ({
            connector: d.target,
            status: d.status,
            ...(d.reason ? { reason: d.reason.slice(0, 1000) } : {}),
            at: new Date(d.updated_at).toISOString(),
          })),
      })),
      updatedAt: incident.updatedAt.toISOString(),
    };
    return {
      ...alert,
      ocsf: toDetectionFinding({ alert, kind: incident.kind, summary: incident.summary, openedAt: incident.openedAt, first: incident.revision === 1, revision: incident.revision }),
    };
  }

  private async publish(tx: EntityManager, incident: Incident): Promise<Alert> {
    const alert = await this.view(tx, incident);
    await this.outbox.append(tx, [{ topic: Topics.ContainmentAlert, subject: incident.agentId, data: alert }]);
    if (this.env.ALERT_WEBHOOK_URL) {
      await tx.query(
        `INSERT INTO "${CONTAINMENT_SCHEMA}"."deliveries" ("incident_id", "target", "payload", "status", "trace_context") VALUES ($1, $2, $3, 'pending', $4::jsonb)`,
        [incident.id, ALERT_WEBHOOK_TARGET, alert, currentDeliveryTraceContext()],
      );
      await tx.query(`SELECT pg_notify($1, '')`, [DELIVERIES_CHANNEL]);
    }
    return alert;
  }
}
