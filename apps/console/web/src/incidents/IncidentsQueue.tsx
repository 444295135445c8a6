import { FormEvent, useEffect, useMemo, useRef, useState } from 'react';

import { ApiProblem } from '../api/api-client';
import { openLiveStream, StreamStatus } from '../api/live-stream';
import { useApi } from '../api/use-api';
import { Link, navigate, useLocation } from '../app/router';
import { ProblemMessage } from '../components/ProblemMessage';
import { agentName, ownerName, useDirectory } from '../directory/directory';
import { AGE_CHOICES, apiQuery, filtersFrom, QueueFilters, queuePath, SEVERITY_CHOICES, STATUS_CHOICES, TIER_CHOICES } from './incident-filters';
import { Incident } from './incident-types';
import { formatAge, whatHappened, whereItStands } from './incident-words';

const STATUS_WORDS: Record<StreamStatus, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  refused: 'Not live',
};

/**
 * The incidents queue: the list for the filters, then kept current by containment's live stream (each incident created
 * or changed arrives as the list shows it, and takes its place, newest change first).
 */
export function IncidentsQueue() {
  const api = useApi();
  const directory = useDirectory();
  const { search } = useLocation();
  const filters = filtersFrom(search);
  const filterKey = JSON.stringify(filters);
  const [incidents, setIncidents] = useState<ReadonlyMap<string, Incident>>(new Map());
  const [loaded, setLoaded] = useState(false);
  const [status, setStatus] = useState<StreamStatus>('connecting');
  const [problem, setProblem] = useState<ApiProblem>();
  const [announcement, setAnnouncement] = useState('');
  /** Incidents the stream sent: newer than a list that was on its way. */
  const arrived = useRef(new Set<string>());
  /** Incidents that appeared while the queue was open (highlighted, announced). */
  const fresh = useRef(new Set<string>());
  const shown = useRef(new Set<string>());
  useEffect(() => {
    shown.current = new Set(incidents.keys());
  }, [incidents]);

  useEffect(() => {
    const current: QueueFilters = JSON.parse(filterKey);
    const query = apiQuery(current, Date.now());
    setIncidents(new Map());
    setLoaded(false);
    setProblem(undefined);
    arrived.current = new Set();
    fresh.current = new Set();
    let listing = 0;
    const keepNewest = (into: Map<string, Incident>, incident: Incident) => {
      const known = into.get(incident.incidentId);
      if (!known || Date.parse(known.updatedAt) <= Date.parse(incident.updatedAt)) into.set(incident.incidentId, incident);
    };
    const list = () => {
      const n = ++listing;
      api.get<{ items: Incident[] }>('containment', `/incidents?${query}${query ? '&' : ''}limit=100`).then(
        ({ items }) => {
          if (n !== listing) return;
          setIncidents((previous) => {
            const next = new Map<string, Incident>();
            items.forEach((i) => keepNewest(next, i));
            // Changes streamed while the list was on its way are newer than what it holds.
            previous.forEach((i) => arrived.current.has(i.incidentId) && keepNewest(next, i));
            return next;
          });
          setLoaded(true);
        },
        (error: unknown) => setProblem(error instanceof ApiProblem ? error : undefined),
      );
    };
    return openLiveStream(api, 'containment', `/incidents/stream${query ? `?${query}` : ''}`, {
      onStatus: (next, refusal) => {
        setStatus(next);
        if (refusal) setProblem(refusal);
      },
      onEvent: (event, data) => {
        if (event === 'ready' || event === 'resync') list();
        if (event !== 'incident') return;
        const incident = data as Incident;
        if (!shown.current.has(incident.incidentId) && !arrived.current.has(incident.incidentId)) {
          fresh.current.add(incident.incidentId);
          setAnnouncement(`New incident, ${incident.severity}: ${whatHappened(incident)}`);
        }
        arrived.current.add(incident.incidentId);
        setIncidents((previous) => {
          const next = new Map(previous);
          keepNewest(next, incident);
          return next;
        });
      },
    });
  }, [api, filterKey]);

  const rows = useMemo(() => [...incidents.values()].sort((a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt)), [incidents]);

  return (
    <section aria-labelledby="queue-title">
      <div className="page-head">
        <h1 id="queue-title">Incidents</h1>
        <span className={`live live-${status}`} role="status">
          {STATUS_WORDS[status]}
        </span>
      </div>
      <FilterBar filters={filters} />
      <p className="visually-hidden" aria-live="polite">
        {announcement}
      </p>
      {problem ? (
        <ProblemMessage problem={problem} />
      ) : !loaded ? (
        <p>Loading incidents…</p>
      ) : rows.length === 0 ? (
        <p className="empty-state">No incidents match these filters.</p>
      ) : (
        <table className="queue">
          <caption className="visually-hidden">Incidents matching the filters, most recently changed first</caption>
          <thead>
            <tr>
              <th scope="col">Severity</th>
              <th scope="col">What happened</th>
              <th scope="col">Agent</th>
              <th scope="col">Owner</th>
              <th scope="col">Where it stands</th>
              <th scope="col">Opened</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((incident) => (
              <tr key={incident.incidentId} className={fresh.current.has(incident.incidentId) ? 'arrived' : undefined} data-incident-id={incident.incidentId}>
                <td>
                  <span className={`severity severity-${incident.severity}`}>{incident.severity}</span>
                </td>
                <td className="what">
                  <Link to={`/incidents/${incident.incidentId}`}>{whatHappened(incident)}</Link>
                </td>
                <td>
                  {agentName(directory.agent(incident.agentId), incident.agentId)}
                  {incident.riskTier && <span className="muted"> · {incident.riskTier} risk</span>}
                </td>
                <td>{ownerName(incident.ownerId ? directory.owner(incident.ownerId) : undefined, incident.ownerId)}</td>
                <td>{whereItStands(incident)}</td>
                <td>
                  <time dateTime={incident.openedAt} title={new Date(incident.openedAt).toLocaleString()}>
                    {formatAge(incident.openedAt)}
                  </time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function FilterBar({ filters }: { filters: QueueFilters }) {
  const [owner, setOwner] = useState(filters.ownerId);
  useEffect(() => setOwner(filters.ownerId), [filters.ownerId]);
  const change = (key: keyof QueueFilters, value: string) => navigate(queuePath({ ...filters, [key]: value }), { replace: true });
  const submitOwner = (event: FormEvent) => {
    event.preventDefault();
    change('ownerId', owner);
  };
  const select = (key: keyof QueueFilters, label: string, choices: Array<[string, string]>) => (
    <label>
      <span>{label}</span>
      <select value={filters[key]} onChange={(e) => change(key, e.target.value)}>
        {choices.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <form className="filters" role="search" aria-label="Filter incidents" onSubmit={submitOwner}>
      {select('status', 'Status', STATUS_CHOICES)}
      {select('severity', 'Severity', SEVERITY_CHOICES)}
      {select('riskTier', 'Risk tier', TIER_CHOICES)}
      {select('age', 'Age', AGE_CHOICES)}
      <label>
        <span>Owner id</span>
        <input
          value={owner}
          onChange={(e) => setOwner(e.target.value)}
          onBlur={() => owner !== filters.ownerId && change('ownerId', owner)}
          placeholder="any owner"
        />
      </label>
    </form>
  );
}
