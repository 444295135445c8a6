import { TopicPayloads } from '@agentgov/contracts';

import { IncidentActionRow } from '../actions/actions.repository';
import { Incident } from './incident';

type Alert = TopicPayloads['containment.alert.v1'];

/**
 * An incident as the SOC's API shows it (list, detail, decisions and the live stream alike): its alert, and what only
 * the SOC sees, such as who decided each action and when.
 */
export function presentIncident(incident: Incident, alert: Alert, actions: IncidentActionRow[]) {
  const decided = new Map(actions.map((a) => [a.id, a]));
  return {
    ...alert,
    actions: alert.actions.map((action) => {
      const row = decided.get(action.actionId);
      return {
        ...action,
        // policy, analyst, lifecycle (the registry) or manual; who, when an analyst or admin asked.
        origin: row?.origin ?? null,
        requestedBy: row?.requested_by ?? null,
        decidedAt: row ? new Date(row.created_at).toISOString() : null,
      };
    }),
    kind: incident.kind,
    summary: incident.summary,
    band: incident.band,
    policyVersion: incident.policyVersion ?? null,
    episodeOpen: incident.episodeOpen,
    acknowledgedBy: incident.acknowledgedBy ?? null,
    releasedAt: incident.releasedAt?.toISOString() ?? null,
    // A release waiting for a second analyst (separation of duties).
    releaseRequest: incident.releaseRequest ? { by: incident.releaseRequest.by, at: incident.releaseRequest.at.toISOString() } : null,
    openedAt: incident.openedAt.toISOString(),
  };
}

export type IncidentView = ReturnType<typeof presentIncident>;
