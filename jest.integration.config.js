// Every project's integration tests, against the real broker and database (`npm run infra:up`).
// testTimeout is a global option: the projects' own values do not apply in a multi-project run.
module.exports = {
  testTimeout: 60000,
  projects: ['<rootDir>/apps/*/jest.integration.config.js', '<rootDir>/libs/*/jest.integration.config.js', '<rootDir>/test/jest.integration.config.js'],
};
