import { RiskTier } from '@agentgov/contracts';

import { expiresAt, ownerIdOf, ownerIdOfValue, parentId, riskTier, SCIM_AGENT_EXTENSION_SCHEMA, SCIM_AGENT_SCHEMA, scopes } from './scim-agent';
import { scimBoolean, scimString } from './scim-attributes';
import { parsePatchPath, readPatchOperations, ScimPatchOp } from './scim-patch-operations';
import { ScimError } from './scim.errors';

/** What a SCIM PATCH asks of an Agent (RFC 7644 §3.5.2). An attribute left undefined is not touched; null: removed. */
export interface ScimAgentChanges {
  agentUserName?: string | null;
  displayName?: string | null;
  description?: string | null;
  externalId?: string | null;
  /** The requested `active`, when an operation sets it (the last one wins). */
  active?: boolean;
  /** Operations on owners in order, resolved against the agent's one owner by resolveOwner. */
  owners: OwnerOperation[];
  riskTier?: RiskTier;
  /** Operations on our extension's scopes in order, applied to the agent's by applyScopeOperations. */
  scopes: ScopeOperation[];
  platform?: string;
  expiresAt?: string | null;
  parentId?: string | null;
  /** Paths the operations touched that are not kept (attributes of other schemas, readOnly sub-attributes...). */
  ignored: string[];
}

export interface OwnerOperation {
  op: ScimPatchOp;
  /** The owner named by the value (add, replace). */
  ownerId?: string;
  /** The value a valuePath filter selects: owners[value eq "..."]. */
  match?: string;
}

export interface ScopeOperation {
  op: ScimPatchOp;
  /** Values added, replacing, or removed; undefined in a remove: all of them. */
  values?: string[];
}

const SCHEMAS = [SCIM_AGENT_SCHEMA, SCIM_AGENT_EXTENSION_SCHEMA];
const EXTENSION = SCIM_AGENT_EXTENSION_SCHEMA.toLowerCase();
const CORE = SCIM_AGENT_SCHEMA.toLowerCase();
// owners[value eq "..."] and scopes[value eq "..."]: the one valuePath filter these attributes are given.
const VALUE_EQ = /^\s*value\s+eq\s+("(?:[^"\\]|\\.)*")\s*$/i;

export function interpretScimAgentPatch(body: unknown): ScimAgentChanges {
  const changes: ScimAgentChanges = { owners: [], scopes: [], ignored: [] };
  for (const { op, path, value } of readPatchOperations(body, SCHEMAS)) applyPath(changes, op, path, value);
  return changes;
}

function applyPath(changes: ScimAgentChanges, op: ScimPatchOp, path: string, value: unknown): void {
  const { urn, attribute, sub, filter } = parsePatchPath(path, SCHEMAS);
  const removing = op === 'remove';
  if (urn === EXTENSION) {
    applyExtension(changes, op, path, attribute, sub, filter, value);
    return;
  }
  if (urn !== undefined && urn !== CORE) {
    changes.ignored.push(path);
    return;
  }
  const plain = !sub && filter === undefined;
  if (attribute === 'active' && plain) {
    // Removing `active` leaves it unassigned, which is not a deactivation.
    if (removing) changes.ignored.push(path);
    else changes.active = scimBoolean(value, 'active');
  } else if (attribute === 'agentusername' && plain) {
    changes.agentUserName = removing ? null : scimString(value, 'agentUserName', 200);
  } else if (attribute === 'displayname' && plain) {
    changes.displayName = removing ? null : scimString(value, 'displayName', 200);
  } else if (attribute === 'description' && plain) {
    changes.description = removing ? null : scimString(value, 'description', 2000);
  } else if (attribute === 'externalid' && plain) {
    changes.externalId = removing ? null : scimString(value, 'externalId', 256);
  } else if (attribute === 'owners') {
    applyOwners(changes, op, path, sub, filter, value);
  } else {
    changes.ignored.push(path);
  }
}

function applyOwners(changes: ScimAgentChanges, op: ScimPatchOp, path: string, sub: string | undefined, filter: string | undefined, value: unknown): void {
  const match = filter === undefined ? undefined : valueFilter(filter, 'owners');
  if (sub !== undefined && sub !== 'value') {
    // display and type are the service provider's; $ref follows value.
    changes.ignored.push(path);
    return;
  }
  if (op === 'remove') {
    changes.owners.push({ op, ...(match !== undefined ? { match } : {}) });
    return;
  }
  const ownerId = sub === 'value' ? ownerIdOfValue(value) : ownerIdOf(value);
  changes.owners.push({ op, ownerId, ...(match !== undefined ? { match } : {}) });
}

