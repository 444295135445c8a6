import { parseScimAgentFilter, ScimAgentFilter } from './scim-agent-filter';
import { agentFilterSql } from './scim-agents.repository';
import { ScimError } from './scim.errors';

type Attribute = 'id' | 'agentUserName' | 'displayName' | 'externalId' | 'owner';
const eq = (attribute: Attribute, value: string): ScimAgentFilter => ({ op: 'eq', attribute, value });
const ID = '0b9f7a3e-3c4f-4b7e-9d55-6c1a2b3c4d5e';

describe('SCIM Agent filters', () => {
  it.each<[string, ScimAgentFilter]>([
    ['displayName eq "Helpdesk bot"', eq('displayName', 'Helpdesk bot')],
    ['externalId eq "8ccc535b-716d-4d32-b3e9-57c8be449c82"', eq('externalId', '8ccc535b-716d-4d32-b3e9-57c8be449c82')],
    ['AGENTUSERNAME EQ "helpdesk"', eq('agentUserName', 'helpdesk')],
    ['urn:ietf:params:scim:schemas:core:2.0:Agent:displayName eq "a"', eq('displayName', 'a')],
    [`id eq "${ID}"`, eq('id', ID)],
    ['owners.value eq "owner-1"', eq('owner', 'owner-1')],
    ['owners eq "owner-1"', eq('owner', 'owner-1')],
    ['owners[value eq "owner-1"]', eq('owner', 'owner-1')],
    ['owners[type eq "User"].value eq "owner-1"', { op: 'and', left: { op: 'constant', value: true }, right: eq('owner', 'owner-1') }],
    ['owners[type eq "Group" and value eq "g"]', { op: 'and', left: { op: 'constant', value: false }, right: eq('owner', 'g') }],
    [
      'displayName eq "a" or externalId eq "b" and not (owners.value eq "c")',
      { op: 'or', left: eq('displayName', 'a'), right: { op: 'and', left: eq('externalId', 'b'), right: { op: 'not', filter: eq('owner', 'c') } } },
    ],
  ])('reads %s', (filter, parsed) => {
    expect(parseScimAgentFilter(filter)).toEqual(parsed);
  });

  it.each([
    ['another operator', 'displayName sw "x"'],
    ['an attribute not supported', 'description eq "x"'],
    ['an extension attribute', 'urn:agentgov:params:scim:schemas:extension:agent:2.0:Agent:riskTier eq "x"'],
    ['a User attribute', 'userName eq "x"'],
    ['an owners sub-attribute not supported', 'owners.display eq "x"'],
    ['a bracket on a single-valued attribute', 'displayName[value eq "x"]'],
    ['an unclosed bracket', 'owners[value eq "x"'],
    ['a number', 'displayName eq 42'],
  ])('refuses %s with invalidFilter, without repeating it', (_name, filter) => {
    let error: unknown;
    try {
      parseScimAgentFilter(filter);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScimError);
    expect(error).toMatchObject({ status: 400, scimType: 'invalidFilter' });
    expect((error as ScimError).detail).not.toMatch(/"x|riskTier|description|userName/);
  });

  it('compiles to SQL with every value bound as a parameter, and an id that is no agent id matching nothing', () => {
    const params: unknown[] = [];
    const sql = agentFilterSql(parseScimAgentFilter(`displayName eq "x'; DROP TABLE agents; --" or not (owners.value eq "b") or id eq "nope"`)!, params);
    expect(params).toEqual([`x'; DROP TABLE agents; --`, 'b']);
    expect(sql).not.toContain('DROP');
    expect(sql).toContain('(NOT (a."owner_id" = $2))');
    expect(sql).toContain('FALSE');
  });

  it("compares agentUserName with the client's one, and with the id of an agent that has none", () => {
    const params: unknown[] = [];
    expect(agentFilterSql(eq('agentUserName', ID), params)).toContain(`a."id" = $1::uuid`);
    expect(agentFilterSql(eq('agentUserName', 'helpdesk'), [])).not.toContain('a."id"');
  });
});
