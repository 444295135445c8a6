// The whole system through its running services: end-to-end scenarios, faults, hostile input.
module.exports = {
  displayName: 'system:integration',
  preset: '../jest.preset.js',
  rootDir: '.',
  testMatch: ['<rootDir>/**/*.integration-spec.ts'],
  testTimeout: 120000,
};
