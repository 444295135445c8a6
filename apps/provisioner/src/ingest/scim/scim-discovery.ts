import { SCIM_AGENT_ENDPOINT, SCIM_AGENT_EXTENSION_SCHEMA, SCIM_AGENT_SCHEMA } from './scim-agent';
import {
  SCIM_ENTERPRISE_USER_SCHEMA,
  SCIM_LIST_RESPONSE_SCHEMA,
  SCIM_MAX_RESULTS,
  SCIM_RESOURCE_TYPE_SCHEMA,
  SCIM_SCHEMA_SCHEMA,
  SCIM_SERVICE_PROVIDER_CONFIG_SCHEMA,
  SCIM_USER_SCHEMA,
} from './scim.constants';

/**
 * The discovery documents (RFC 7644 §4; RFC 7643 §5-7), describing what this service really does: PATCH yes,
 * filters yes (eq on userName, externalId, id and emails, with and/or/not; at most SCIM_MAX_RESULTS a page),
 * ETags yes (weak, If-Match and If-None-Match), bulk, sort and password changes no; bearer tokens. The User
 * schema lists only the attributes kept; others a client sends are accepted and not stored.
 */
export function serviceProviderConfig(baseUrl: string): Record<string, unknown> {
  return {
    schemas: [SCIM_SERVICE_PROVIDER_CONFIG_SCHEMA],
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: SCIM_MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: 'A JWT bearer token (RFC 6750) issued by the configured issuer, carrying the ingest role',
        specUri: 'https://www.rfc-editor.org/info/rfc6750',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/scim/v2/ServiceProviderConfig` },
  };
}

export function userResourceType(baseUrl: string): Record<string, unknown> {
  return {
    schemas: [SCIM_RESOURCE_TYPE_SCHEMA],
    id: 'User',
    name: 'User',
    endpoint: '/Users',
    description: 'A person accountable for AI agents (an owner in the registry)',
    schema: SCIM_USER_SCHEMA,
    schemaExtensions: [{ schema: SCIM_ENTERPRISE_USER_SCHEMA, required: false }],
    meta: { resourceType: 'ResourceType', location: `${baseUrl}/scim/v2/ResourceTypes/User` },
  };
}

/** The Agent resource type of draft-wzdk-scim-agent-resource-00, with the registry's extension (RFC 7643 §6). */
export function agentResourceType(baseUrl: string): Record<string, unknown> {
  return {
    schemas: [SCIM_RESOURCE_TYPE_SCHEMA],
    id: 'Agent',
    name: 'Agent',
    endpoint: SCIM_AGENT_ENDPOINT,
    description: 'An AI agent in the registry, with the one person accountable for it',
    schema: SCIM_AGENT_SCHEMA,
    schemaExtensions: [{ schema: SCIM_AGENT_EXTENSION_SCHEMA, required: false }],
    meta: { resourceType: 'ResourceType', location: `${baseUrl}/scim/v2/ResourceTypes/Agent` },
  };
}

export function resourceTypes(baseUrl: string): Array<Record<string, unknown>> {
  return [userResourceType(baseUrl), agentResourceType(baseUrl)];
}

type Attribute = Record<string, unknown>;

const attribute = (name: string, description: string, extra: Partial<Attribute> = {}): Attribute => ({
  name,
  type: 'string',
  multiValued: false,
  description,
  required: false,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
  ...extra,
});

const multiValued = (name: string, description: string, what: string): Attribute =>
  attribute(name, description, {
    type: 'complex',
    multiValued: true,
    subAttributes: [
      attribute('value', `The ${what}.`),
      attribute('type', `The ${what}'s type; every one shown is "work".`, { canonicalValues: ['work'] }),
      attribute('primary', `Whether this is the primary ${what}; the one shown always is.`, { type: 'boolean' }),
    ],
  });

const USER_ATTRIBUTES: Attribute[] = [
  attribute('userName', 'Unique among users regardless of case. An owner registered without SCIM shows its email (else its id) until a client sets one.', {
    required: true,
    uniqueness: 'server',
  }),
  attribute('name', "The components of the user's name, kept as sent.", {
    type: 'complex',
    subAttributes: ['formatted', 'familyName', 'givenName', 'middleName', 'honorificPrefix', 'honorificSuffix'].map((part) => attribute(part, `name.${part}.`)),
  }),
  attribute('displayName', "The owner's display name; from name when absent."),
  attribute('active', "Deactivating terminates the owner (or suspends, per SCIM_DEACTIVATE_MEANS), and so offboards the owner's agents.", {
    type: 'boolean',
  }),
  multiValued('emails', 'One email is kept: the primary, else the work one, else the first.', 'email address'),
  multiValued('phoneNumbers', 'One phone number is kept, in E.164 form: the primary, else the work one, else the first.', 'phone number'),
];

