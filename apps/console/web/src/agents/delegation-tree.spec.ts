import { RegistryAgent } from './agent-types';
import { buildDelegationTree, describeTree, forestOf, pathTo } from './delegation-tree';

let n = 0;
function agent(name: string, parent: RegistryAgent | null, ownerId = 'ann'): RegistryAgent {
  n += 1;
  const id = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  return {
    id,
    name,
    ownerId,
    parentAgentId: parent?.id ?? null,
    depth: parent ? parent.depth + 1 : 0,
    purpose: 'crm-sync',
    platform: 'langgraph',
    riskTier: 'high',
    scopes: ['crm.read'],
    status: 'active',
    statusReason: null,
    expiresAt: null,
    createdBy: 'alice',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
}

describe('the delegation tree of an agent', () => {
  const root = agent('planner', null);
  const writer = agent('writer', root);
  const researcher = agent('researcher', root, 'bob');
  const fetcher = agent('fetcher', researcher, 'carol');
  const elsewhere = agent('other root', null);
  const all = [fetcher, elsewhere, writer, root, researcher];

  it('grows from the root, sub-agents by name, leaving agents of other trees out', () => {
    const tree = buildDelegationTree(root.id, all);
    expect(tree).toBeDefined();
    const shape = (node: NonNullable<typeof tree>['root']): unknown => [node.agent.name, node.children.map(shape)];
    expect(shape(tree!.root)).toEqual([
      'planner',
      [
        ['researcher', [['fetcher', []]]],
        ['writer', []],
      ],
    ]);
    expect(tree).toMatchObject({ size: 4, depth: 2, ownerIds: ['ann', 'bob', 'carol'] });
  });

  it('finds the path from the root to an agent, and says where the agent stands', () => {
    const tree = buildDelegationTree(root.id, all)!;
    expect(pathTo(tree, fetcher.id).map((a) => a.name)).toEqual(['planner', 'researcher', 'fetcher']);
    expect(pathTo(tree, elsewhere.id)).toEqual([]);
    expect(describeTree(tree, fetcher.id)).toBe('This agent is 2 levels below its root, planner; it has no sub-agent. The tree holds 4 agents of 3 owners.');
    expect(describeTree(tree, root.id)).toBe(
      'This agent is the root of its delegation tree; it has 3 sub-agents below it. The tree holds 4 agents of 3 owners.',
    );
  });

  it('is undefined without its root, and draws an agent met twice once (a cycle the registry should never hold)', () => {
    expect(buildDelegationTree('00000000-0000-4000-8000-999999999999', all)).toBeUndefined();
    const a = agent('a', null);
    const b = agent('b', a);
    const looped = { ...a, parentAgentId: b.id };
    const tree = buildDelegationTree(a.id, [looped, b])!;
    expect(tree.size).toBe(2);
    expect(tree.root.children.map((c) => c.agent.name)).toEqual(['b']);
    expect(tree.root.children[0].children).toEqual([]);
  });

  it('splits an owner’s agents into one tree per root', () => {
    const forest = forestOf([writer, elsewhere, root, researcher]);
    expect(forest.map((t) => [t.root.agent.name, t.size])).toEqual([
      ['other root', 1],
      ['planner', 3],
    ]);
    // A sub-agent whose parent the list does not hold (another owner's agent) roots its own tree.
    expect(forestOf([fetcher]).map((t) => t.root.agent.name)).toEqual(['fetcher']);
  });
});
