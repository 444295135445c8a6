import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export const EVENTS_DIR = join(__dirname, '..', 'events');

/** Every `<topic>/<name>.schema.json` under src/events, in a stable order. */
export function listEventSchemaFiles(eventsDir = EVENTS_DIR): { topic: string; name: string; schemaPath: string }[] {
  return readdirSync(eventsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .flatMap((topic) =>
      readdirSync(join(eventsDir, topic))
        .filter((file) => file.endsWith('.schema.json'))
        .sort()
        .map((file) => ({ topic, name: file.slice(0, -'.schema.json'.length), schemaPath: join(eventsDir, topic, file) })),
    );
}

type Schema = Record<string, unknown>;

const SCHEMA_MAPS = ['properties', 'definitions'];
const SCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf'];
const SCHEMA_VALUES = ['items', 'additionalProperties', 'propertyNames', 'not'];

/**
 * Drops if/then/else (and allOf entries left empty by that). Cross-field rules have no TypeScript
 * counterpart, and json-schema-to-typescript would otherwise widen the type with an index signature.
 */
export function withoutConditionals(schema: Schema): Schema {
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'if' || key === 'then' || key === 'else') continue;
    if (SCHEMA_MAPS.includes(key) && isSchema(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, isSchema(sub) ? withoutConditionals(sub) : sub]));
    } else if (SCHEMA_LISTS.includes(key) && Array.isArray(value)) {
      const subs = value.map((sub) => (isSchema(sub) ? withoutConditionals(sub) : sub)).filter((sub) => !isSchema(sub) || Object.keys(sub).length > 0);
      if (subs.length > 0) out[key] = subs;
    } else if (SCHEMA_VALUES.includes(key) && isSchema(value)) {
      out[key] = withoutConditionals(value);
    } else {
      out[key] = value;
    }
  }
  return out;
}

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
