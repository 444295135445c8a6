import { RISK_TIERS, SEVERITIES, STATUSES } from './incident-types';

/** The queue's filters, as they are kept in the page's address (so a filtered queue can be linked and reloaded). */
export interface QueueFilters {
  status: string;
  severity: string;
  riskTier: string;
  ownerId: string;
  age: string;
}

/** "Still to handle" is the default view: what is open, taken or contained. */
export const ACTIVE = 'open,acknowledged,contained';

export const AGES: Record<string, { label: string; ms: number }> = {
  '1h': { label: 'last hour', ms: 3_600_000 },
  '24h': { label: 'last 24 hours', ms: 86_400_000 },
  '7d': { label: 'last 7 days', ms: 7 * 86_400_000 },
};

export const STATUS_CHOICES: Array<[string, string]> = [
  [ACTIVE, 'Still to handle'],
  ['', 'Any status'],
  ...STATUSES.map((s): [string, string] => [s, s[0].toUpperCase() + s.slice(1)]),
];
export const SEVERITY_CHOICES: Array<[string, string]> = [
  ['', 'Any severity'],
  ...SEVERITIES.map((s): [string, string] => [s, s[0].toUpperCase() + s.slice(1)]),
];
export const TIER_CHOICES: Array<[string, string]> = [
  ['', 'Any tier'],
  ...RISK_TIERS.map((t): [string, string] => [t, `${t[0].toUpperCase()}${t.slice(1)} risk`]),
];
export const AGE_CHOICES: Array<[string, string]> = [
  ['', 'Any time'],
  ...Object.entries(AGES).map(([k, v]): [string, string] => [k, `Opened in the ${v.label}`]),
];

export function filtersFrom(search: URLSearchParams): QueueFilters {
  return {
    status: search.has('status') ? (search.get('status') ?? '') : ACTIVE,
    severity: search.get('severity') ?? '',
    riskTier: search.get('riskTier') ?? '',
    ownerId: search.get('ownerId') ?? '',
    age: search.get('age') ?? '',
  };
}

/** The page address for these filters. */
export function queuePath(filters: QueueFilters): string {
  const search = new URLSearchParams();
  if (filters.status !== ACTIVE) search.set('status', filters.status);
  for (const key of ['severity', 'riskTier', 'ownerId', 'age'] as const) if (filters[key]) search.set(key, filters[key]);
  const query = search.toString();
  return query ? `/incidents?${query}` : '/incidents';
}

/** The same filters for containment's list and stream (which honour the same ones). The age counts from `now`. */
export function apiQuery(filters: QueueFilters, now: number): string {
  const search = new URLSearchParams();
  if (filters.status) search.set('status', filters.status);
  if (filters.severity) search.set('severity', filters.severity);
  if (filters.riskTier) search.set('riskTier', filters.riskTier);
  if (filters.ownerId.trim()) search.set('ownerId', filters.ownerId.trim());
  if (filters.age && AGES[filters.age]) search.set('openedSince', new Date(now - AGES[filters.age].ms).toISOString());
  return search.toString();
}
