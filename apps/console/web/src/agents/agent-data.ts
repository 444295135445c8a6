import { ApiClient } from '../api/api-client';
import { gatherPages } from '../common/paging';
import { AgentPage, RegistryAgent } from './agent-types';
import { buildDelegationTree, DelegationTree } from './delegation-tree';

/** Delegation is at most this deep in the registry; a longer chain would be a loop. */
const MAX_CHAIN = 32;
const TREE_PAGE = 1000;
const TREE_PAGES = 10;

export interface AgentTree {
  tree: DelegationTree;
  /** The agent's parents, nearest first. */
  parents: RegistryAgent[];
  /** False when the tree had more agents than were read: it is drawn from the first ones. */
  complete: boolean;
}

/**
 * The agent's whole delegation tree: up its parentAgentId chain to the root, then the root owner's agents with every
 * descendant (GET /owners/{id}/agents gives sub-agents whoever owns them), which holds the root's whole tree.
 */
export async function loadAgentTree(api: ApiClient, agent: RegistryAgent): Promise<AgentTree> {
  const parents: RegistryAgent[] = [];
  let top = agent;
  while (top.parentAgentId && parents.length < MAX_CHAIN) {
    top = await api.get<RegistryAgent>('provisioner', `/agents/${top.parentAgentId}`);
    parents.push(top);
  }
  const pages = await gatherPages(async (after) => {
    const query = new URLSearchParams({ limit: String(TREE_PAGE), ...(after ? { after } : {}) });
    const page = await api.get<AgentPage>('provisioner', `/owners/${encodeURIComponent(top.ownerId)}/agents?${query.toString()}`);
    return { items: page.items, next: page.nextAfter };
  }, TREE_PAGES);
  // The chain is known for certain even when the tree was cut short.
  const agents = new Map([...pages.items, agent, ...parents].map((a) => [a.id, a]));
  const tree = buildDelegationTree(top.id, [...agents.values()]) as DelegationTree;
  return { tree, parents, complete: pages.complete };
}
