// Workspace-level checks: docker-compose, env documentation.
module.exports = {
  displayName: 'workspace',
  preset: '../jest.preset.js',
  rootDir: '.',
  testMatch: ['<rootDir>/**/*.spec.ts'],
};
