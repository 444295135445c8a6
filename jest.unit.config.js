// Every project's unit tests (beside the code, *.spec.ts), plus the workspace-level checks in test/ and the benchmarks'
// report writer and runner in bench/.
module.exports = {
  projects: ['<rootDir>/apps/*/jest.config.js', '<rootDir>/libs/*/jest.config.js', '<rootDir>/test/jest.config.js', '<rootDir>/bench/jest.config.js'],
};
