import { isObject, member } from './scim-attributes';
import { SCIM_PATCH_OP_SCHEMA } from './scim.constants';
import { ScimError } from './scim.errors';

export type ScimPatchOp = 'add' | 'replace' | 'remove';

/** One operation of a PatchOp, with a path: one without a path has been spread into one per attribute. */
export interface ScimPatchOperation {
  op: ScimPatchOp;
  path: string;
  value: unknown;
}

/** A path in attribute notation (RFC 7644 §3.10), lower-cased: [urn:]attribute[.sub][[filter]][.sub]. */
export interface ScimPatchPath {
  /** The schema URN the path names, lower-cased, without its trailing colon; undefined when it names none. */
  urn?: string;
  attribute: string;
  sub?: string;
  /** The text between the brackets of a valuePath, as sent. */
  filter?: string;
}

// attrPath [ "[" valFilter "]" ] [ "." subAttr ]; the URN part may itself contain dots (the "2.0").
const PATH = /^((?:urn:[^[\]]*:)?[A-Za-z][\w$-]*)(?:\.([A-Za-z][\w$-]*))?(?:\[([^\]]*)\])?(?:\.([A-Za-z][\w$-]*))?$/;
const MAX_OPERATIONS = 100;

/**
 * The operations of a PATCH request body (RFC 7644 §3.5.2) in every form clients send: `op` in any letter case,
 * a `path`, or no path and an object of attributes as `value` (Okta's {"active": false}, Entra ID's
 * {"name.givenName": ...}), whose keys may also be a schema URN holding an object of that schema's attributes.
 * Such an object is spread into one operation per attribute, its key as path (qualified by the URN).
 * `schemaUrns` are the URNs of the resource type's schemas.
 */
export function readPatchOperations(body: unknown, schemaUrns: readonly string[]): ScimPatchOperation[] {
  if (!isObject(body)) throw ScimError.invalidSyntax('The PATCH body must be a JSON object');
  const schemas = member(body, 'schemas');
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === SCIM_PATCH_OP_SCHEMA.toLowerCase())) {
    throw ScimError.invalidSyntax(`schemas must contain ${SCIM_PATCH_OP_SCHEMA}`);
  }
  const operations = member(body, 'Operations');
  if (!Array.isArray(operations) || operations.length === 0) throw ScimError.invalidSyntax('Operations must be a non-empty array');
  if (operations.length > MAX_OPERATIONS) throw ScimError.invalidSyntax(`At most ${MAX_OPERATIONS} operations per request`);
  const urns = new Set(schemaUrns.map((u) => u.toLowerCase()));
  return operations.flatMap((operation, index): ScimPatchOperation[] => {
    if (!isObject(operation)) throw ScimError.invalidSyntax(`Operations[${index}] must be an object`);
    const rawOp = member(operation, 'op');
    const op = typeof rawOp === 'string' ? rawOp.trim().toLowerCase() : undefined;
    if (op !== 'add' && op !== 'replace' && op !== 'remove') throw ScimError.invalidSyntax(`Operations[${index}].op must be add, replace or remove`);
    const path = member(operation, 'path');
    const value = member(operation, 'value');
    if (path === undefined || path === null || path === '') {
      if (op === 'remove') throw ScimError.noTarget(`Operations[${index}]: remove needs a path`);
      if (!isObject(value)) throw ScimError.invalidSyntax(`Operations[${index}]: without a path, value must be an object of attributes`);
      return spread(op, value, '', urns);
    }
    if (typeof path !== 'string') throw ScimError.invalidPath(`Operations[${index}].path must be a string`);
    if (op !== 'remove' && value === undefined) throw ScimError.invalidSyntax(`Operations[${index}]: ${op} needs a value`);
    // A schema's URN as path, with an object of that schema's attributes.
    if (op !== 'remove' && urns.has(path.trim().toLowerCase()) && isObject(value)) return spread(op, value, `${path.trim()}:`, urns);
    return [{ op, path: path.trim(), value }];
  });
}

function spread(op: ScimPatchOp, value: Record<string, unknown>, prefix: string, urns: Set<string>): ScimPatchOperation[] {
  return Object.entries(value).flatMap(([key, attributeValue]) => {
    if (urns.has(key.toLowerCase()) && isObject(attributeValue)) return spread(op, attributeValue, `${key}:`, urns);
    if (key.toLowerCase() === 'schemas') return [];
    return [{ op, path: `${prefix}${key}`, value: attributeValue }];
  });
}

/** A path's parts; a path that is not attribute notation is 400 invalidPath without repeating it. */
export function parsePatchPath(path: string, schemaUrns: readonly string[]): ScimPatchPath {
  const match = PATH.exec(path);
  if (!match) throw ScimError.invalidPath('A path is not in attribute notation (RFC 7644 §3.10)');
  const full = match[1].toLowerCase();
  const urn = schemaUrns.map((u) => u.toLowerCase()).find((u) => full.startsWith(`${u}:`));
  const unknownUrn = !urn && full.startsWith('urn:');
  const attribute = urn ? full.slice(urn.length + 1) : unknownUrn ? full.slice(full.lastIndexOf(':') + 1) : full;
  const sub = (match[2] ?? match[4])?.toLowerCase();
  return {
    ...(urn ? { urn } : unknownUrn ? { urn: full.slice(0, full.lastIndexOf(':')) } : {}),
    attribute,
    ...(sub ? { sub } : {}),
    ...(match[3] !== undefined ? { filter: match[3] } : {}),
  };
}
