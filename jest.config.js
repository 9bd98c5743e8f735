/** Jest in ESM mode: ts-jest compiles TypeScript as ES modules so Agenda (ESM-only) loads natively. */
export default {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      { useESM: true, tsconfig: 'tsconfig.test.json', diagnostics: { warnOnly: false } },
    ],
  },
  testTimeout: 60000,
  maxWorkers: 2,
  verbose: true,
};
