const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Schema names are interpolated into SQL (Postgres cannot bind identifiers), so they are checked
 * against a strict pattern first.
 */
export function assertSqlIdentifier(name: string, what = 'schema'): string {
  if (!IDENTIFIER.test(name)) {
    throw new Error(`${what} name "${name}" must match ${IDENTIFIER}`);
  }
  return name;
}
