import { agentFiltersFrom, agentListQuery, agentMatchesText, agentSearchAsked, ownerFiltersFrom, searchesOneAgent, searchPath } from './agent-search';

describe('the agent and owner search', () => {
  it('keeps both searches in the page address, and reads them back', () => {
    const path = searchPath(
      { text: ' planner ', status: 'active', riskTier: '', platform: 'langgraph', ownerId: '', orphaned: true },
      { owner: 'ann@example.com', ownerStatus: 'terminated' },
    );
    expect(path).toBe('/agents?q=planner&status=active&platform=langgraph&orphaned=true&owner=ann%40example.com&ownerStatus=terminated');
    const search = new URLSearchParams(path.split('?')[1]);
    expect(agentSearchAsked(search)).toBe(true);
    expect(agentFiltersFrom(search)).toEqual({ text: 'planner', status: 'active', riskTier: '', platform: 'langgraph', ownerId: '', orphaned: true });
    expect(ownerFiltersFrom(search)).toEqual({ owner: 'ann@example.com', ownerStatus: 'terminated' });
    expect(agentSearchAsked(new URLSearchParams('owner=ann'))).toBe(false);
    // An empty agent search is still a search (every agent).
    expect(
      agentSearchAsked(
        new URLSearchParams(searchPath({ text: '', status: '', riskTier: '', platform: '', ownerId: '', orphaned: false }, undefined).split('?')[1]),
      ),
    ).toBe(true);
  });

  it('asks the provisioner for what it filters, and matches the name itself', () => {
    const filters = { text: 'plan', status: 'suspended', riskTier: 'high', platform: '', ownerId: ' ann ', orphaned: false };
    expect(agentListQuery(filters, undefined, 500)).toBe('status=suspended&riskTier=high&ownerId=ann&limit=500');
    expect(agentListQuery(filters, 'abc', 500)).toBe('status=suspended&riskTier=high&ownerId=ann&after=abc&limit=500');
    expect(agentMatchesText({ name: 'Sales Planner', purpose: 'crm-sync' }, 'PLAN')).toBe(true);
    expect(agentMatchesText({ name: 'writer', purpose: 'crm-sync' }, 'crm')).toBe(true);
    expect(agentMatchesText({ name: 'writer', purpose: 'crm-sync' }, 'plan')).toBe(false);
    expect(agentMatchesText({ name: 'writer', purpose: 'x' }, '  ')).toBe(true);
  });

  it('looks an agent id up directly', () => {
    const base = { status: '', riskTier: '', platform: '', ownerId: '', orphaned: false };
    expect(searchesOneAgent({ ...base, text: ' 0A8B6C2E-1D2F-4A5B-8C7D-000000000001 ' })).toBe('0a8b6c2e-1d2f-4a5b-8c7d-000000000001');
    expect(searchesOneAgent({ ...base, text: 'planner' })).toBeUndefined();
  });
});
