import { AgentStatus, RiskTier } from '@agentgov/contracts';

import { AgentRecord } from '../../agents/agent-record';
import { ScimAttributeSelection, selectAttributes } from './scim-attribute-selection';
import { isObject, member, scimBoolean, scimString } from './scim-attributes';
import { scimVersionOf } from './scim-request';
import { ScimError } from './scim.errors';

/*
 * The SCIM Agent resource of draft-wzdk-scim-agent-resource-00 ("AI Agent Resource Extension for SCIM", Wahl,
 * Zollner, Dingle, Kazzouzi; June 2026), the draft that converges Microsoft's draft-wahl-scim-agent-schema and
 * Okta's draft-abbey-scim-agent-extension. Its Abstract: a platform-neutral schema for AI agents' identities,
 * "transferred using the SCIM protocol between a client and service provider", which "establishes an agentic
 * identity so that an agent can subsequently be authenticated and authorized to interact with the service".
 *
 * What is implemented of it: the resource type "Agent" at /Agents, schema
 * urn:ietf:params:scim:schemas:core:2.0:Agent, with the common attributes (id, externalId, meta: RFC 7643 §3.1)
 * and agentUserName, displayName, description, active and owners (value, $ref, display, type). To be checked
 * against the text of -00 (not at hand when this was written: the names are those implementations citing -00 use)
 * and the two drafts it converges (draft-abbey-scim-agent-extension-00, "Agent Core Schema": name
 * REQUIRED, displayName defaulting to it, active, description, owners of User or Group with value/$ref/display,
 * parent, applications; draft-wahl-scim-agent-schema-01: displayName, active, description, owners with value and
 * type). What the registry needs and the draft does not define (risk tier, scopes, platform, expiry, the parent of
 * a sub-agent, the registry's status) is the extension SCIM_AGENT_EXTENSION_SCHEMA (RFC 7643 §3.3).
 */

export const SCIM_AGENT_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Agent';
export const SCIM_AGENT_EXTENSION_SCHEMA = 'urn:agentgov:params:scim:schemas:extension:agent:2.0:Agent';
export const SCIM_AGENT_ENDPOINT = '/Agents';

/** The registry requires a purpose; an agent a client describes with nothing gets this one, and shows no description. */
export const SCIM_AGENT_NO_DESCRIPTION = 'Provisioned over SCIM without a description';
/** The registry's platform of an agent whose client names none (the draft defines no platform). */
export const SCIM_AGENT_DEFAULT_PLATFORM = 'unspecified';
/** The risk tier of an agent whose client does not classify it: reviewed at the usual cadence, never exempted. */
export const SCIM_AGENT_DEFAULT_RISK_TIER: RiskTier = 'medium';

export const RISK_TIERS: readonly RiskTier[] = ['low', 'medium', 'high', 'critical'];
const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]{1,256}$/;
const MAX_SCOPES = 256;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** Our extension as a client sends it; each attribute undefined when not asserted (RFC 7644 §3.5.1). */
export interface ScimAgentExtensionInput {
  riskTier?: RiskTier;
  scopes?: string[];
  platform?: string;
  /** null: no expiry. */
  expiresAt?: string | null;
  /** The parent agent's id; null: a top-level agent. */
  parentId?: string | null;
}

/** An Agent as a client sends it in POST or PUT, reduced to what is kept. */
export interface ScimAgentInput {
  /** Complete, as PUT replaces the resource: null when absent. */
  agentUserName: string | null;
  displayName: string | null;
  description: string | null;
  externalId: string | null;
  active?: boolean;
  /** The owner the `owners` reference names; undefined when the client sent no owners. */
  ownerId?: string;
  extension: ScimAgentExtensionInput;
}

export function parseScimAgent(body: unknown): ScimAgentInput {
  if (!isObject(body)) throw ScimError.invalidSyntax('The body must be a JSON object (a SCIM Agent)');
  const schemas = member(body, 'schemas');
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === SCIM_AGENT_SCHEMA.toLowerCase())) {
    throw ScimError.invalidSyntax(`schemas must contain ${SCIM_AGENT_SCHEMA}`);
  }
  const agentUserName = optionalString(member(body, 'agentUserName'), 'agentUserName', 200);
  const displayName = optionalString(member(body, 'displayName'), 'displayName', 200);
  if (agentUserName === null && displayName === null) {
    throw ScimError.invalidValue('agentUserName or displayName is required: every agent in the registry has a name');
  }
  const rawActive = member(body, 'active');
  const owners = member(body, 'owners');
  const extension = member(body, SCIM_AGENT_EXTENSION_SCHEMA);
  if (extension !== undefined && extension !== null && !isObject(extension)) throw ScimError.invalidValue(`${SCIM_AGENT_EXTENSION_SCHEMA} must be an object`);
  return {
    agentUserName,
    displayName,
    description: optionalString(member(body, 'description'), 'description', 2000),
    externalId: optionalString(member(body, 'externalId'), 'externalId', 256),
    ...(rawActive === undefined || rawActive === null ? {} : { active: scimBoolean(rawActive, 'active') }),
    ...(owners === undefined ? {} : { ownerId: ownerIdOf(owners) }),
    extension: isObject(extension) ? parseExtension(extension) : {},
  };
}

