import type { CommandSpec } from '../command';
import { count, drawTree, fields, table, TreeNode, when } from '../output/text';
import { agent, AgentView, childrenOf } from './registry-api';

const STATUSES = ['active', 'suspended', 'deprovisioned'] as const;
const TIERS = ['low', 'medium', 'high', 'critical'] as const;

function agentRows(agents: readonly AgentView[]) {
  return table(
    ['ID', 'NAME', 'OWNER', 'TIER', 'STATUS', 'PLATFORM', 'PARENT'],
    agents.map((a) => [a.id, a.name, a.ownerId, a.riskTier, a.status, a.platform, a.parentAgentId]),
  );
}

const list: CommandSpec = {
  name: ['agents', 'list'],
  summary: 'list registered agents, filtered by owner, status, tier, platform or parent',
  description: 'One page at a time (--limit, default 50); the next page starts --after the last id shown.',
  options: {
    owner: { kind: 'value', value: 'OWNER_ID', description: 'only the agents of this owner' },
    status: { kind: 'value', value: 'STATUS', description: `only agents in this status (${STATUSES.join(', ')})` },
    tier: { kind: 'value', value: 'TIER', description: `only agents of this risk tier (${TIERS.join(', ')})` },
    platform: { kind: 'value', value: 'NAME', description: 'only agents on this platform' },
    parent: { kind: 'value', value: 'AGENT_ID', description: 'only the direct sub-agents of this agent' },
    orphaned: { kind: 'flag', description: 'only agents whose owner is gone' },
    limit: { kind: 'value', value: 'N', description: 'agents per page, 1 to 1000 (default 50)' },
    after: { kind: 'value', value: 'AGENT_ID', description: 'the page after this agent (the last id of the previous page)' },
  },
  examples: ['agentgov agents list --status active --tier critical', 'agentgov agents list --owner alice@example.com --json'],
  async run({ api }, args) {
    const page = await api.call<{ items: AgentView[]; nextAfter: string | null }>('provisioner', '/agents', {
      query: {
        ownerId: args.value('owner'),
        status: args.choice('status', STATUSES),
        riskTier: args.choice('tier', TIERS),
        platform: args.value('platform'),
        parentAgentId: args.value('parent'),
        orphaned: args.flag('orphaned') ? 'true' : undefined,
        limit: args.integer('limit', { min: 1, max: 1000 }) ?? 50,
        after: args.value('after'),
      },
    });
    const more = page.nextAfter ? `\nmore: add --after ${page.nextAfter}` : '';
    return { data: page, text: page.items.length ? `${agentRows(page.items)}${more}` : 'no agents match' };
  },
};

const show: CommandSpec = {
  name: ['agents', 'show'],
  summary: 'one agent: its owner, parent, scopes, status and expiry',
  positionals: [{ name: 'id', description: 'the agent id' }],
  async run({ api }, args) {
    const a = await agent(api, args.requiredPositional('id'));
    return {
      data: a,
      text: fields([
        ['id', a.id],
        ['name', a.name],
        ['status', a.statusReason ? `${a.status} (${a.statusReason})` : a.status],
        ['owner', a.ownerId],
        ['parent', a.parentAgentId],
        ['depth', a.depth],
        ['risk tier', a.riskTier],
        ['purpose', a.purpose],
        ['platform', a.platform],
        ['scopes', a.scopes.join(' ')],
        ['expires', when(a.expiresAt) ?? 'never'],
        ['created', `${when(a.createdAt)} by ${a.createdBy}`],
        ['updated', when(a.updatedAt)],
      ]),
    };
  },
};

interface TreeData extends AgentView {
  children: TreeData[];
}

const tree: CommandSpec = {
  name: ['agents', 'tree'],
  summary: 'the delegation tree an agent belongs to: its parents up to the top, and every sub-agent, with their owners',
  positionals: [{ name: 'id', description: 'the agent id' }],
  examples: ['agentgov agents tree 5f0c...', 'agentgov agents tree 5f0c... --json'],
  async run({ api }, args) {
    const asked = await agent(api, args.requiredPositional('id'));
    let top = asked;
    const seen = new Set([asked.id]);
    while (top.parentAgentId && !seen.has(top.parentAgentId)) {
      seen.add(top.parentAgentId);
      top = await agent(api, top.parentAgentId);
    }
    const grow = async (a: AgentView, path: ReadonlySet<string>): Promise<TreeData> => {
      const children = (await childrenOf(api, a.id)).filter((c) => !path.has(c.id));
      const inPath = new Set([...path, a.id]);
      return { ...a, children: await Promise.all(children.map((c) => grow(c, inPath))) };
    };
    const root = await grow(top, new Set());
    const label = (a: TreeData): TreeNode => ({
      label: `${a.name} ${a.id} [${a.status}, ${a.riskTier}] owner ${a.ownerId ?? '-'}${a.id === asked.id ? '  <- this agent' : ''}`,
      children: a.children.map(label),
    });
    const size = (a: TreeData): number => 1 + a.children.reduce((n, c) => n + size(c), 0);
    return { data: { agentId: asked.id, root }, text: `${drawTree(label(root))}\n${count(size(root), 'agent')} in this tree` };
  },
};

const baseline: CommandSpec = {
  name: ['agents', 'baseline'],
  summary: 'what the behavior-baseliner has learnt is normal for an agent, its open anomaly episode and latest scores',
  positionals: [{ name: 'id', description: 'the agent id (as its activity names it)' }],
  async run({ api }, args) {
    const b = await api.call('baseliner', `/agents/${encodeURIComponent(args.requiredPositional('id'))}/baseline`);
    const recent = (b.recentScores as Array<{ at: string; score: number }>).slice(-5);
    return {
      data: b,
      text: [
        fields([
          ['agent', b.agentId],
          ['registered', b.registered ? `yes (${b.riskTier}, owner ${b.ownerId}, ${b.status})` : 'no'],
          ['events learnt', b.eventsLearnt],
          ['warm', b.warm ? 'yes' : 'no (still learning: scores are held back)'],
          ['actions / 10 min', b.baseline.actionsPer10Minutes],
          ['records / 10 min', b.baseline.recordsPer10Minutes],
          ['denied share', b.baseline.deniedShare],
          ['active hours (UTC)', (b.baseline.activeHoursUtc as number[]).join(' ')],
          ['open episode', b.episode ? `${b.episode.id} since ${when(b.episode.startedAt)}, peak score ${b.episode.peakScore}` : 'none'],
          ['as of', when(b.checkpointedAt)],
        ]),
        ...(recent.length
          ? [
              '',
              'latest scores:',
              table(
                ['AT', 'SCORE'],
                recent.map((r) => [when(r.at), r.score.toFixed(4)]),
              ),
            ]
          : []),
      ].join('\n'),
    };
  },
};

export const AGENT_COMMANDS: readonly CommandSpec[] = [list, show, tree, baseline];
