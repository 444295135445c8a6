import type { ApiClient } from '../api/api-client';

/** An agent as the provisioner's registry shows it. */
export interface AgentView {
  id: string;
  name: string;
  ownerId: string | null;
  parentAgentId: string | null;
  depth: number;
  purpose: string;
  platform: string;
  riskTier: string;
  scopes: string[];
  status: 'active' | 'suspended' | 'deprovisioned';
  statusReason: string | null;
  createdBy: string;
  expiresAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface OwnerView {
  id: string;
  email: string | null;
  displayName: string | null;
  managerId: string | null;
  team: string | null;
  status: 'active' | 'suspended' | 'terminated';
  statusReason: string | null;
  statusChangedAt: string | null;
  createdAt: string;
  identities: Array<{ source: string; externalId: string }>;
}

/** The registry's largest page. */
const PAGE = 1000;

/** Every page of a registry listing that pages with `after` (the last id of the previous page). */
async function allPages(api: ApiClient, path: string, query: Record<string, string> = {}): Promise<AgentView[]> {
  const agents: AgentView[] = [];
  let after: string | undefined;
  do {
    const page = await api.call<{ items: AgentView[]; nextAfter: string | null }>('provisioner', path, { query: { ...query, limit: PAGE, after } });
    agents.push(...page.items);
    after = page.nextAfter ?? undefined;
  } while (after);
  return agents;
}

/** Every agent the owner is accountable for, with all their sub-agents. */
export function agentsOfOwner(api: ApiClient, ownerId: string): Promise<AgentView[]> {
  return allPages(api, `/owners/${encodeURIComponent(ownerId)}/agents`);
}

/** The direct sub-agents of an agent. */
export function childrenOf(api: ApiClient, agentId: string): Promise<AgentView[]> {
  return allPages(api, '/agents', { parentAgentId: agentId });
}

export function agent(api: ApiClient, id: string): Promise<AgentView> {
  return api.call<AgentView>('provisioner', `/agents/${encodeURIComponent(id)}`);
}

export function owner(api: ApiClient, id: string): Promise<OwnerView> {
  return api.call<OwnerView>('provisioner', `/owners/${encodeURIComponent(id)}`);
}
