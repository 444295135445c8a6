import { EntityManager } from 'typeorm';

/** Channel on which every incident change is announced, with the incident id; Postgres delivers it on commit only. */
export const INCIDENT_CHANGES_CHANNEL = 'containment_incident_changes';

/** Announces, in the transaction that changes it, that the incident changed (for the live stream, IncidentStream). */
export async function notifyIncidentChanged(tx: EntityManager, incidentId: string): Promise<void> {
  await tx.query(`SELECT pg_notify($1, $2)`, [INCIDENT_CHANGES_CHANNEL, incidentId]);
}
