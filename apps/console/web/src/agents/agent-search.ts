import { isAgentId, RegistryAgent } from './agent-types';

/** The agent search, as kept in the page's address (a search can be linked and reloaded). */
export interface AgentFilters {
  /** A name (or part of one), or an agent id. */
  text: string;
  status: string;
  riskTier: string;
  platform: string;
  ownerId: string;
  /** Only live agents whose owner is no longer active. */
  orphaned: boolean;
}

/** The owner search: an id, an email, or part of a name or email. */
export interface OwnerFilters {
  owner: string;
  ownerStatus: string;
}

export function agentFiltersFrom(search: URLSearchParams): AgentFilters {
  return {
    text: search.get('q') ?? '',
    status: search.get('status') ?? '',
    riskTier: search.get('riskTier') ?? '',
    platform: search.get('platform') ?? '',
    ownerId: search.get('ownerId') ?? '',
    orphaned: search.get('orphaned') === 'true',
  };
}

export function ownerFiltersFrom(search: URLSearchParams): OwnerFilters {
  return { owner: search.get('owner') ?? '', ownerStatus: search.get('ownerStatus') ?? '' };
}

/** Whether the address asks for an agent search at all (the page lists nothing before one). */
export function agentSearchAsked(search: URLSearchParams): boolean {
  return ['q', 'status', 'riskTier', 'platform', 'ownerId', 'orphaned'].some((key) => search.has(key));
}

/** The page's address for both searches. */
export function searchPath(agents: AgentFilters | undefined, owners: OwnerFilters | undefined): string {
  const search = new URLSearchParams();
  if (agents) {
    search.set('q', agents.text.trim());
    for (const key of ['status', 'riskTier', 'platform', 'ownerId'] as const) if (agents[key].trim()) search.set(key, agents[key].trim());
    if (agents.orphaned) search.set('orphaned', 'true');
  }
  if (owners?.owner.trim()) search.set('owner', owners.owner.trim());
  if (owners?.ownerStatus) search.set('ownerStatus', owners.ownerStatus);
  return `/agents?${search.toString()}`;
}

/**
 * The provisioner's list query for these filters (GET /agents): everything but the name, which the provisioner does
 * not search (the console matches it in the pages it reads).
 */
export function agentListQuery(filters: AgentFilters, after: string | undefined, limit: number): string {
  const search = new URLSearchParams();
  if (filters.status) search.set('status', filters.status);
  if (filters.riskTier) search.set('riskTier', filters.riskTier);
  if (filters.platform.trim()) search.set('platform', filters.platform.trim());
  if (filters.ownerId.trim()) search.set('ownerId', filters.ownerId.trim());
  if (filters.orphaned) search.set('orphaned', 'true');
  if (after) search.set('after', after);
  search.set('limit', String(limit));
  return search.toString();
}

/** An agent id is looked up directly; anything else is a name to match. */
export function searchesOneAgent(filters: AgentFilters): string | undefined {
  return isAgentId(filters.text) ? filters.text.trim().toLowerCase() : undefined;
}

/** Whether the agent's name (or purpose) holds the text, whatever the case. */
export function agentMatchesText(agent: Pick<RegistryAgent, 'name' | 'purpose'>, text: string): boolean {
  const wanted = text.trim().toLowerCase();
  if (!wanted) return true;
  return agent.name.toLowerCase().includes(wanted) || (agent.purpose ?? '').toLowerCase().includes(wanted);
}
