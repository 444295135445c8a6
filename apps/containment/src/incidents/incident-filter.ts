import { RISK_TIERS } from '@agentgov/contracts';
import { createRequestValidator } from '@agentgov/service-runtime';

import { Incident, IncidentStatus } from './incident';

const PRINTABLE = '^[\\x21-\\x7E]+$';
const list = (values: readonly string[]) => `^(${values.join('|')})(,(${values.join('|')}))*$`;

export const INCIDENT_STATUSES: readonly IncidentStatus[] = ['open', 'acknowledged', 'contained', 'released', 'confirmed', 'closed'];
const SEVERITIES: readonly Incident['severity'][] = ['low', 'medium', 'high', 'critical'];
const KINDS: readonly Incident['kind'][] = ['behavior', 'shadow-agent', 'manual', 'connector-failure'];

/** What the SOC filters incidents by, the same for the list (GET /incidents) and the live stream (GET /incidents/stream). */
export interface IncidentFilter {
  status?: IncidentStatus[];
  agentId?: string;
  ownerId?: string;
  severity?: Incident['severity'][];
  kind?: Incident['kind'][];
  riskTier?: NonNullable<Incident['riskTier']>[];
  updatedSince?: Date;
  openedSince?: Date;
}

interface FilterQuery {
  status?: string;
  severity?: string;
  kind?: string;
  riskTier?: string;
  agentId?: string;
  ownerId?: string;
  updatedSince?: string;
  openedSince?: string;
}

export interface ListQuery extends FilterQuery {
  limit?: string;
  cursor?: string;
}

const FILTER_PROPERTIES = {
  status: { type: 'string', pattern: list(INCIDENT_STATUSES) },
  severity: { type: 'string', pattern: list(SEVERITIES) },
  kind: { type: 'string', pattern: list(KINDS) },
  riskTier: { type: 'string', pattern: list(RISK_TIERS) },
  agentId: { type: 'string', minLength: 1, maxLength: 128, pattern: PRINTABLE },
  ownerId: { type: 'string', minLength: 1, maxLength: 256, pattern: PRINTABLE },
  updatedSince: { type: 'string', format: 'date-time' },
  openedSince: { type: 'string', format: 'date-time' },
};

export const validateListQuery = createRequestValidator<ListQuery>(
  {
    type: 'object',
    additionalProperties: false,
    properties: {
      ...FILTER_PROPERTIES,
      limit: { type: 'string', pattern: '^[1-9][0-9]{0,2}$' },
      cursor: { type: 'string', maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' },
    },
  },
  'query',
);

export const validateStreamQuery = createRequestValidator<FilterQuery>({ type: 'object', additionalProperties: false, properties: FILTER_PROPERTIES }, 'query');

const split = <T extends string>(value: string | undefined) => (value ? (value.split(',') as T[]) : undefined);

/** The filter a validated query describes. */
export function incidentFilterOf(query: FilterQuery): IncidentFilter {
  return {
    status: split(query.status),
    severity: split(query.severity),
    kind: split(query.kind),
    riskTier: split(query.riskTier),
    agentId: query.agentId,
    ownerId: query.ownerId,
    updatedSince: query.updatedSince ? new Date(query.updatedSince) : undefined,
    openedSince: query.openedSince ? new Date(query.openedSince) : undefined,
  };
}

/** Whether the incident is one the filter lets through: the same rules as the list's SQL (IncidentsRepository.list). */
export function matchesIncidentFilter(incident: Incident, filter: IncidentFilter): boolean {
  if (filter.status?.length && !filter.status.includes(incident.status)) return false;
  if (filter.severity?.length && !filter.severity.includes(incident.severity)) return false;
  if (filter.kind?.length && !filter.kind.includes(incident.kind)) return false;
  if (filter.riskTier?.length && (!incident.riskTier || !filter.riskTier.includes(incident.riskTier))) return false;
  if (filter.agentId && incident.agentId !== filter.agentId) return false;
  if (filter.ownerId && incident.ownerId !== filter.ownerId) return false;
  if (filter.updatedSince && incident.updatedAt < filter.updatedSince) return false;
  if (filter.openedSince && incident.openedAt < filter.openedSince) return false;
  return true;
}