/** Every attribute of our extension a client sent (readOnly `status` is not among them: RFC 7644 §3.5.1 ignores it). */
export function parseExtension(extension: Record<string, unknown>): ScimAgentExtensionInput {
  const parsed: ScimAgentExtensionInput = {};
  for (const [key, value] of Object.entries(extension)) {
    const attribute = key.toLowerCase();
    if (attribute === 'risktier') parsed.riskTier = riskTier(value);
    else if (attribute === 'scopes') parsed.scopes = scopes(value);
    else if (attribute === 'platform') parsed.platform = scimString(value, 'platform', 100);
    else if (attribute === 'expiresat') parsed.expiresAt = expiresAt(value);
    else if (attribute === 'parent') parsed.parentId = parentId(value);
  }
  return parsed;
}

export function riskTier(value: unknown): RiskTier {
  if (typeof value === 'string' && (RISK_TIERS as readonly string[]).includes(value.trim().toLowerCase())) return value.trim().toLowerCase() as RiskTier;
  throw ScimError.invalidValue(`riskTier must be one of ${RISK_TIERS.join(', ')}`);
}

export function scopes(value: unknown): string[] {
  if (value === null) return [];
  const values = Array.isArray(value) ? value : [value];
  if (values.length > MAX_SCOPES) throw ScimError.invalidValue(`scopes holds at most ${MAX_SCOPES} values`);
  return [
    ...new Set(
      values.map((scope) => {
        // Entra ID sends the values of multi-valued attributes as objects with a value.
        const text = isObject(scope) ? member(scope, 'value') : scope;
        if (typeof text !== 'string' || !SCOPE.test(text)) throw ScimError.invalidValue('each of scopes must be an OAuth scope token (RFC 6749 §3.3)');
        return text;
      }),
    ),
  ];
}

export function expiresAt(value: unknown): string | null {
  if (value === null || value === '') return null;
  if (typeof value !== 'string' || value.length > 64 || !/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(Date.parse(value))) {
    throw ScimError.invalidValue('expiresAt must be an xsd:dateTime (RFC 7643 §2.3.5)');
  }
  return new Date(value).toISOString();
}

/** The parent agent: {"value": id}, a $ref to /Agents/{id}, or the id itself; null for none. */
export function parentId(value: unknown): string | null {
  if (value === null) return null;
  const id = typeof value === 'string' ? value : isObject(value) ? (member(value, 'value') ?? idFromRef(member(value, '$ref'), 'Agents')) : undefined;
  if (id === null || id === undefined || id === '') return null;
  if (typeof id !== 'string' || !isUuid(id)) throw ScimError.invalidValue('parent must name an Agent of this service provider by its id');
  return id.toLowerCase();
}

/**
 * The owner an `owners` value names. The registry holds exactly one accountable person per agent, so owners must
 * reference one User: by `value` (the User's id, which is the owner's id in the registry) and/or `$ref` (its
 * location, absolute or relative). A Group, several different users, or none is refused with a detail of our own.
 */
export function ownerIdOf(owners: unknown): string {
  const values = Array.isArray(owners) ? owners : owners === null ? [] : [owners];
  const ids = new Set(values.map(ownerIdOfValue));
  if (ids.size === 0) throw ScimError.invalidValue("owners must reference the agent's accountable owner: one User");
  if (ids.size > 1) throw ScimError.invalidValue('owners references several users; this service provider keeps exactly one accountable owner per agent');
  return [...ids][0];
}

