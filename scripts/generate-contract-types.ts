// Regenerates libs/contracts/src/events/<topic>/<name>.types.ts from the JSON Schemas beside them.
//   node -r @swc-node/register scripts/generate-contract-types.ts           write what changed
//   node -r @swc-node/register scripts/generate-contract-types.ts --check   write nothing; exit 1 if stale
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';

import { renderContractTypes } from '../libs/contracts/src/codegen/contract-types.generator';

async function main(check: boolean): Promise<number> {
  const stale: string[] = [];
  for (const file of await renderContractTypes()) {
    let current: string | undefined;
    try {
      current = readFileSync(file.path, 'utf8');
    } catch {
      current = undefined;
    }
    if (current === file.content) continue;
    const name = relative(process.cwd(), file.path);
    stale.push(name);
    if (!check) {
      writeFileSync(file.path, file.content);
      console.log(`wrote ${name}`);
    }
  }
  if (check && stale.length > 0) {
    console.error(`stale generated contract types:\n  ${stale.join('\n  ')}\nrun: node -r @swc-node/register scripts/generate-contract-types.ts`);
    return 1;
  }
  return 0;
}

main(process.argv.includes('--check')).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(2);
  },
);
