import { readdirSync } from 'node:fs';
import { join } from 'node:path';

import { listEventSchemaFiles } from './codegen/event-schema-files';
import cloudEventHeadersSchema from './headers/cloudevent-headers.schema.json';
import dlqHeadersSchema from './headers/dlq-headers.schema.json';
import { CE_HEADERS, DLQ_HEADERS } from './headers/kafka-headers';
import { TOPIC_CATALOG, TOPIC_NAMES, TOPIC_PARTITIONS, Topics } from './topic-catalog';

type Schema = Record<string, any>;

/** Every subschema with the JSON pointer of where it sits in its schema. */
function subschemas(schema: Schema, pointer = '#'): [string, Schema][] {
  const found: [string, Schema][] = [[pointer, schema]];
  for (const key of ['properties', 'definitions']) {
    for (const [name, sub] of Object.entries<Schema>(schema[key] ?? {})) {
      if (typeof sub === 'object') found.push(...subschemas(sub, `${pointer}/${key}/${name}`));
    }
  }
  for (const key of ['allOf', 'anyOf', 'oneOf']) {
    (schema[key] ?? []).forEach((sub: Schema, index: number) => found.push(...subschemas(sub, `${pointer}/${key}/${index}`)));
  }
  for (const key of ['items', 'additionalProperties', 'propertyNames', 'not', 'if', 'then', 'else']) {
    if (schema[key] && typeof schema[key] === 'object') found.push(...subschemas(schema[key], `${pointer}/${key}`));
  }
  return found;
}

/** A schema that only adds constraints to a value typed elsewhere (if/then branches, propertyNames). */
const refinement = (pointer: string) => /\/(if|then|else)(\/|$)/.test(pointer);

const schemas = TOPIC_NAMES.map((topic) => [topic, TOPIC_CATALOG[topic].schema as Schema] as const);

describe.each(schemas)('%s schema', (topic, schema) => {
  it('is closed at the top level, has an $id under its topic and names its type', () => {
    expect(schema.type).toBe('object');
    expect(schema.additionalProperties).toBe(false);
    expect(schema.$id).toMatch(new RegExp(`^https://schemas\\.agentgov\\.dev/events/${topic.replace(/\./g, '\\.')}/[a-z-]+\\.schema\\.json$`));
    expect(schema.title).toMatch(/^[A-Z][A-Za-z]+Event$/);
  });

  it('caps the length of every string', () => {
    const unbounded = subschemas(schema)
      .filter(([pointer, sub]) => sub.type === 'string' && !refinement(pointer))
      .filter(([, sub]) => sub.maxLength === undefined && sub.enum === undefined && sub.const === undefined)
      .map(([pointer]) => pointer);
    expect(unbounded).toEqual([]);
  });

  it('caps the size of every array and open object', () => {
    const unbounded = subschemas(schema)
      .filter(([pointer]) => !refinement(pointer))
      .filter(
        ([, sub]) =>
          (sub.type === 'array' && sub.maxItems === undefined) ||
          (sub.type === 'object' && sub.additionalProperties !== false && sub.maxProperties === undefined),
      )
      .map(([pointer]) => pointer);
    expect(unbounded).toEqual([]);
  });

  it('makes its key field a required, bounded string', () => {
    const { keyField } = TOPIC_CATALOG[topic];
    expect(schema.required).toContain(keyField);
    const key = schema.properties[keyField];
    expect(key.type).toBe('string');
    expect(key.minLength === 1 || key.format === 'uuid').toBe(true);
    expect(key.maxLength).toBeLessThanOrEqual(256);
  });
});

describe('topic catalog', () => {
  it('has one folder with one schema per topic, and no folder without a topic', () => {
    const folders = readdirSync(join(__dirname, 'events'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect([...folders].sort()).toEqual([...TOPIC_NAMES].sort());
    const files = listEventSchemaFiles();
    expect(files.map((file) => file.topic).sort()).toEqual([...TOPIC_NAMES].sort());
    for (const file of files) {
      expect(TOPIC_CATALOG[file.topic as keyof typeof TOPIC_CATALOG].schema).toEqual(require(file.schemaPath));
    }
  });

  it('names each entry after its key, with the agentgov ce_type and six partitions', () => {
    for (const [key, spec] of Object.entries(TOPIC_CATALOG)) {
      expect(spec.name).toBe(key);
      expect(spec.eventType).toBe(`agentgov.${key}`);
      expect(spec.partitions).toBe(TOPIC_PARTITIONS);
      expect(spec.partitions).toBe(6);
      expect(spec.producers.length).toBeGreaterThan(0);
      expect(spec.consumers.length).toBeGreaterThan(0);
    }
  });

  it('keeps the published topic names', () => {
    // Changing one of these is a migration, not a refactor: see the warning in topic-catalog.ts.
    expect(Object.values(Topics).sort()).toEqual([
      'agent.activity.v1',
      'agent.anomaly.v1',
      'agent.lifecycle.v1',
      'agent.usage.v1',
      'containment.action.v1',
      'containment.alert.v1',
      'identity.lifecycle.v1',
      'review.decision.v1',
      'review.v1',
    ]);
  });

  it('gives every schema a distinct $id and type name', () => {
    expect(new Set(schemas.map(([, schema]) => schema.$id)).size).toBe(schemas.length);
    expect(new Set(schemas.map(([, schema]) => schema.title)).size).toBe(schemas.length);
  });
});

describe('header schemas', () => {
  it('describe exactly the CloudEvents and DLQ header names', () => {
    expect(Object.keys(cloudEventHeadersSchema.properties).sort()).toEqual(Object.values(CE_HEADERS).sort());
    expect(Object.keys(dlqHeadersSchema.properties).sort()).toEqual(Object.values(DLQ_HEADERS).sort());
  });

  it.each([cloudEventHeadersSchema, dlqHeadersSchema] as Schema[])('$title caps every header value', (schema) => {
    const unbounded = subschemas(schema)
      .filter(([, sub]) => sub.type === 'string' && sub.maxLength === undefined && sub.const === undefined)
      .map(([pointer]) => pointer);
    expect(unbounded).toEqual([]);
    expect(schema.maxProperties).toBeDefined();
  });
});