export function ownerIdOfValue(entry: unknown): string {
  // Entra ID sends the value of a reference alone in some PATCH forms.
  if (typeof entry === 'string') return scimString(entry, 'owners.value', 256);
  if (!isObject(entry)) throw ScimError.invalidValue('each of owners must be an object with a value or a $ref');
  const type = member(entry, 'type');
  if (type !== undefined && type !== null && (typeof type !== 'string' || type.trim().toLowerCase() !== 'user')) {
    throw ScimError.invalidValue("owners: only a User can own an agent here (a Group cannot be an agent's accountable owner)");
  }
  const rawValue = member(entry, 'value');
  const value = rawValue === undefined || rawValue === null || rawValue === '' ? undefined : scimString(rawValue, 'owners.value', 256);
  const ref = member(entry, '$ref');
  const fromRef = ref === undefined || ref === null || ref === '' ? undefined : idFromRef(ref, 'Users');
  if (value !== undefined && fromRef !== undefined && value !== fromRef) throw ScimError.invalidValue('owners: value and $ref reference different users');
  const id = value ?? fromRef;
  if (id === undefined) throw ScimError.invalidValue("each of owners must have a value (the owner's User id) or a $ref to the User");
  return id;
}

/** The id at the end of a SCIM reference to a resource of `endpoint` (".../Users/{id}"), absolute or relative. */
function idFromRef(ref: unknown, endpoint: 'Users' | 'Agents'): string | undefined {
  if (ref === undefined || ref === null) return undefined;
  if (typeof ref !== 'string' || ref.length > 2000) throw ScimError.invalidValue(`a $ref must be the URI of a ${endpoint === 'Users' ? 'User' : 'Agent'}`);
  let path: string;
  try {
    path = new URL(ref, 'http://relative.invalid/').pathname;
  } catch {
    throw ScimError.invalidValue(`a $ref must be the URI of a ${endpoint === 'Users' ? 'User' : 'Agent'}`);
  }
  if (/\/Groups\/[^/]+\/?$/i.test(path) && endpoint === 'Users') {
    throw ScimError.invalidValue("owners: only a User can own an agent here (a Group cannot be an agent's accountable owner)");
  }
  const match = new RegExp(`/${endpoint}/([^/]+)/?$`).exec(path);
  if (!match) throw ScimError.invalidValue(`a $ref must be the URI of a ${endpoint === 'Users' ? 'User' : 'Agent'}`);
  try {
    return decodeURIComponent(match[1]);
  } catch {
    throw ScimError.invalidValue(`a $ref must be the URI of a ${endpoint === 'Users' ? 'User' : 'Agent'}`);
  }
}

function optionalString(value: unknown, attribute: string, maxLength: number): string | null {
  return value === undefined || value === null || value === '' ? null : scimString(value, attribute, maxLength);
}

/** What SCIM keeps of an agent beside the registry's record (table scim_agents). */
export interface ScimAgentAttributes {
  agentUserName: string | null;
  /** The client's id for the agent: not unique (RFC 7643 §3.1), compared with case. */
  externalId: string | null;
  /** The last change of these attributes; null when SCIM never wrote any. */
  updatedAt: Date | null;
}

/** Everything an Agent resource is made of. */
export interface ScimAgentRecord {
  agent: AgentRecord;
  attributes: ScimAgentAttributes;
  /** The owner's display name, shown as owners.display. */
  ownerDisplayName: string | null;
}

export interface ScimAgentResource {
  schemas: string[];
  id: string;
  externalId?: string;
  agentUserName: string;
  displayName: string;
  description?: string;
  active: boolean;
  owners: Array<{ value: string; $ref: string; display?: string; type: 'User' }>;
  [SCIM_AGENT_EXTENSION_SCHEMA]: {
    riskTier: RiskTier;
    scopes: string[];
    platform: string;
    status: AgentStatus;
    expiresAt?: string;
    parent?: { value: string; $ref: string };
  };
  meta: { resourceType: 'Agent'; created: string; lastModified: string; location: string; version: string };
}

/** The agentUserName an agent shows: the one a SCIM client gave, else its id (unique, like the draft's name). */
export function agentUserNameOf(record: Pick<ScimAgentRecord, 'agent' | 'attributes'>): string {
  return record.attributes.agentUserName ?? record.agent.id;
}

/**
 * The registry's agent as a SCIM Agent. displayName is the registry's name (which is the agentUserName when the
 * client gave no displayName, as draft-abbey-scim-agent-extension-00 lets a display name default to the name);
 * active is whether the registry has it active (suspended and deprovisioned agents are inactive).
 */
export function renderScimAgent(record: ScimAgentRecord, baseUrl: string): ScimAgentResource {
  const resource = build(record, baseUrl);
  return {
    ...resource,
    meta: {
      ...resource.meta,
      location: `${baseUrl}/scim/v2/Agents/${record.agent.id}`,
      // Weak ETag (RFC 7644 §3.14) over the resource with host-relative references: one version whichever host.
      version: scimVersionOf(build(record, '')),
    },
  };
}

