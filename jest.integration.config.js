// Every project's integration tests, against the real broker and database (`npm run infra:up`).
module.exports = {
  projects: ['<rootDir>/apps/*/jest.integration.config.js', '<rootDir>/libs/*/jest.integration.config.js'],
};
