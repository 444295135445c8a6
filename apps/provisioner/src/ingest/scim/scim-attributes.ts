import { ScimError } from './scim.errors';

/** Member of a JSON object by SCIM attribute name, which is case-insensitive (RFC 7643 §2.1). */
export function member(object: unknown, name: string): unknown {
  if (!isObject(object)) return undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(object)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** SCIM booleans; Entra ID sends "True"/"False" strings in PATCH values. */
export function scimBoolean(value: unknown, attribute: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
  throw ScimError.invalidValue(`${attribute} must be a boolean`);
}

export function scimString(value: unknown, attribute: string, maxLength = 1000): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > maxLength) {
    throw ScimError.invalidValue(`${attribute} must be a non-empty string of at most ${maxLength} characters`);
  }
  return value.trim();
}

/**
 * The value of a multi-valued attribute (emails, phoneNumbers) that a client means as the main one:
 * primary, else type "work", else the first.
 */
export function mainValue(values: unknown, attribute: string): string | null | undefined {
  if (values === undefined) return undefined;
  if (values === null) return null;
  if (!Array.isArray(values)) throw ScimError.invalidValue(`${attribute} must be an array`);
  if (values.length === 0) return null;
  const entries = values.map((entry) => {
    if (!isObject(entry)) throw ScimError.invalidValue(`each of ${attribute} must be an object with a value`);
    return entry;
  });
  const chosen =
    entries.find((e) => member(e, 'primary') === true || String(member(e, 'primary')).toLowerCase() === 'true') ??
    entries.find((e) => String(member(e, 'type') ?? '').toLowerCase() === 'work') ??
    entries[0];
  return scimString(member(chosen, 'value'), `${attribute}.value`, 320);
}

/** The manager's id from the enterprise extension: {"value": id} or, as Entra sends it in PATCH, the id itself. */
export function managerId(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value === 'string') return value.trim() === '' ? null : scimString(value, 'manager', 256);
  if (isObject(value)) {
    const id = member(value, 'value');
    if (id === undefined || id === null || id === '') return null;
    return scimString(id, 'manager.value', 256);
  }
  throw ScimError.invalidValue('manager must be an object with a value, or an id');
}
