import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', '**/tmp/**', '**/.nx/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Module boundaries: apps never import apps; contracts and the Kafka machinery stay framework-free.
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:data-access', 'type:util', 'type:contracts', 'type:test-support'] },
            { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:data-access', 'type:util', 'type:contracts', 'type:test-support'] },
            {
              sourceTag: 'type:util',
              onlyDependOnLibsWithTags: ['type:util', 'type:contracts', 'type:test-support'],
              bannedExternalImports: ['@nestjs/*'],
            },
            {
              sourceTag: 'type:contracts',
              onlyDependOnLibsWithTags: ['type:contracts'],
              bannedExternalImports: ['@nestjs/*', 'typeorm', 'kafkajs', 'pg'],
            },
            { sourceTag: 'type:test-support', onlyDependOnLibsWithTags: ['type:data-access', 'type:util', 'type:contracts', 'type:test-support'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:provisioner', onlyDependOnLibsWithTags: ['scope:provisioner', 'scope:shared'] },
            { sourceTag: 'scope:behavior-baseliner', onlyDependOnLibsWithTags: ['scope:behavior-baseliner', 'scope:shared'] },
            { sourceTag: 'scope:containment', onlyDependOnLibsWithTags: ['scope:containment', 'scope:shared'] },
            { sourceTag: 'scope:review-scheduler', onlyDependOnLibsWithTags: ['scope:review-scheduler', 'scope:shared'] },
          ],
        },
      ],
    },
  },
  {
    // test-support is allowed by the tags above so that tests can use it; production code may not.
    files: ['**/*.ts'],
    ignores: ['**/*.spec.ts', '**/test/**/*.ts', 'libs/test-support/**', 'libs/service-testing/**', 'bench/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: '@agentgov/test-support', message: 'test helpers stay in tests' }] }] },
  },
  { files: ['**/*.spec.ts', '**/test/**/*.ts', 'libs/test-support/**/*.ts', 'libs/service-testing/**/*.ts'], rules: { '@typescript-eslint/no-non-null-assertion': 'off' } },
];
