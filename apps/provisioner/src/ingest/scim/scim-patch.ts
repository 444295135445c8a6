import { OwnerProfile } from '../../owners/owner';
import { isObject, mainValue, managerId, member, scimBoolean, scimString } from './scim-attributes';
import { NAME_PARTS, NamePart, namePart, ScimName } from './scim-user';
import { SCIM_ENTERPRISE_USER_SCHEMA, SCIM_PATCH_OP_SCHEMA, SCIM_USER_SCHEMA } from './scim.constants';
import { ScimError } from './scim.errors';

/** What a SCIM PATCH asks of a User, as far as owners are concerned. */
export interface ScimUserChanges {
  /** The requested `active`, when an operation sets it (the last one wins). */
  active?: boolean;
  profile: OwnerProfile;
  /** The name sub-attributes the operations set (null: removed); the others stay as they are. */
  name: Partial<ScimName>;
  userName?: string;
  /** null: the client removed it. */
  externalId?: string | null;
  /** Attributes the operations touched that owners do not keep (title, addresses, ...): accepted, not stored. */
  ignored: string[];
}

type Op = 'add' | 'replace' | 'remove';

const CORE_PREFIX = `${SCIM_USER_SCHEMA.toLowerCase()}:`;
const ENTERPRISE_PREFIX = `${SCIM_ENTERPRISE_USER_SCHEMA.toLowerCase()}:`;
// attrPath [ "[" valFilter "]" ] [ "." subAttr ]; the URN part may itself contain dots (the "2.0").
const PATH = /^((?:urn:[^[\]]*:)?[A-Za-z][\w$-]*)(?:\.([A-Za-z][\w$-]*))?(?:\[([^\]]*)\])?(?:\.([A-Za-z][\w$-]*))?$/;

/**
 * Interprets a PATCH request body (RFC 7644 §3.5.2) in every form clients send: `op` in any letter case
 * ("replace", "Replace", "add"), a `path` (plain, sub-attribute, schema-qualified, or with a value filter
 * such as emails[type eq "work"].value), or no path and an object of attributes as `value` (Okta's
 * {"active": false}, Entra's {"name.givenName": ...} or schema-URN keys). Booleans may arrive as strings.
 */
export function interpretScimPatch(body: unknown): ScimUserChanges {
  if (!isObject(body)) throw ScimError.invalidSyntax('The PATCH body must be a JSON object');
  const schemas = member(body, 'schemas');
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === SCIM_PATCH_OP_SCHEMA.toLowerCase())) {
    throw ScimError.invalidSyntax(`schemas must contain ${SCIM_PATCH_OP_SCHEMA}`);
  }
  const operations = member(body, 'Operations');
  if (!Array.isArray(operations) || operations.length === 0) throw ScimError.invalidSyntax('Operations must be a non-empty array');
  if (operations.length > 100) throw ScimError.invalidSyntax('At most 100 operations per request');

  const changes: ScimUserChanges = { profile: {}, name: {}, ignored: [] };
  operations.forEach((operation, index) => {
    if (!isObject(operation)) throw ScimError.invalidSyntax(`Operations[${index}] must be an object`);
    const rawOp = member(operation, 'op');
    const op = typeof rawOp === 'string' ? rawOp.trim().toLowerCase() : undefined;
    if (op !== 'add' && op !== 'replace' && op !== 'remove') {
      throw ScimError.invalidSyntax(`Operations[${index}].op must be add, replace or remove`);
    }
    const path = member(operation, 'path');
    const value = member(operation, 'value');
    if (path === undefined || path === null || path === '') {
      if (op === 'remove') throw ScimError.noTarget(`Operations[${index}]: remove needs a path`);
      if (!isObject(value)) throw ScimError.invalidSyntax(`Operations[${index}]: without a path, value must be an object of attributes`);
      applyObject(changes, op, value, '');
      return;
    }
    if (typeof path !== 'string') throw ScimError.invalidPath(`Operations[${index}].path must be a string`);
    if (op !== 'remove' && value === undefined) throw ScimError.invalidSyntax(`Operations[${index}]: ${op} needs a value`);
    applyPath(changes, op, path.trim(), value);
  });
  return changes;
}

