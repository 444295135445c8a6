// Every project's unit tests (beside the code, *.spec.ts), plus the workspace-level checks in test/.
module.exports = {
  projects: ['<rootDir>/apps/*/jest.config.js', '<rootDir>/libs/*/jest.config.js', '<rootDir>/test/jest.config.js'],
};
