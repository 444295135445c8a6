import { Incident, IncidentStatus } from './incident-types';

export type Decision = 'acknowledge' | 'release' | 'confirm' | 'close';

/** Each decision, what it does in plain words, and the statuses it applies to (containment's rule). */
export const DECISIONS: Record<Decision, { label: string; confirm: string; explanation: string; done: string; statuses: readonly IncidentStatus[] }> = {
  acknowledge: {
    label: 'Acknowledge',
    confirm: 'Acknowledge',
    explanation: 'Records that you are handling this incident. A contained agent stays contained.',
    done: 'Acknowledged: the incident is recorded as yours.',
    statuses: ['open', 'contained'],
  },
  release: {
    label: 'Release',
    confirm: 'Release the agent',
    explanation:
      'Restores the agent with fresh credentials: every token from before stays revoked. Whoever ordered the containment cannot release it, and a very high score takes two analysts.',
    done: 'Released: the agent is restored with fresh credentials; the receipts below show each system.',
    statuses: ['contained'],
  },
  confirm: {
    label: 'Confirm threat',
    confirm: 'Confirm and deprovision',
    explanation: 'Confirms the threat: the agent and its sub-agents are deprovisioned everywhere. This cannot be undone from here.',
    done: 'Confirmed: the agent and its sub-agents are being deprovisioned everywhere.',
    statuses: ['open', 'acknowledged', 'contained', 'released'],
  },
  close: {
    label: 'Close',
    confirm: 'Close as a false alarm',
    explanation: 'Dismisses an incident that contained nothing, as a false alarm.',
    done: 'Closed as a false alarm.',
    statuses: ['open', 'acknowledged'],
  },
};

export function availableDecisions(incident: Pick<Incident, 'status' | 'kind'>): Decision[] {
  return (Object.keys(DECISIONS) as Decision[]).filter(
    // An unregistered agent's id is whatever its activity carried: containment never deprovisions "it".
    (d) => DECISIONS[d].statuses.includes(incident.status) && !(d === 'confirm' && incident.kind === 'shadow-agent'),
  );
}
