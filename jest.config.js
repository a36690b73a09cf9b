/**
 * Two projects: `unit` (no processes, no build: `npm run test:unit`) and `integration` (real MCP servers, the
 * built CLI, the browser; needs `npm run build`). `npm test` builds and runs both. Tests compile to CommonJS
 * through ts-jest; ESM-only packages (@statelyai/inspect) stay out of modules under test.
 */
const common = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
};

module.exports = {
  testTimeout: 30000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/tests/{machines,router,routing,catalog,config,observability,protocol,backends,server,bench}/**/*.test.ts',
      ],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/tests/{integration,e2e,hardening,browser}/**/*.test.ts'],
    },
  ],
};