/** A value object without path: each key is an attribute path, or a schema URN holding an object of attributes. */
function applyObject(changes: ScimUserChanges, op: Op, value: Record<string, unknown>, prefix: string): void {
  for (const [key, attributeValue] of Object.entries(value)) {
    const lower = key.toLowerCase();
    if ((lower === SCIM_ENTERPRISE_USER_SCHEMA.toLowerCase() || lower === SCIM_USER_SCHEMA.toLowerCase()) && isObject(attributeValue)) {
      applyObject(changes, op, attributeValue, `${key}:`);
    } else if (lower === 'schemas') {
      continue;
    } else {
      applyPath(changes, op, `${prefix}${key}`, attributeValue);
    }
  }
}

function applyPath(changes: ScimUserChanges, op: Op, path: string, value: unknown): void {
  const match = PATH.exec(path);
  if (!match) throw ScimError.invalidPath('A path is not in attribute notation (RFC 7644 §3.10)');
  let attribute = match[1].toLowerCase();
  const sub = (match[2] ?? match[4])?.toLowerCase();
  const hasFilter = match[3] !== undefined;
  let enterprise = false;
  if (attribute.startsWith(ENTERPRISE_PREFIX)) {
    enterprise = true;
    attribute = attribute.slice(ENTERPRISE_PREFIX.length);
  } else if (attribute.startsWith(CORE_PREFIX)) {
    attribute = attribute.slice(CORE_PREFIX.length);
  } else if (attribute.startsWith('urn:')) {
    changes.ignored.push(path);
    return;
  }
  const removing = op === 'remove';

  if (!enterprise && attribute === 'active' && !sub) {
    // Removing `active` leaves it unassigned, which is not a deactivation.
    if (removing) changes.ignored.push(path);
    else changes.active = scimBoolean(value, 'active');
    return;
  }
  if (!enterprise && attribute === 'username' && !sub) {
    if (removing) throw ScimError.invalidValue('userName is required and cannot be removed');
    changes.userName = scimString(value, 'userName', 256);
    return;
  }
  if (!enterprise && attribute === 'externalid' && !sub) {
    changes.externalId = removing ? null : scimString(value, 'externalId', 256);
    return;
  }
  if (!enterprise && attribute === 'displayname' && !sub) {
    changes.profile.displayName = removing ? null : scimString(value, 'displayName', 200);
    return;
  }
  if (!enterprise && attribute === 'name') {
    applyName(changes, op, sub, value, path);
    return;
  }
  if (!enterprise && (attribute === 'emails' || attribute === 'phonenumbers')) {
    const field = attribute === 'emails' ? 'email' : 'phone';
    if (removing) {
      changes.profile[field] = null;
    } else if (sub === 'value' || (hasFilter && !sub && !isObject(value) && !Array.isArray(value))) {
      changes.profile[field] = scimString(value, `${attribute}.value`, 320);
    } else if (hasFilter && isObject(value)) {
      changes.profile[field] = scimString(member(value, 'value'), `${attribute}.value`, 320);
    } else if (!sub) {
      changes.profile[field] = mainValue(Array.isArray(value) ? value : [value], attribute) ?? null;
    } else {
      changes.ignored.push(path);
    }
    return;
  }
  if (enterprise && attribute === 'manager') {
    if (sub && sub !== 'value') changes.ignored.push(path);
    else changes.profile.managerId = removing ? null : managerId(value);
    return;
  }
  if (enterprise && attribute === 'department' && !sub) {
    changes.profile.team = removing ? null : scimString(value, 'department', 200);
    return;
  }
  changes.ignored.push(path);
}

function applyName(changes: ScimUserChanges, op: Op, sub: string | undefined, value: unknown, path: string): void {
  if (!sub) {
    if (op === 'remove') {
      for (const part of NAME_PARTS) changes.name[part] = null;
      return;
    }
    if (!isObject(value)) throw ScimError.invalidValue('name must be an object');
    // add and replace of a complex attribute set the sub-attributes given and leave the others (RFC 7644 §3.5.2.1, §3.5.2.3).
    for (const part of NAME_PARTS) {
      const given = member(value, part);
      if (given !== undefined) changes.name[part] = namePart(given, part);
    }
    return;
  }
  const part = NAME_PARTS.find((p) => p.toLowerCase() === sub);
  if (!part) {
    changes.ignored.push(path);
    return;
  }
  changes.name[part as NamePart] = op === 'remove' ? null : namePart(value, part);
}
