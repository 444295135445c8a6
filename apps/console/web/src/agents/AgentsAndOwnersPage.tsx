import { FormEvent, useEffect, useState } from 'react';

import { ApiProblem } from '../api/api-client';
import { useApi } from '../api/use-api';
import { Link, navigate, useLocation } from '../app/router';
import { gatherPages } from '../common/paging';
import { RefusalMessage } from '../common/RefusalMessage';
import { StatusBadge } from '../common/StatusBadge';
import { useLoad } from '../common/use-load';
import { When } from '../common/When';
import { agentName, ownerName, useDirectory } from '../directory/directory';
import { ownerMatches, rankOwners } from '../owners/owner-search';
import {
  AgentFilters,
  agentFiltersFrom,
  agentListQuery,
  agentMatchesText,
  agentSearchAsked,
  OwnerFilters,
  ownerFiltersFrom,
  searchesOneAgent,
  searchPath,
} from './agent-search';
import { AGENT_STATUSES, AgentPage, OWNER_STATUSES, RegistryAgent, RegistryOwner, RISK_TIERS } from './agent-types';

/** Agents read per page, and pages read at most for one search (the provisioner does not search names). */
const AGENT_PAGE = 500;
const AGENT_PAGES = 10;
/** Owners read per page, and pages read at most for one search (the provisioner does not search emails or names). */
const OWNER_PAGE = 500;
const OWNER_PAGES = 20;
/** Rows shown at once. */
const SHOWN = 100;

/** Find agents (by name, status, tier, platform, owner, or owners gone) and owners (by id, email or name). */
export function AgentsAndOwnersPage() {
  const { search } = useLocation();
  const agentFilters = agentFiltersFrom(search);
  const ownerFilters = ownerFiltersFrom(search);
  const asked = agentSearchAsked(search);
  return (
    <section aria-labelledby="directory-title">
      <h1 id="directory-title">Agents and owners</h1>
      <section aria-labelledby="find-agents-title" className="panel">
        <h2 id="find-agents-title">Find agents</h2>
        <AgentSearchForm filters={agentFilters} onSearch={(next) => navigate(searchPath(next, ownerFilters))} />
        {asked && <AgentResults filters={agentFilters} />}
      </section>
      <section aria-labelledby="find-owners-title" className="panel">
        <h2 id="find-owners-title">Find an owner</h2>
        <OwnerSearchForm filters={ownerFilters} onSearch={(next) => navigate(searchPath(asked ? agentFilters : undefined, next))} />
        {(ownerFilters.owner || ownerFilters.ownerStatus) && <OwnerResults filters={ownerFilters} />}
      </section>
    </section>
  );
}

