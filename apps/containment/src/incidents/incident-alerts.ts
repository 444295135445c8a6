import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { TopicPayloads, Topics } from '@agentgov/contracts';
import { OutboxWriter } from '@agentgov/messaging';
import { SERVICE_ENV } from '@agentgov/service-runtime';

import { ActionsRepository, IncidentActionRow } from '../actions/actions.repository';
import { DeliveryQueue, ReceiptRow } from '../actions/delivery-queue';
import { ContainmentEnv } from '../config/containment.env';
import { ActionKind } from '../connectors/connector-registry';
import { Incident } from './incident';
import { IncidentView, presentIncident } from './incident-view';
import { notifyIncidentChanged } from './incidents-notify';
import { IncidentsRepository } from './incidents.repository';
import { toDetectionFinding } from './ocsf-detection-finding';

type Alert = TopicPayloads['containment.alert.v1'];

/**
 * Every change to an incident goes out whole on containment.alert.v1 (and, when configured, to the alert
 * webhook through a durable delivery), and is announced to the live incident stream, in the transaction that made
 * the change.
 */
@Injectable()
export class IncidentAlerts {
  constructor(
    private readonly incidents: IncidentsRepository,
    private readonly actions: ActionsRepository,
    private readonly deliveries: DeliveryQueue,
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
    return (await this.assemble(manager, incidents)).map((a) => a.alert);
  }

  /** Incidents as the SOC's API shows them (list, detail, decisions, live stream): the alert and what only the SOC sees. */
  async socViews(manager: EntityManager, incidents: Incident[]): Promise<IncidentView[]> {
    return (await this.assemble(manager, incidents)).map(({ incident, alert, actions }) => presentIncident(incident, alert, actions));
  }

  async socView(manager: EntityManager, incident: Incident): Promise<IncidentView> {
    return (await this.socViews(manager, [incident]))[0];
  }

  private async assemble(manager: EntityManager, incidents: Incident[]): Promise<Array<{ incident: Incident; alert: Alert; actions: IncidentActionRow[] }>> {
    if (incidents.length === 0) return [];
    const actions = await this.actions.ofIncidents(
      manager,
      incidents.map((i) => i.id),
    );
    const deliveries = actions.length
      ? await this.deliveries.receiptsOf(
          manager,
          actions.map((a) => a.id),
        )
      : [];
    return incidents.map((incident) => {
      const own = actions.filter((a) => a.incident_id === incident.id);
      return { incident, actions: own, alert: this.alertOf(incident, own, deliveries) };
    });
  }

  private alertOf(incident: Incident, actions: { id: string; kind: ActionKind }[], deliveries: ReceiptRow[]): Alert {
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
      ocsf: toDetectionFinding({
        alert,
        kind: incident.kind,
        summary: incident.summary,
        openedAt: incident.openedAt,
        first: incident.revision === 1,
        revision: incident.revision,
      }),
    };
  }

  private async publish(tx: EntityManager, incident: Incident): Promise<Alert> {
    const alert = await this.view(tx, incident);
    await this.outbox.append(tx, [{ topic: Topics.ContainmentAlert, subject: incident.agentId, data: alert }]);
    await notifyIncidentChanged(tx, incident.id);
    if (this.env.ALERT_WEBHOOK_URL) await this.deliveries.enqueueAlert(tx, incident.id, alert);
    return alert;
  }
}