const ENTERPRISE_ATTRIBUTES: Attribute[] = [
  attribute('department', "The owner's team."),
  attribute('manager', "The owner's manager, who reviews the agents of an owner who leaves.", {
    type: 'complex',
    subAttributes: [attribute('value', "The manager's owner id.", { caseExact: true })],
  }),
];

const AGENT_ATTRIBUTES: Attribute[] = [
  attribute('agentUserName', 'Unique among agents regardless of case. An agent registered without SCIM shows its id until a client sets one.', {
    uniqueness: 'server',
  }),
  attribute('displayName', "The agent's name in the registry; the agentUserName when a client gives none. agentUserName or displayName is required."),
  attribute('description', "What the agent is for (the registry's purpose)."),
  attribute('active', 'false suspends the agent and its sub-agents, true lifts that suspension only; an agent inactive otherwise shows false.', {
    type: 'boolean',
  }),
  attribute('owners', 'Exactly one User: the person accountable for the agent, who must be active. Required when the agent has no parent.', {
    type: 'complex',
    multiValued: true,
    subAttributes: [
      attribute('value', "The owner's User id.", { caseExact: true }),
      attribute('$ref', "The owner's User resource.", { type: 'reference', referenceTypes: ['User'] }),
      attribute('display', "The owner's display name.", { mutability: 'readOnly' }),
      attribute('type', 'Always "User": a group cannot be accountable.', { canonicalValues: ['User'] }),
    ],
  }),
];

const AGENT_EXTENSION_ATTRIBUTES: Attribute[] = [
  attribute('riskTier', 'How much harm the agent could do; decides its review cadence and reviewer. medium when not given.', {
    canonicalValues: ['low', 'medium', 'high', 'critical'],
  }),
  attribute('scopes', "The OAuth scopes the agent may hold; a sub-agent's are a subset of its parent's.", { multiValued: true, caseExact: true }),
  attribute('platform', 'Where the agent runs; "unspecified" when not given.', { mutability: 'immutable' }),
  attribute('expiresAt', "When the agent expires; a sub-agent's no later than its parent's.", { type: 'dateTime' }),
  attribute('parent', 'The agent this sub-agent acts for; its owner is the default owner.', {
    type: 'complex',
    mutability: 'immutable',
    subAttributes: [
      attribute('value', "The parent Agent's id.", { caseExact: true, mutability: 'immutable' }),
      attribute('$ref', "The parent Agent's resource.", { type: 'reference', referenceTypes: ['Agent'], mutability: 'immutable' }),
    ],
  }),
  attribute('status', "The registry's status of the agent.", { mutability: 'readOnly', canonicalValues: ['active', 'suspended', 'deprovisioned'] }),
];

export function schemas(baseUrl: string): Array<Record<string, unknown>> {
  return [
    {
      schemas: [SCIM_SCHEMA_SCHEMA],
      id: SCIM_USER_SCHEMA,
      name: 'User',
      description: 'User account',
      attributes: USER_ATTRIBUTES,
      meta: { resourceType: 'Schema', location: `${baseUrl}/scim/v2/Schemas/${SCIM_USER_SCHEMA}` },
    },
    {
      schemas: [SCIM_SCHEMA_SCHEMA],
      id: SCIM_ENTERPRISE_USER_SCHEMA,
      name: 'EnterpriseUser',
      description: 'Enterprise user',
      attributes: ENTERPRISE_ATTRIBUTES,
      meta: { resourceType: 'Schema', location: `${baseUrl}/scim/v2/Schemas/${SCIM_ENTERPRISE_USER_SCHEMA}` },
    },
    {
      schemas: [SCIM_SCHEMA_SCHEMA],
      id: SCIM_AGENT_SCHEMA,
      name: 'Agent',
      description: 'AI agent (draft-wzdk-scim-agent-resource-00)',
      attributes: AGENT_ATTRIBUTES,
      meta: { resourceType: 'Schema', location: `${baseUrl}/scim/v2/Schemas/${SCIM_AGENT_SCHEMA}` },
    },
    {
      schemas: [SCIM_SCHEMA_SCHEMA],
      id: SCIM_AGENT_EXTENSION_SCHEMA,
      name: 'AgentRegistry',
      description: "The agent registry's attributes of an agent",
      attributes: AGENT_EXTENSION_ATTRIBUTES,
      meta: { resourceType: 'Schema', location: `${baseUrl}/scim/v2/Schemas/${SCIM_AGENT_EXTENSION_SCHEMA}` },
    },
  ];
}

/** Several discovery resources: a ListResponse, not paginated (RFC 7644 §4). */
export function listOf(resources: Array<Record<string, unknown>>): Record<string, unknown> {
  return { schemas: [SCIM_LIST_RESPONSE_SCHEMA], totalResults: resources.length, itemsPerPage: resources.length, startIndex: 1, Resources: resources };
}
