import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { compile } from 'json-schema-to-typescript';

import { EVENTS_DIR, listEventSchemaFiles, withoutConditionals } from './event-schema-files';

export interface GeneratedTypesFile {
  /** Absolute path of the .types.ts file. */
  path: string;
  content: string;
}

const BANNER = [
  '/**',
  ' * GENERATED from {schema} by scripts/generate-contract-types.ts. Do not edit by hand:',
  ' * change the schema and run `node -r @swc-node/register scripts/generate-contract-types.ts`.',
  ' */',
].join('\n');

/** Renders the TypeScript types of every event schema, without writing anything. */
export async function renderContractTypes(eventsDir = EVENTS_DIR): Promise<GeneratedTypesFile[]> {
  const files: GeneratedTypesFile[] = [];
  for (const { topic, name, schemaPath } of listEventSchemaFiles(eventsDir)) {
    const schema = withoutConditionals(JSON.parse(readFileSync(schemaPath, 'utf8')));
    const content = await compile(schema as Parameters<typeof compile>[0], String(schema.title), {
      bannerComment: BANNER.replace('{schema}', `${topic}/${name}.schema.json`),
      cwd: join(eventsDir, topic),
      additionalProperties: false,
      ignoreMinAndMaxItems: true,
      unknownAny: true,
      format: true,
      style: { singleQuote: true, printWidth: 120 },
    });
    files.push({ path: join(eventsDir, topic, `${name}.types.ts`), content });
  }
  return files;
}