type Built = Omit<ScimAgentResource, 'meta'> & { meta: Omit<ScimAgentResource['meta'], 'location' | 'version'> };

function build(record: ScimAgentRecord, baseUrl: string): Built {
  const { agent, attributes, ownerDisplayName } = record;
  const scim = `${baseUrl}/scim/v2`;
  const lastModified = Math.max(agent.updatedAt.getTime(), attributes.updatedAt?.getTime() ?? 0);
  return {
    schemas: [SCIM_AGENT_SCHEMA, SCIM_AGENT_EXTENSION_SCHEMA],
    id: agent.id,
    ...(attributes.externalId ? { externalId: attributes.externalId } : {}),
    agentUserName: agentUserNameOf(record),
    displayName: agent.name,
    ...(agent.purpose !== SCIM_AGENT_NO_DESCRIPTION ? { description: agent.purpose } : {}),
    active: agent.status === 'active',
    owners: [
      {
        value: agent.ownerId,
        $ref: `${scim}/Users/${encodeURIComponent(agent.ownerId)}`,
        ...(ownerDisplayName ? { display: ownerDisplayName } : {}),
        type: 'User',
      },
    ],
    [SCIM_AGENT_EXTENSION_SCHEMA]: {
      riskTier: agent.riskTier,
      scopes: agent.scopes,
      platform: agent.platform,
      status: agent.status,
      ...(agent.expiresAt ? { expiresAt: agent.expiresAt.toISOString() } : {}),
      ...(agent.parentId ? { parent: { value: agent.parentId, $ref: `${scim}/Agents/${agent.parentId}` } } : {}),
    },
    meta: { resourceType: 'Agent', created: agent.createdAt.toISOString(), lastModified: new Date(lastModified).toISOString() },
  };
}

const CORE = SCIM_AGENT_SCHEMA.toLowerCase();
const EXTENSION = SCIM_AGENT_EXTENSION_SCHEMA.toLowerCase();
/** The core Agent schema's attributes and the common ones (RFC 7643 §3.1): what the core schema's URN alone selects. */
const CORE_ATTRIBUTES = ['externalid', 'agentusername', 'displayname', 'description', 'active', 'owners', 'meta'];

/**
 * `attributes` and `excludedAttributes` on an Agent, with the machinery Users use (parseAttributeSelection,
 * selectAttributes), whose paths name User attributes without their schema: here the Agent core schema's URN is
 * the one that may be left out. `id` and `schemas` are always returned, and `schemas` lists the Agent schema.
 */
export function selectAgentAttributes(resource: ScimAgentResource, selection: ScimAttributeSelection): Record<string, unknown> {
  if (!selection.only && !selection.except) return resource as unknown as Record<string, unknown>;
  const normalized: ScimAttributeSelection = {
    ...(selection.only ? { only: selection.only.flatMap((path) => agentPath(path, true)) } : {}),
    ...(selection.except ? { except: selection.except.flatMap((path) => agentPath(path, false)) } : {}),
  };
  const { schemas: _schemas, ...selected } = selectAttributes(resource as unknown as Record<string, unknown>, normalized);
  void _schemas;
  const extension = Object.keys(selected).some((key) => key.toLowerCase() === EXTENSION);
  return { schemas: extension ? [SCIM_AGENT_SCHEMA, SCIM_AGENT_EXTENSION_SCHEMA] : [SCIM_AGENT_SCHEMA], ...selected };
}

/**
 * A parsed path in terms of the Agent resource. parseAttributeSelection reads an attribute path with a URN as
 * [urn, attribute, sub]; a URN alone, whose last segment ("Agent") it reads as the attribute, as [prefix, "agent"].
 */
function agentPath(path: string[], only: boolean): string[][] {
  const [first, ...rest] = path;
  if (first === undefined) return [path];
  const whole = rest.length === 1 ? `${first}:${rest[0]}` : undefined;
  if (first === CORE || whole === CORE) {
    const attributes = first === CORE ? rest : [];
    // The core schema's URN alone: every core attribute (in attributes), or every one that may go (excludedAttributes).
    if (attributes.length === 0) return only ? CORE_ATTRIBUTES.map((a) => [a]) : [[]];
    return [attributes];
  }
  if (whole === EXTENSION) return [[EXTENSION]];
  return [path];
}
