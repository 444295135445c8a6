import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

/*
 * Module boundaries. Every project's tags say what it holds:
 *   type:contracts    event and API contracts: depends on nothing
 *   type:core         framework-free libraries (no Nest)
 *   type:nest         Nest modules and the wiring of the services
 *   type:testing      test helpers (test-support, service-testing)
 *   type:app          the four services
 *   type:system-test  test/: the whole system through its running services, and workspace checks
 *   type:bench        bench/: the benchmarks
 *   type:scripts      scripts/: operations and developer tooling (some of it ships in the images)
 * Nothing imports an app (Nx refuses it, and no tag allows it), and a relative import into another project is
 * refused, so test/, bench/ and scripts/ reach the apps only through the few files listed in APP_SURFACE.
 */
const PRODUCTION = {
  'type:contracts': [],
  'type:core': ['type:contracts', 'type:core'],
  'type:nest': ['type:contracts', 'type:core', 'type:nest'],
  'type:app': ['type:contracts', 'type:core', 'type:nest'],
  'type:testing': ['type:contracts', 'type:core', 'type:nest', 'type:testing'],
  'type:system-test': ['type:contracts', 'type:core', 'type:nest', 'type:testing'],
  'type:bench': ['type:contracts', 'type:core', 'type:nest', 'type:testing'],
  'type:scripts': ['type:contracts', 'type:core', 'type:nest'],
};
const BANNED_EXTERNALS = {
  'type:contracts': ['@nestjs/*', 'typeorm', 'kafkajs', 'pg', '@opentelemetry/*'],
  'type:core': ['@nestjs/*'],
};

/** The constraints; with `testing` (for a project's own tests: specs, test folders) every kind may also use type:testing. */
function depConstraints({ testing }) {
  return Object.entries(PRODUCTION).map(([sourceTag, tags]) => ({
    sourceTag,
    onlyDependOnLibsWithTags: testing && !tags.includes('type:testing') ? [...tags, 'type:testing'] : tags,
    ...(BANNED_EXTERNALS[sourceTag] ? { bannedExternalImports: BANNED_EXTERNALS[sourceTag] } : {}),
  }));
}

/**
 * What of an app the tooling outside it may import (relative paths, matched as regular expressions; the rule skips
 * an allowed import entirely). Nothing of an app is needed to run it (the services are started as processes from
 * apps/<app>/src/main.ts), but two files of each app describe how it is deployed and are read by the tooling:
 * - its environment spec, apps/<app>/src/config/<app>.env (the deploy, compose and env-docs checks in test/);
 * - its database definition, apps/<app>/src/database/<app>.database (schema and migrations: scripts/db-migrate.ts
 *   and scripts/wait-for-migrations.ts, which ship in the images).
 * Anything else under apps/ (services, controllers, an app's test folder) is refused.
 */
const APP_SURFACE = [String.raw`^(\.\./)+apps/([a-z-]+)/src/config/\2\.env$`, String.raw`^(\.\./)+apps/([a-z-]+)/src/database/\2\.database$`];
/**
 * The benchmarks may also use an app's own test kit, apps/<app>/test/support/*: the provisioner benchmark seeds ten
 * thousand agents straight into the provisioner's tables with the provisioner's secret hashing (through the API it
 * would take minutes), which no library can do without importing the app.
 */
const APP_TEST_KIT = String.raw`^(\.\./)+apps/[a-z-]+/test/support/[a-z-]+$`;
/** test/deploy tests the scripts that ship in the images (their exported functions): scripts/<file> from test/. */
const SCRIPT_MODULES = String.raw`^(\.\./)+scripts/[a-z-]+$`;
/**
 * The one script that imports a library by relative path, on purpose: the contract-type generator lives in
 * libs/contracts but is not exported by it, because it needs json-schema-to-typescript, a development dependency
 * the production images do not install (every service imports @agentgov/contracts). Exact import strings, per file.
 */
const RELATIVE_LIBRARY_IMPORTS = {
  'scripts/generate-contract-types.ts': ['../libs/contracts/src/codegen/contract-types.generator'],
};
const exactly = (imp) => `^${imp.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;

function boundaries({ testing, allow = [] }) {
  return { '@nx/enforce-module-boundaries': ['error', { enforceBuildableLibDependency: false, allow, depConstraints: depConstraints({ testing }) }] };
}

/** A project's own tests: specs beside the code, and its test folder. */
const TEST_FILES = ['**/*.spec.ts', '**/*.integration-spec.ts', 'apps/*/test/**/*.ts', 'libs/*/test/**/*.ts'];

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', '**/tmp/**', '**/.nx/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Production code: no test helpers.
      ...boundaries({ testing: false }),
    },
  },
  { files: TEST_FILES, rules: boundaries({ testing: true }) },
  { files: ['test/**/*.ts'], rules: boundaries({ testing: true, allow: [...APP_SURFACE, SCRIPT_MODULES] }) },
  { files: ['bench/**/*.ts'], rules: boundaries({ testing: true, allow: [...APP_SURFACE, APP_TEST_KIT] }) },
  // The scoring evaluation (npm run evaluate:scoring) is a measuring tool beside its library, like the benchmarks:
  // it draws its synthetic traffic from the tests' seeded PRNG. No production code imports it.
  { files: ['libs/anomaly-scoring/evaluation/**/*.ts'], rules: boundaries({ testing: true }) },
  { files: ['scripts/**/*.ts'], rules: boundaries({ testing: false, allow: APP_SURFACE }) },
  // `npm start` runs the services on this machine through the tests' Stack (libs/service-testing), like the
  // benchmarks: a developer's launcher, which no image ships. The other scripts may not use test helpers.
  { files: ['scripts/start-stack.ts'], rules: boundaries({ testing: true, allow: APP_SURFACE }) },
  ...Object.entries(RELATIVE_LIBRARY_IMPORTS).map(([file, imports]) => ({
    files: [file],
    rules: boundaries({ testing: false, allow: [...APP_SURFACE, ...imports.map(exactly)] }),
  })),
  {
    files: ['**/*.spec.ts', '**/test/**/*.ts', 'libs/test-support/**/*.ts', 'libs/service-testing/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
];
