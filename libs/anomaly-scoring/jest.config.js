module.exports = {
  displayName: 'anomaly-scoring',
  preset: '../../jest.preset.js',
  rootDir: '.',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/evaluation/**/*.spec.ts'],
};
