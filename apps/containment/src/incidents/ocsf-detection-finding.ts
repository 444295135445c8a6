import { TopicPayloads } from '@agentgov/contracts';

type Alert = TopicPayloads['containment.alert.v1'];

const SEVERITY_ID: Record<Alert['severity'], Alert['ocsf']['severity_id']> = { low: 2, medium: 3, high: 4, critical: 5 };
// OCSF status_id: 1 New, 2 In Progress, 4 Resolved.
const STATUS: Record<Alert['status'], [number, string]> = {
  open: [1, 'New'],
  acknowledged: [2, 'In Progress'],
  contained: [2, 'In Progress'],
  released: [4, 'Resolved'],
  confirmed: [4, 'Resolved'],
  closed: [4, 'Resolved'],
};
const OCSF_VERSION = '1.3.0';
const DETECTION_FINDING = 2004;

export interface FindingInput {
  alert: Omit<Alert, 'ocsf'>;
  kind: string;
  summary: string;
  openedAt: Date;
  /** 1 Create for the first publication, 2 Update after, 3 Close once resolved. */
  first: boolean;
  /** The incident's publication count: a SIEM keeps the highest and drops stale ones arriving late. */
  revision?: number;
}

/**
 * The incident as an OCSF Detection Finding (class 2004, category Findings), so a SIEM can take the event as
 * it is. What OCSF has no attribute for (explanation, actions and receipts) stays in `unmapped`.
 */
export function toDetectionFinding({ alert, kind, summary, openedAt, first, revision }: FindingInput): Alert['ocsf'] {
  const [statusId, status] = STATUS[alert.status];
  const activityId = first ? 1 : statusId === 4 ? 3 : 2;
  const updated = Date.parse(alert.updatedAt);
  return {
    class_uid: DETECTION_FINDING,
    class_name: 'Detection Finding',
    category_uid: 2,
    category_name: 'Findings',
    activity_id: activityId,
    activity_name: ({ 1: 'Create', 2: 'Update', 3: 'Close' } as Record<number, string>)[activityId],
    type_uid: DETECTION_FINDING * 100 + activityId,
    severity_id: SEVERITY_ID[alert.severity],
    severity: alert.severity.charAt(0).toUpperCase() + alert.severity.slice(1),
    status_id: statusId,
    status,
    time: updated,
    confidence_score: Math.round(alert.score * 100),
    message: summary,
    metadata: {
      version: OCSF_VERSION,
      product: { name: 'AgentGov containment', vendor_name: 'AgentGov' },
      uid: `${alert.incidentId}:${revision ?? updated}`,
      ...(revision !== undefined ? { sequence: revision } : {}),
    },
    finding_info: {
      uid: alert.incidentId,
      title: kind === 'shadow-agent' ? `Activity from unregistered agent ${alert.agentId}` : `AI agent ${alert.agentId}: ${kind} anomaly`,
      desc: summary,
      types: [kind],
      created_time: openedAt.getTime(),
      modified_time: updated,
      analytic: { name: 'agentgov behavior baseline', type_id: 2, type: 'Behavioral' },
    },
    resources: [
      {
        uid: alert.agentId,
        type: 'AI Agent',
        ...(alert.ownerId ? { owner: { uid: alert.ownerId } } : {}),
        ...(alert.riskTier ? { labels: [`risk-tier:${alert.riskTier}`] } : {}),
      },
    ],
    // OCSF has no attribute for the explanation or the receipts; `unmapped` is its place for such data.
    unmapped: JSON.parse(JSON.stringify({ explanation: alert.explanation, actions: alert.actions })),
  };
}
