import { RegistryAgent } from './agent-types';

/** An agent and the sub-agents it delegated to, drawn from its root. */
export interface TreeNode {
  agent: RegistryAgent;
  children: TreeNode[];
}

export interface DelegationTree {
  root: TreeNode;
  /** Agents in the tree. */
  size: number;
  /** Levels below the root (0: the root alone). */
  depth: number;
  /** Every owner of an agent of the tree, once, in the order met. */
  ownerIds: string[];
}

/**
 * The delegation tree under `rootId`, from agents that hold it (an owner's agents with every descendant, as
 * GET /owners/{id}/agents gives them; agents outside the tree are left out). Sub-agents come by name; an agent met
 * twice (a cycle the registry should never hold) is drawn once.
 */
export function buildDelegationTree(rootId: string, agents: readonly RegistryAgent[]): DelegationTree | undefined {
  const byId = new Map(agents.map((a) => [a.id, a]));
  const rootAgent = byId.get(rootId);
  if (!rootAgent) return undefined;
  const childrenOf = new Map<string, RegistryAgent[]>();
  for (const agent of agents) {
    if (!agent.parentAgentId || agent.id === rootId) continue;
    const siblings = childrenOf.get(agent.parentAgentId) ?? [];
    siblings.push(agent);
    childrenOf.set(agent.parentAgentId, siblings);
  }
  const seen = new Set<string>();
  const ownerIds: string[] = [];
  let depth = 0;
  const grow = (agent: RegistryAgent, level: number): TreeNode => {
    seen.add(agent.id);
    if (!ownerIds.includes(agent.ownerId)) ownerIds.push(agent.ownerId);
    depth = Math.max(depth, level);
    const sorted = [...(childrenOf.get(agent.id) ?? [])].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    const children: TreeNode[] = [];
    for (const child of sorted) if (!seen.has(child.id)) children.push(grow(child, level + 1));
    return { agent, children };
  };
  const root = grow(rootAgent, 0);
  return { root, size: seen.size, depth, ownerIds };
}

/** The agents from the root down to `agentId` (the agent's parents, outermost first), or [] when it is not in the tree. */
export function pathTo(tree: DelegationTree, agentId: string): RegistryAgent[] {
  const walk = (node: TreeNode, trail: RegistryAgent[]): RegistryAgent[] | undefined => {
    const here = [...trail, node.agent];
    if (node.agent.id === agentId) return here;
    for (const child of node.children) {
      const found = walk(child, here);
      if (found) return found;
    }
    return undefined;
  };
  return walk(tree.root, []) ?? [];
}

/** The tree in a sentence, for the page and for those who do not see the drawing. */
export function describeTree(tree: DelegationTree, agentId: string): string {
  const path = pathTo(tree, agentId);
  const node = findNode(tree.root, agentId);
  const subAgents = node ? countBelow(node) : 0;
  const parents = path.length - 1;
  const where =
    parents === 0
      ? 'This agent is the root of its delegation tree'
      : `This agent is ${parents} level${parents === 1 ? '' : 's'} below its root, ${tree.root.agent.name}`;
  const below = subAgents === 0 ? 'it has no sub-agent' : `it has ${subAgents} sub-agent${subAgents === 1 ? '' : 's'} below it`;
  return `${where}; ${below}. The tree holds ${tree.size} agent${tree.size === 1 ? '' : 's'} of ${tree.ownerIds.length} owner${tree.ownerIds.length === 1 ? '' : 's'}.`;
}

function findNode(node: TreeNode, agentId: string): TreeNode | undefined {
  if (node.agent.id === agentId) return node;
  for (const child of node.children) {
    const found = findNode(child, agentId);
    if (found) return found;
  }
  return undefined;
}

function countBelow(node: TreeNode): number {
  return node.children.reduce((n, child) => n + 1 + countBelow(child), 0);
}

/**
 * The trees a set of agents makes (an owner's agents with every descendant, as GET /owners/{id}/agents gives them):
 * one for each agent whose parent is not among them, by name.
 */
export function forestOf(agents: readonly RegistryAgent[]): DelegationTree[] {
  const ids = new Set(agents.map((a) => a.id));
  return agents
    .filter((a) => !a.parentAgentId || !ids.has(a.parentAgentId))
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
    .map((root) => buildDelegationTree(root.id, agents))
    .filter((tree): tree is DelegationTree => tree !== undefined);
}
