import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

import { withoutConditionals } from './event-schema-files';

const REPO_ROOT = resolve(__dirname, '../../../..');
const SCRIPT = join(REPO_ROOT, 'scripts/generate-contract-types.ts');

// json-schema-to-typescript formats with prettier, whose dynamic import() jest's VM cannot run: render in a
// plain Node process, as a developer would.
function runGenerator(args: string[]) {
  return spawnSync(process.execPath, ['-r', '@swc-node/register', SCRIPT, ...args], { cwd: REPO_ROOT, encoding: 'utf8' });
}

describe('generated contract types', () => {
  it('are up to date with the schemas (run scripts/generate-contract-types.ts if this fails)', () => {
    const result = runGenerator(['--check']);
    expect(result.status === 0 ? 'fresh' : result.stderr || result.error?.message).toBe('fresh');
  }, 60_000);
});

describe('withoutConditionals', () => {
  it('leaves cross-field rules out of the types but keeps fields named like keywords', () => {
    const stripped = withoutConditionals({
      type: 'object',
      properties: { if: { type: 'string' }, cause: { type: 'object', if: { required: ['a'] }, then: { required: ['b'] } } },
      allOf: [{ if: { properties: {} }, then: {} }, { required: ['if'] }],
    });
    expect(stripped).toEqual({
      type: 'object',
      properties: { if: { type: 'string' }, cause: { type: 'object' } },
      allOf: [{ required: ['if'] }],
    });
  });
});