function AgentSearchForm({ filters, onSearch }: { filters: AgentFilters; onSearch(filters: AgentFilters): void }) {
  const api = useApi();
  const [draft, setDraft] = useState(filters);
  const [platforms, setPlatforms] = useState<string[]>([]);
  const key = JSON.stringify(filters);
  useEffect(() => setDraft(JSON.parse(key) as AgentFilters), [key]);
  useEffect(() => {
    api.get<{ byPlatform: Record<string, number> }>('provisioner', '/agents/stats').then(
      (stats) => setPlatforms(Object.keys(stats.byPlatform).sort()),
      // Without the counts the platform is typed instead of chosen.
      () => setPlatforms([]),
    );
  }, [api]);
  const set = <K extends keyof AgentFilters>(field: K, value: AgentFilters[K]) => setDraft((d) => ({ ...d, [field]: value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSearch(draft);
  };
  return (
    <form className="filters search-form" role="search" aria-label="Find agents" onSubmit={submit}>
      <label>
        <span>Name, purpose or agent id</span>
        <input name="q" value={draft.text} onChange={(e) => set('text', e.target.value)} placeholder="any agent" />
      </label>
      <label>
        <span>Status</span>
        <select value={draft.status} onChange={(e) => set('status', e.target.value)}>
          <option value="">Any status</option>
          {AGENT_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s[0].toUpperCase() + s.slice(1)}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>Risk tier</span>
        <select value={draft.riskTier} onChange={(e) => set('riskTier', e.target.value)}>
          <option value="">Any tier</option>
          {RISK_TIERS.map((t) => (
            <option key={t} value={t}>
              {`${t[0].toUpperCase()}${t.slice(1)} risk`}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>Platform</span>
        {platforms.length > 0 ? (
          <select value={draft.platform} onChange={(e) => set('platform', e.target.value)}>
            <option value="">Any platform</option>
            {platforms.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        ) : (
          <input value={draft.platform} onChange={(e) => set('platform', e.target.value)} placeholder="any platform" />
        )}
      </label>
      <label>
        <span>Owner id</span>
        <input value={draft.ownerId} onChange={(e) => set('ownerId', e.target.value)} placeholder="any owner" />
      </label>
      <label className="checkbox">
        <input type="checkbox" checked={draft.orphaned} onChange={(e) => set('orphaned', e.target.checked)} />
        <span>Only live agents whose owner is gone</span>
      </label>
      <button type="submit" className="primary">
        Search agents
      </button>
    </form>
  );
}

interface AgentMatches {
  agents: RegistryAgent[];
  /** False when the search stopped before the end of the list (the name is matched in what was read). */
  complete: boolean;
  read: number;
}

function AgentResults({ filters }: { filters: AgentFilters }) {
  const api = useApi();
  const key = JSON.stringify(filters);
  const [shown, setShown] = useState(SHOWN);
  useEffect(() => setShown(SHOWN), [key]);
  const [loaded] = useLoad<AgentMatches>(async () => {
    const wanted: AgentFilters = JSON.parse(key);
    const id = searchesOneAgent(wanted);
    if (id) {
      try {
        return { agents: [await api.get<RegistryAgent>('provisioner', `/agents/${id}`)], complete: true, read: 1 };
      } catch (error) {
        if (error instanceof ApiProblem && error.code === 'AGENT_NOT_FOUND') return { agents: [], complete: true, read: 0 };
        throw error;
      }
    }
    const pages = await gatherPages(async (after) => {
      const page = await api.get<AgentPage>('provisioner', `/agents?${agentListQuery(wanted, after, AGENT_PAGE)}`);
      return { items: page.items, next: page.nextAfter };
    }, AGENT_PAGES);
    return { agents: pages.items.filter((a) => agentMatchesText(a, wanted.text)), complete: pages.complete, read: pages.items.length };
  }, [api, key]);

  if (loaded.state === 'loading') return <p role="status">Searching agents…</p>;
  if (loaded.state === 'failed')
    return <RefusalMessage problem={loaded.problem} context={{ forbidden: 'Agents are shown to admins, SOC analysts and reviewers.' }} />;
  const { agents, complete, read } = loaded.value;
  return (
    <div aria-live="polite">
      <p role="status" className="result-count">
        {agents.length === 0 ? 'No agent matches this search.' : `${agents.length.toLocaleString('en')} agent${agents.length === 1 ? '' : 's'} found.`}
        {!complete && ` Only the first ${read.toLocaleString('en')} agents these filters give were searched: narrow the filters to search them all.`}
      </p>
      {agents.length > 0 && <AgentTable agents={agents.slice(0, shown)} caption="Agents matching the search" />}
      {agents.length > shown && (
        <button type="button" onClick={() => setShown((n) => n + SHOWN)}>
          Show {Math.min(SHOWN, agents.length - shown)} more
        </button>
      )}
    </div>
  );
}

/** Agents in a table: each links to its page, its owner to theirs. */
export function AgentTable({ agents, caption }: { agents: readonly RegistryAgent[]; caption: string }) {
  const directory = useDirectory();
  return (
    <table>
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Agent</th>
          <th scope="col">Status</th>
          <th scope="col">Risk tier</th>
          <th scope="col">Owner</th>
          <th scope="col">Parent</th>
          <th scope="col">Platform and purpose</th>
          <th scope="col">Expires</th>
        </tr>
      </thead>
      <tbody>
        {agents.map((agent) => (
          <tr key={agent.id}>
            <th scope="row">
              <Link to={`/agents/${agent.id}`}>{agent.name}</Link>
            </th>
            <td>
              <StatusBadge status={agent.status} />
            </td>
            <td>{agent.riskTier}</td>
            <td>
              <Link to={`/owners/${encodeURIComponent(agent.ownerId)}`}>{ownerName(directory.owner(agent.ownerId), agent.ownerId)}</Link>
            </td>
            <td>
              {agent.parentAgentId ? (
                <Link to={`/agents/${agent.parentAgentId}`}>{agentName(directory.agent(agent.parentAgentId), agent.parentAgentId)}</Link>
              ) : (
                '—'
              )}
            </td>
            <td>
              {agent.platform} <span className="muted">· {agent.purpose}</span>
            </td>
            <td>{agent.expiresAt ? <When iso={agent.expiresAt}>{new Date(agent.expiresAt).toLocaleDateString()}</When> : 'never'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function OwnerSearchForm({ filters, onSearch }: { filters: OwnerFilters; onSearch(filters: OwnerFilters): void }) {
  const [draft, setDraft] = useState(filters);
  const key = JSON.stringify(filters);
  useEffect(() => setDraft(JSON.parse(key) as OwnerFilters), [key]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSearch(draft);
  };
  return (
    <form className="filters search-form" role="search" aria-label="Find an owner" onSubmit={submit}>
      <label>
        <span>Owner id, email or name</span>
        <input name="owner" value={draft.owner} onChange={(e) => setDraft({ ...draft, owner: e.target.value })} placeholder="ann@example.com" />
      </label>
      <label>
        <span>Status</span>
        <select value={draft.ownerStatus} onChange={(e) => setDraft({ ...draft, ownerStatus: e.target.value })}>
          <option value="">Any status</option>
          {OWNER_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s[0].toUpperCase() + s.slice(1)}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="primary">
        Search owners
      </button>
    </form>
  );
}

function OwnerResults({ filters }: { filters: OwnerFilters }) {
  const api = useApi();
  const key = JSON.stringify(filters);
  const [loaded] = useLoad(async () => {
    const { owner: text, ownerStatus }: OwnerFilters = JSON.parse(key);
    // The id as typed is looked up directly; the list is read for emails and names.
    const exact = text.trim()
      ? api.get<RegistryOwner>('provisioner', `/owners/${encodeURIComponent(text.trim())}`).then(
          (found) => [found],
          () => [] as RegistryOwner[],
        )
      : Promise.resolve([] as RegistryOwner[]);
    const listed = gatherPages(async (cursor) => {
      const query = new URLSearchParams({ limit: String(OWNER_PAGE), ...(ownerStatus ? { status: ownerStatus } : {}), ...(cursor ? { cursor } : {}) });
      const page = await api.get<{ items: RegistryOwner[]; nextCursor?: string }>('provisioner', `/owners?${query.toString()}`);
      return { items: page.items.filter((o) => ownerMatches(o, text)), next: page.nextCursor };
    }, OWNER_PAGES);
    const [direct, pages] = await Promise.all([exact, listed]);
    const unique = new Map([...direct.filter((o) => !ownerStatus || o.status === ownerStatus), ...pages.items].map((o) => [o.id, o]));
    return { owners: rankOwners([...unique.values()], text), complete: pages.complete };
  }, [api, key]);

  if (loaded.state === 'loading') return <p role="status">Searching owners…</p>;
  if (loaded.state === 'failed')
    return <RefusalMessage problem={loaded.problem} context={{ forbidden: 'Owners are shown to admins, SOC analysts and reviewers.' }} />;
  const { owners, complete } = loaded.value;
  return (
    <div aria-live="polite">
      <p role="status" className="result-count">
        {owners.length === 0 ? 'No owner matches this search.' : `${owners.length} owner${owners.length === 1 ? '' : 's'} found.`}
        {!complete && ` Only the first ${(OWNER_PAGE * OWNER_PAGES).toLocaleString('en')} owners were searched: add a status to narrow it.`}
      </p>
      {owners.length > 0 && (
        <table>
          <caption className="visually-hidden">Owners matching the search</caption>
          <thead>
            <tr>
              <th scope="col">Owner</th>
              <th scope="col">Email</th>
              <th scope="col">Team</th>
              <th scope="col">Status</th>
              <th scope="col">Owner id</th>
            </tr>
          </thead>
          <tbody>
            {owners.slice(0, SHOWN).map((owner) => (
              <tr key={owner.id}>
                <th scope="row">
                  <Link to={`/owners/${encodeURIComponent(owner.id)}`}>{owner.displayName ?? owner.email ?? owner.id}</Link>
                </th>
                <td>{owner.email ?? '—'}</td>
                <td>{owner.team ?? '—'}</td>
                <td>
                  <StatusBadge status={owner.status} />
                </td>
                <td className="mono">{owner.id}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {owners.length > SHOWN && <p className="muted">The first {SHOWN} are shown: narrow the search to see the others.</p>}
    </div>
  );
}
