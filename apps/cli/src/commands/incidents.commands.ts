import type { CommandSpec } from '../command';
import { fields, table, when } from '../output/text';

const STATUSES = ['open', 'acknowledged', 'contained', 'released', 'confirmed', 'closed'] as const;
const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
const KINDS = ['behavior', 'shadow-agent', 'manual', 'connector-failure'] as const;

/** An incident as containment's API shows it: the alert (actions and receipts) and the SOC's fields. */
interface IncidentView {
  incidentId: string;
  agentId: string;
  ownerId?: string;
  riskTier?: string;
  status: string;
  severity: string;
  score: number;
  kind: string;
  summary: string;
  band: string;
  policyVersion: number | null;
  explanation: Array<{ name: string; expected: number; observed: number; contribution: number }>;
  actions: Array<{ actionId: string; kind: string; receipts: Array<{ connector: string; status: string; reason?: string; at: string }> }>;
  acknowledgedBy: string | null;
  releasedAt: string | null;
  releaseRequest: { by: string; at: string } | null;
  openedAt: string;
  updatedAt: string;
  audit?: Array<{ seq: string | number; at: string; actor: string; action: string; reason?: string | null }>;
}

const path = (id: string) => `/incidents/${encodeURIComponent(id)}`;
const round = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));

function incidentText(i: IncidentView): string {
  const receipts = i.actions.flatMap((a) => a.receipts.map((r) => [a.kind, r.connector, r.status, when(r.at), r.reason] as const));
  return [
    fields([
      ['incident', i.incidentId],
      ['status', i.status],
      ['summary', i.summary],
      ['severity', `${i.severity} (band ${i.band}, policy version ${i.policyVersion ?? '-'})`],
      ['score', i.score],
      ['kind', i.kind],
      ['agent', `${i.agentId}${i.riskTier ? ` (${i.riskTier})` : ''}`],
      ['owner', i.ownerId],
      ['opened', when(i.openedAt)],
      ['updated', when(i.updatedAt)],
      ['acknowledged by', i.acknowledgedBy],
      ['release asked', i.releaseRequest ? `by ${i.releaseRequest.by} at ${when(i.releaseRequest.at)}` : undefined],
      ['released', when(i.releasedAt)],
    ]),
    ...(i.explanation.length
      ? [
          '',
          'what drove the score:',
          table(
            ['FEATURE', 'EXPECTED', 'OBSERVED', 'CONTRIBUTION'],
            i.explanation.map((e) => [e.name, round(e.expected), round(e.observed), round(e.contribution)]),
          ),
        ]
      : []),
    ...(receipts.length ? ['', 'actions and receipts:', table(['ACTION', 'CONNECTOR', 'RECEIPT', 'AT', 'REASON'], receipts)] : []),
    ...(i.audit?.length
      ? [
          '',
          'audit trail:',
          table(
            ['AT', 'WHO', 'WHAT', 'WHY'],
            i.audit.map((e) => [when(e.at), e.actor, e.action, e.reason]),
          ),
        ]
      : []),
  ].join('\n');
}

