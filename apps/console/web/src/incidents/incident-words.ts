import { Incident, IncidentAction } from './incident-types';

/**
 * What happened, in the analyst's words: the baseliner's own sentence for a behaviour anomaly ("500 records touched in
 * 10 min; usually about 15 a day"), kept to what happened and what is usual; the rest of it (the usual range, the
 * rarity, the tier) is on the incident's page.
 */
export function whatHappened(incident: Pick<Incident, 'kind' | 'summary'>): string {
  const summary = incident.summary.trim();
  if (incident.kind !== 'behavior') return capitalise(summary);
  const clauses = summary.split('; ');
  return capitalise(
    clauses
      .slice(0, 2)
      .join('; ')
      .replace(/\s*\((low|medium|high|critical) risk\)$/, ''),
  );
}

/** Where the incident stands, and what was done about it. */
export function whereItStands(incident: Pick<Incident, 'status' | 'actions' | 'releaseRequest' | 'acknowledgedBy'>): string {
  const last = incident.actions[incident.actions.length - 1];
  switch (incident.status) {
    case 'open':
      return last ? `Open: ${actionWords(last)}` : 'Open: nothing done yet';
    case 'acknowledged':
      return `Taken by ${incident.acknowledgedBy ?? 'an analyst'}${last ? `; ${actionWords(last)}` : ''}`;
    case 'contained':
      return incident.releaseRequest
        ? `Contained; release asked by ${incident.releaseRequest.by}, waiting for a second analyst`
        : `Contained: ${last ? actionWords(last) : 'access ended'}`;
    case 'released':
      return `Released: ${last ? actionWords(last) : 'access restored'}`;
    case 'confirmed':
      return `Confirmed: ${last ? actionWords(last) : 'deprovisioned'}`;
    case 'closed':
      return 'Closed as a false alarm';
  }
}

/** One action and its receipts: "logged out at 2 of 3 systems, 1 retrying". */
export function actionWords(action: Pick<IncidentAction, 'kind' | 'receipts'>): string {
  const verb = action.kind === 'contain' ? 'logged out' : action.kind === 'release' ? 'restored' : 'deprovisioned';
  const total = action.receipts.length;
  if (total === 0) return `${verb}, no connector to reach`;
  const done = action.receipts.filter((r) => r.status === 'confirmed' || r.status === 'sent').length;
  const failing = action.receipts.filter((r) => r.status === 'failed').length;
  const retrying = action.receipts.filter((r) => r.status === 'retrying').length;
  const waiting = action.receipts.filter((r) => r.status === 'pending').length;
  const tail = [failing ? `${failing} failed` : '', retrying ? `${retrying} retrying` : '', waiting ? `${waiting} pending` : ''].filter(Boolean);
  return `${verb} at ${done} of ${total} system${total === 1 ? '' : 's'}${tail.length ? `, ${tail.join(', ')}` : ''}`;
}

const FEATURES: Record<string, { label: string; unit?: string }> = {
  'action-rate': { label: 'Actions in 10 minutes', unit: 'actions' },
  'records-touched': { label: 'Records touched in 10 minutes', unit: 'records' },
  'denied-share': { label: 'Share of actions denied or failed', unit: 'share' },
  'new-action': { label: 'An action it never took before' },
  'new-resource-type': { label: 'A kind of resource it never touched before' },
  'new-tool': { label: 'A tool it never used before' },
  'new-hour': { label: 'Active at an hour it never is' },
  'unregistered-agent': { label: 'Not in the registry (a shadow agent)' },
};

/** A feature that drove the score, in the analyst's words and units. */
export function describeFeature(feature: { name: string; expected: number; observed: number }): { label: string; expected: string; observed: string } {
  const [name, value] = splitOnce(feature.name, ':');
  const known = FEATURES[name];
  if (!known) return { label: feature.name, expected: formatNumber(feature.expected), observed: formatNumber(feature.observed) };
  if (value !== undefined) return { label: `${known.label}: ${value}`, expected: 'never', observed: 'first time' };
  if (!known.unit) return { label: known.label, expected: 'no', observed: 'yes' };
  if (known.unit === 'share') return { label: known.label, expected: percent(feature.expected), observed: percent(feature.observed) };
  return { label: known.label, expected: `about ${formatNumber(feature.expected)}`, observed: formatNumber(feature.observed) };
}

/** A delay from the anomaly: "+0.4 s", "+12 s", "+3 min", "+2 h". */
export function formatDelay(fromIso: string, toIso: string): string {
  const ms = Date.parse(toIso) - Date.parse(fromIso);
  const sign = ms < 0 ? '−' : '+';
  const abs = Math.abs(ms);
  if (abs < 10_000) return `${sign}${(abs / 1000).toFixed(1)} s`;
  if (abs < 120_000) return `${sign}${Math.round(abs / 1000)} s`;
  if (abs < 7_200_000) return `${sign}${Math.round(abs / 60_000)} min`;
  return `${sign}${Math.round(abs / 3_600_000)} h`;
}

/** How long ago: "2 min ago", "3 h ago", "4 days ago". */
export function formatAge(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400 * 2) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} days ago`;
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '–';
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en');
  if (Math.abs(value) >= 10) return value.toFixed(0);
  return String(Math.round(value * 10) / 10);
}

function percent(value: number): string {
  return `${Math.round(value * 100)}%`;
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

function capitalise(text: string): string {
  return text ? text[0].toUpperCase() + text.slice(1) : text;
}
