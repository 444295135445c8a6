import { AgentRecord } from '../../agents/agent-record';
import {
  parseScimAgent,
  renderScimAgent,
  SCIM_AGENT_EXTENSION_SCHEMA,
  SCIM_AGENT_NO_DESCRIPTION,
  SCIM_AGENT_SCHEMA,
  ScimAgentRecord,
  selectAgentAttributes,
} from './scim-agent';
import { parseAttributeSelection } from './scim-attribute-selection';
import { ScimError } from './scim.errors';

const OWNER = 'owner-1';
const ID = '0b9f7a3e-3c4f-4b7e-9d55-6c1a2b3c4d5e';
const PARENT = '11111111-2222-4333-8444-555555555555';

function refusal(body: unknown): ScimError {
  try {
    parseScimAgent(body);
  } catch (error) {
    return error as ScimError;
  }
  throw new Error('not refused');
}

const agent = (extra: Record<string, unknown> = {}) => ({
  schemas: [SCIM_AGENT_SCHEMA],
  externalId: 'agent-42',
  agentUserName: 'support-agent',
  displayName: 'Support Agent',
  active: true,
  owners: [{ value: OWNER, $ref: `https://scim.example/scim/v2/Users/${OWNER}`, type: 'User' }],
  ...extra,
});

describe('the SCIM Agent a client sends', () => {
  it("reads the draft's attributes and the owner its owners reference names", () => {
    expect(parseScimAgent(agent({ description: 'Answers tickets' }))).toEqual({
      agentUserName: 'support-agent',
      displayName: 'Support Agent',
      description: 'Answers tickets',
      externalId: 'agent-42',
      active: true,
      ownerId: OWNER,
      extension: {},
    });
  });

  it.each([
    ['a value alone', [{ value: OWNER }]],
    ['an absolute $ref alone', [{ $ref: `https://scim.example/scim/v2/Users/${OWNER}` }]],
    ['a relative $ref', [{ $ref: `../Users/${OWNER}`, display: 'Jane' }]],
    ['an escaped $ref', [{ $ref: `/scim/v2/Users/${encodeURIComponent(OWNER)}/` }]],
    ['the same user twice', [{ value: OWNER }, { $ref: `../Users/${OWNER}`, type: 'user' }]],
    ['one object, as some clients send it', { value: OWNER }],
  ])('resolves the owner from %s', (_how, owners) => {
    expect(parseScimAgent(agent({ owners })).ownerId).toBe(OWNER);
  });

  it('takes the registry attributes from its extension, and leaves out those not sent', () => {
    const parsed = parseScimAgent(
      agent({
        [SCIM_AGENT_EXTENSION_SCHEMA]: {
          riskTier: 'High',
          scopes: ['crm.read', { value: 'crm.write' }, 'crm.read'],
          platform: 'langgraph',
          expiresAt: '2030-01-01T00:00:00Z',
          parent: { value: PARENT },
          status: 'active',
        },
      }),
    );
    expect(parsed.extension).toEqual({
      riskTier: 'high',
      scopes: ['crm.read', 'crm.write'],
      platform: 'langgraph',
      expiresAt: '2030-01-01T00:00:00.000Z',
      parentId: PARENT,
    });
    expect(parseScimAgent(agent({ owners: undefined })).ownerId).toBeUndefined();
    expect(parseScimAgent(agent({ agentUserName: undefined })).agentUserName).toBeNull();
  });

  it.each([
    ['another schema', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'] }, 'invalidSyntax'],
    ['no name at all', { agentUserName: null, displayName: '' }, 'invalidValue'],
    ['a Group as owner', { owners: [{ value: 'g-1', type: 'Group' }] }, 'invalidValue'],
    ['a $ref to a Group', { owners: [{ $ref: '../Groups/g-1' }] }, 'invalidValue'],
    ['a $ref to something else', { owners: [{ $ref: 'https://elsewhere.example/people/1' }] }, 'invalidValue'],
    ['value and $ref naming two users', { owners: [{ value: OWNER, $ref: '../Users/someone-else' }] }, 'invalidValue'],
    ['two owners', { owners: [{ value: OWNER }, { value: 'owner-2' }] }, 'invalidValue'],
    ['no owner', { owners: [] }, 'invalidValue'],
    ['an owner without value or $ref', { owners: [{ display: 'Jane' }] }, 'invalidValue'],
    ['an unknown risk tier', { [SCIM_AGENT_EXTENSION_SCHEMA]: { riskTier: 'extreme' } }, 'invalidValue'],
    ['a scope with a space', { [SCIM_AGENT_EXTENSION_SCHEMA]: { scopes: ['a b'] } }, 'invalidValue'],
    ['an expiry that is no date-time', { [SCIM_AGENT_EXTENSION_SCHEMA]: { expiresAt: 'tomorrow' } }, 'invalidValue'],
    ['a parent that is no agent id', { [SCIM_AGENT_EXTENSION_SCHEMA]: { parent: { value: 'MARKER' } } }, 'invalidValue'],
    ['an active that is no boolean', { active: 'yes' }, 'invalidValue'],
  ])('refuses %s in SCIM terms, without repeating it', (_why, extra, scimType) => {
    const error = refusal(agent({ ...extra }));
    expect(error).toBeInstanceOf(ScimError);
    expect(error).toMatchObject({ status: 400, scimType });
    expect(error.detail).not.toMatch(/MARKER|someone-else|extreme|g-1/);
  });
});

const record = (extra: Partial<AgentRecord> = {}): ScimAgentRecord => ({
  agent: {
    id: ID,
    name: 'Support Agent',
    ownerId: OWNER,
    parentId: PARENT,
    depth: 1,
    purpose: SCIM_AGENT_NO_DESCRIPTION,
    platform: 'unspecified',
    riskTier: 'medium',
    scopes: ['crm.read'],
    status: 'suspended',
    statusReason: 'contained',
    statusCause: 'contained:incident-1',
    createdBy: 'entra',
    expiresAt: null,
    tokensNotBefore: null,
    secretRotatedAt: new Date('2026-01-01T00:00:00Z'),
    createdAt: new Date('2026-01-01T00:00:00Z'),
    updatedAt: new Date('2026-01-02T00:00:00Z'),
    ...extra,
  },
  attributes: { agentUserName: null, externalId: null, updatedAt: new Date('2026-01-03T00:00:00Z') },
  ownerDisplayName: null,
});

describe('the SCIM Agent the registry shows', () => {
  it('shows the registry agent: its id as agentUserName when none was given, no placeholder description, inactive unless active', () => {
    const shown = renderScimAgent(record(), 'https://a.example');
    expect(shown).toEqual({
      schemas: [SCIM_AGENT_SCHEMA, SCIM_AGENT_EXTENSION_SCHEMA],
      id: ID,
      agentUserName: ID,
      displayName: 'Support Agent',
      active: false,
      owners: [{ value: OWNER, $ref: `https://a.example/scim/v2/Users/${OWNER}`, type: 'User' }],
      [SCIM_AGENT_EXTENSION_SCHEMA]: {
        riskTier: 'medium',
        scopes: ['crm.read'],
        platform: 'unspecified',
        status: 'suspended',
        parent: { value: PARENT, $ref: `https://a.example/scim/v2/Agents/${PARENT}` },
      },
      meta: {
        resourceType: 'Agent',
        created: '2026-01-01T00:00:00.000Z',
        lastModified: '2026-01-03T00:00:00.000Z',
        location: `https://a.example/scim/v2/Agents/${ID}`,
        version: expect.stringMatching(/^W\/"[\w-]{22}"$/),
      },
    });
    expect(JSON.stringify(shown)).not.toContain('contained');
  });

  it('has one version whichever host it is read from, and another once it changes', () => {
    const version = renderScimAgent(record(), 'https://a.example').meta.version;
    expect(renderScimAgent(record(), 'http://b.internal:3001').meta.version).toBe(version);
    expect(renderScimAgent(record({ name: 'Renamed' }), 'https://a.example').meta.version).not.toBe(version);
  });

  it('answers attributes and excludedAttributes with the Agent core schema URN optional and the Agent schema listed', () => {
    const shown = renderScimAgent(record({ status: 'active' }), 'https://a.example');
    const select = (attributes?: string, excluded?: string) => selectAgentAttributes(shown, parseAttributeSelection(attributes, excluded));

    expect(select('displayName,urn:ietf:params:scim:schemas:core:2.0:Agent:active')).toEqual({
      schemas: [SCIM_AGENT_SCHEMA],
      id: ID,
      displayName: 'Support Agent',
      active: true,
    });
    expect(select(`owners.value,${SCIM_AGENT_EXTENSION_SCHEMA}:riskTier`)).toEqual({
      schemas: [SCIM_AGENT_SCHEMA, SCIM_AGENT_EXTENSION_SCHEMA],
      id: ID,
      owners: [{ value: OWNER }],
      [SCIM_AGENT_EXTENSION_SCHEMA]: { riskTier: 'medium' },
    });
    expect(Object.keys(select(SCIM_AGENT_SCHEMA))).toEqual(['schemas', 'id', 'agentUserName', 'displayName', 'active', 'owners', 'meta']);
    expect(select(SCIM_AGENT_EXTENSION_SCHEMA)).toEqual({
      schemas: [SCIM_AGENT_SCHEMA, SCIM_AGENT_EXTENSION_SCHEMA],
      id: ID,
      [SCIM_AGENT_EXTENSION_SCHEMA]: shown[SCIM_AGENT_EXTENSION_SCHEMA],
    });
    expect(Object.keys(select(undefined, `${SCIM_AGENT_EXTENSION_SCHEMA},meta,id`))).toEqual([
      'schemas',
      'id',
      'agentUserName',
      'displayName',
      'active',
      'owners',
    ]);
    expect(Object.keys(select(undefined, SCIM_AGENT_SCHEMA))).toEqual(['schemas', 'id', SCIM_AGENT_EXTENSION_SCHEMA]);
    expect(select()).toBe(shown);
  });
});