const list: CommandSpec = {
  name: ['incidents', 'list'],
  summary: 'incidents, most recently changed first, by status, severity, kind, agent, owner or time',
  options: {
    status: { kind: 'value', value: 'LIST', description: `comma list of ${STATUSES.join(', ')}` },
    severity: { kind: 'value', value: 'LIST', description: `comma list of ${SEVERITIES.join(', ')}` },
    kind: { kind: 'value', value: 'LIST', description: `comma list of ${KINDS.join(', ')}` },
    agent: { kind: 'value', value: 'AGENT_ID', description: "only this agent's incidents" },
    owner: { kind: 'value', value: 'OWNER_ID', description: "only incidents of this owner's agents" },
    since: { kind: 'value', value: 'TIME', description: 'only incidents changed since this time (ISO 8601, e.g. 2026-03-01T09:00:00Z)' },
    limit: { kind: 'value', value: 'N', description: 'incidents per page, 1 to 200 (default 50)' },
    cursor: { kind: 'value', value: 'CURSOR', description: 'the next page (the cursor the previous page printed)' },
  },
  examples: ['agentgov incidents list --status open,contained --severity high,critical', 'agentgov incidents list --agent 5f0c... --json'],
  async run({ api }, args) {
    const page = await api.call<{ items: IncidentView[]; nextCursor: string | null }>('containment', '/incidents', {
      query: {
        status: args.choice('status', STATUSES, true),
        severity: args.choice('severity', SEVERITIES, true),
        kind: args.choice('kind', KINDS, true),
        agentId: args.value('agent'),
        ownerId: args.value('owner'),
        updatedSince: args.value('since'),
        limit: args.integer('limit', { min: 1, max: 200 }),
        cursor: args.value('cursor'),
      },
    });
    const rows = page.items.map((i) => [i.incidentId, i.status, i.severity, i.score.toFixed(3), i.agentId, i.ownerId, when(i.updatedAt), i.summary]);
    const more = page.nextCursor ? `\nmore: add --cursor ${page.nextCursor}` : '';
    return {
      data: page,
      text: rows.length ? `${table(['ID', 'STATUS', 'SEVERITY', 'SCORE', 'AGENT', 'OWNER', 'UPDATED', 'SUMMARY'], rows)}${more}` : 'no incidents match',
    };
  },
};

const show: CommandSpec = {
  name: ['incidents', 'show'],
  summary: 'one incident: what happened, what drove the score, every action with each connector’s receipt, the audit trail',
  positionals: [{ name: 'id', description: 'the incident id' }],
  async run({ api }, args) {
    const incident = await api.call<IncidentView>('containment', path(args.requiredPositional('id')));
    return { data: incident, text: incidentText(incident) };
  },
};

/** A decision on an incident (POST /incidents/<id>/<verb>), with its reason. */
function decision(verb: 'acknowledge' | 'release' | 'confirm' | 'close', summary: string, reasonRequired: boolean, description?: string): CommandSpec {
  return {
    name: ['incidents', verb],
    summary,
    ...(description ? { description } : {}),
    positionals: [{ name: 'id', description: 'the incident id' }],
    options: { reason: { kind: 'value', value: 'TEXT', description: `why${reasonRequired ? ' (required' : ' (optional'}; recorded in the audit trail)` } },
    examples: [
      `agentgov incidents ${verb} 7d2e... --reason "${verb === 'release' ? 'batch export approved by the data owner (CHG-1182)' : 'see ticket SOC-311'}"`,
    ],
    async run({ api }, args) {
      const id = args.requiredPositional('id');
      const reason = reasonRequired ? args.requiredValue('reason') : args.value('reason');
      const incident = await api.call<IncidentView>('containment', `${path(id)}/${verb}`, { method: 'POST', body: reason === undefined ? {} : { reason } });
      const asked = verb === 'release' && incident.status !== 'released' ? incident.releaseRequest : null;
      const text = asked
        ? `release of incident ${id} asked by ${asked.by}: its score needs a second analyst, who releases it with agentgov incidents release ${id} --reason ...`
        : `incident ${id} is ${incident.status}`;
      return { data: incident, text };
    },
  };
}

export const INCIDENT_COMMANDS: readonly CommandSpec[] = [
  list,
  show,
  decision('acknowledge', 'acknowledge an incident: an analyst is on it', false),
  decision(
    'release',
    'release a contained agent with fresh credentials (a false alarm, or a cause dealt with)',
    true,
    'Above the policy’s score for it, a release takes two analysts: the first asks, a second one releases.',
  ),
  decision('confirm', 'confirm the threat: the agent and its sub-agents are deprovisioned', true),
  decision('close', 'close an incident that contained nothing (a false alarm)', true),
];