function applyExtension(
  changes: ScimAgentChanges,
  op: ScimPatchOp,
  path: string,
  attribute: string,
  sub: string | undefined,
  filter: string | undefined,
  value: unknown,
): void {
  const removing = op === 'remove';
  if (attribute === 'risktier' && !sub) {
    if (removing) throw ScimError.invalidValue('riskTier cannot be removed: every agent in the registry has a risk tier');
    changes.riskTier = riskTier(value);
  } else if (attribute === 'scopes' && !sub) {
    if (filter !== undefined) {
      if (!removing) throw ScimError.invalidPath('A value filter on scopes is only supported in a remove');
      changes.scopes.push({ op, values: [valueFilter(filter, 'scopes')] });
    } else if (removing) {
      // Entra ID removes values of a multi-valued attribute with a remove that carries them.
      changes.scopes.push(value === undefined || value === null ? { op } : { op, values: scopes(value) });
    } else {
      changes.scopes.push({ op, values: scopes(value) });
    }
  } else if (attribute === 'platform' && !sub) {
    if (removing) throw new ScimError(400, 'platform is immutable: it is set when the agent is created', 'mutability');
    changes.platform = scimString(value, 'platform', 100);
  } else if (attribute === 'expiresat' && !sub) {
    changes.expiresAt = removing ? null : expiresAt(value);
  } else if (attribute === 'parent' && (!sub || sub === 'value')) {
    changes.parentId = removing ? null : parentId(value);
  } else if (attribute === 'status') {
    throw new ScimError(400, "status is read-only: it is the registry's; set active to suspend or reactivate the agent", 'mutability');
  } else {
    changes.ignored.push(path);
  }
}

function valueFilter(filter: string, attribute: string): string {
  const match = VALUE_EQ.exec(filter);
  let value: unknown;
  try {
    value = match ? JSON.parse(match[1]) : undefined;
  } catch {
    value = undefined;
  }
  if (typeof value !== 'string') throw ScimError.invalidFilter(`${attribute} can be filtered on its value only: ${attribute}[value eq "..."]`);
  return value;
}

/**
 * The owner after the operations, applied in order to the agent's owners (RFC 7644 §3.5.2: add appends, replace
 * sets, remove takes out; a value filter selects the owner it names). The registry keeps exactly one accountable
 * owner per agent, so what the operations leave must be one User: owners can be replaced (also as Entra ID replaces
 * a reference, by a remove and an add), never emptied or given a second owner.
 */
export function resolveOwner(current: string, operations: readonly OwnerOperation[]): string {
  let owners = [current];
  for (const { op, ownerId, match } of operations) {
    if (match !== undefined && !owners.includes(match)) {
      if (op === 'remove') continue;
      throw ScimError.noTarget('The owners value filter matches no owner of the agent');
    }
    if (op === 'remove') owners = match === undefined ? [] : owners.filter((o) => o !== match);
    else if (match !== undefined) owners = owners.map((o) => (o === match ? (ownerId as string) : o));
    else if (op === 'replace') owners = [ownerId as string];
    else if (!owners.includes(ownerId as string)) owners = [...owners, ownerId as string];
  }
  if (owners.length === 0) throw ScimError.invalidValue('An agent always has an accountable owner: owners cannot be removed, only replaced');
  if (new Set(owners).size > 1) throw ScimError.invalidValue('An agent has exactly one accountable owner: replace owners instead of adding one');
  return owners[0];
}

/** The scopes after the operations (RFC 7644 §3.5.2: add appends, replace sets, remove takes out). */
export function applyScopeOperations(current: readonly string[], operations: readonly ScopeOperation[]): string[] {
  let result = [...current];
  for (const { op, values } of operations) {
    if (op === 'replace') result = [...(values ?? [])];
    else if (op === 'add') result = [...result, ...(values ?? []).filter((v) => !result.includes(v))];
    else result = values ? result.filter((v) => !values.includes(v)) : [];
  }
  return result;
}
