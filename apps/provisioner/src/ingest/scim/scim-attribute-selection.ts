import { isObject } from './scim-attributes';
import { SCIM_ENTERPRISE_USER_SCHEMA, SCIM_USER_SCHEMA } from './scim.constants';
import { ScimError } from './scim.errors';

/**
 * The `attributes` or `excludedAttributes` query parameter (RFC 7644 §3.4.2.5, §3.9), as attribute paths in
 * lower case (attribute names are case-insensitive, RFC 7643 §2.1). An extension's attributes are under its URN.
 */
export interface ScimAttributeSelection {
  /** `attributes`: only these (and those always returned). */
  only?: string[][];
  /** `excludedAttributes`: the default set without these (those always returned stay). */
  except?: string[][];
}

/** Returned whatever the client asks (RFC 7643 §3.1 and §7: "returned": "always"). */
const ALWAYS_RETURNED = new Set(['schemas', 'id']);
const MAX_PATHS = 100;
const CORE = SCIM_USER_SCHEMA.toLowerCase();
const ENTERPRISE = SCIM_ENTERPRISE_USER_SCHEMA.toLowerCase();
// [urn:...:]attrName[.subAttr] (RFC 7644 §3.10); the URN itself holds dots ("2.0").
const ATTRIBUTE_PATH = /^(?:(urn:[A-Za-z0-9:._-]+?):)?([A-Za-z][\w$-]*)(?:\.([A-Za-z][\w$-]*))?$/;

export function parseAttributeSelection(attributes: unknown, excludedAttributes: unknown): ScimAttributeSelection {
  const only = parseList(attributes, 'attributes');
  const except = parseList(excludedAttributes, 'excludedAttributes');
  // Both given: the resource is narrowed to `attributes`, then `excludedAttributes` is taken out of what remains.
  return { ...(only ? { only } : {}), ...(except ? { except } : {}) };
}

function parseList(value: unknown, parameter: string): string[][] | undefined {
  if (value === undefined || value === '') return undefined;
  const items = (Array.isArray(value) ? value : [value]).flatMap((v) => {
    if (typeof v !== 'string') throw ScimError.invalidValue(`${parameter} must be a comma-separated list of attribute names`);
    return v.split(',');
  });
  const names = items.map((item) => item.trim()).filter((item) => item !== '');
  if (names.length > MAX_PATHS) throw ScimError.invalidValue(`${parameter} names more than ${MAX_PATHS} attributes`);
  return names.map((name) => attributePath(name, parameter));
}

function attributePath(name: string, parameter: string): string[] {
  if (name.length > 300) throw ScimError.invalidPath(`An attribute name in ${parameter} is too long`);
  const lower = name.toLowerCase();
  // The URN of an extension alone names the whole extension.
  if (lower === ENTERPRISE || lower === CORE) return lower === ENTERPRISE ? [ENTERPRISE] : [];
  const match = ATTRIBUTE_PATH.exec(lower);
  if (!match) throw ScimError.invalidPath(`An attribute name in ${parameter} is not in attribute notation (RFC 7644 §3.10)`);
  const [, urn, attribute, sub] = match;
  const rest = sub ? [attribute, sub] : [attribute];
  if (!urn || urn === CORE) return rest;
  return [urn, ...rest];
}

/** The resource as the selection asks: `schemas` and `id` always; `schemas` lists only the schemas still present. */
export function selectAttributes(resource: Record<string, unknown>, selection: ScimAttributeSelection): Record<string, unknown> {
  if (!selection.only && !selection.except) return resource;
  let selected = resource;
  if (selection.only) {
    const only = selection.only;
    // An empty path (the core schema's URN alone) selects every core attribute.
    selected = only.some((p) => p.length === 0)
      ? { ...Object.fromEntries(Object.entries(resource).filter(([key]) => key.toLowerCase() !== ENTERPRISE)), ...pick(resource, only, true) }
      : pick(resource, only, true);
  }
  if (selection.except) {
    const except = selection.except;
    // The core schema's URN alone excludes every core attribute that may be excluded.
    selected = except.some((p) => p.length === 0)
      ? Object.fromEntries(Object.entries(selected).filter(([key]) => ALWAYS_RETURNED.has(key.toLowerCase()) || key.toLowerCase().startsWith('urn:')))
      : selected;
    selected = drop(selected, except, true);
  }
  return withSchemas(selected);
}

function pick(value: Record<string, unknown>, paths: string[][], top: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    const lower = key.toLowerCase();
    if (top && ALWAYS_RETURNED.has(lower)) {
      out[key] = member;
      continue;
    }
    const matching = paths.filter((p) => p[0] === lower);
    if (matching.length === 0) continue;
    if (matching.some((p) => p.length === 1)) {
      out[key] = member;
      continue;
    }
    const deeper = matching.map((p) => p.slice(1));
    const narrowed = narrow(member, (v) => pick(v, deeper, false));
    if (narrowed !== undefined) out[key] = narrowed;
  }
  return out;
}

function drop(value: Record<string, unknown>, paths: string[][], top: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    const lower = key.toLowerCase();
    const matching = top && ALWAYS_RETURNED.has(lower) ? [] : paths.filter((p) => p[0] === lower);
    if (matching.some((p) => p.length === 1)) continue;
    if (matching.length === 0) {
      out[key] = member;
      continue;
    }
    const deeper = matching.map((p) => p.slice(1));
    const narrowed = narrow(member, (v) => drop(v, deeper, false));
    if (narrowed !== undefined) out[key] = narrowed;
  }
  return out;
}

/** Applies a sub-attribute selection to a complex value or to each value of a multi-valued one; empty results go. */
function narrow(member: unknown, select: (value: Record<string, unknown>) => Record<string, unknown>): unknown {
  if (Array.isArray(member)) {
    const values = member
      .filter(isObject)
      .map(select)
      .filter((v) => Object.keys(v).length > 0);
    return values.length ? values : undefined;
  }
  if (isObject(member)) {
    const selected = select(member);
    return Object.keys(selected).length ? selected : undefined;
  }
  return undefined;
}

function withSchemas(resource: Record<string, unknown>): Record<string, unknown> {
  const schemas = resource['schemas'];
  if (!Array.isArray(schemas)) return resource;
  const present = new Set(Object.keys(resource).map((k) => k.toLowerCase()));
  const kept = schemas.filter((s) => typeof s !== 'string' || !s.toLowerCase().startsWith('urn:') || s.toLowerCase() === CORE || present.has(s.toLowerCase()));
  return { ...resource, schemas: kept };
}
