// The one definition of a project's jest configuration. Each project's jest.config.js (unit tests) and
// jest.integration.config.js (against the real broker and database) is one line calling this; the root
// jest.unit.config.js and jest.integration.config.js run them all, and `jest -c <project>/jest.config.js` one.
const path = require('path');

const preset = require('./jest.preset');

const KINDS = {
  // *.spec.ts anywhere in the project (beside the code; anomaly-scoring's evaluation too).
  unit: { testMatch: ['<rootDir>/**/*.spec.ts'] },
  // *.integration-spec.ts (in each project's test/integration; in test/, under each kind of system test).
  // testTimeout applies when a project runs alone: a multi-project run takes the root config's.
  integration: { testMatch: ['<rootDir>/**/*.integration-spec.ts'], testTimeout: 60000, suffix: ':integration' },
};

/**
 * The jest configuration of the project in `dir` for one kind of tests. Its name is the folder's (apps/x and
 * libs/x: x), unless `overrides.displayName` says otherwise.
 */
module.exports = function jestProject(dir, kind, overrides = {}) {
  const { suffix = '', ...settings } = KINDS[kind] ?? {};
  if (!KINDS[kind]) throw new Error(`unknown kind of tests "${kind}" (${Object.keys(KINDS).join(', ')})`);
  return {
    ...preset,
    displayName: `${path.basename(dir)}${suffix}`,
    rootDir: dir,
    testPathIgnorePatterns: ['/node_modules/'],
    ...settings,
    ...overrides,
  };
};
