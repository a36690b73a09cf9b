import { createLogger } from '../../src/logging/logger';

// What the logger writes (stderr, levels, a child's fields, secrets scrubbed) is checked through the real CLI:
// tests/e2e and tests/hardening/hostile-values.test.ts. Here: what callers ask of it before it writes anything.
describe('the logger', () => {
  it('says whether debug lines are written, for itself and its children', () => {
    expect(createLogger({ level: 'info' }).isDebugEnabled()).toBe(false);
    expect(createLogger({ level: 'info' }).child({ backend: 'x' }).isDebugEnabled()).toBe(false);
    expect(createLogger({ level: 'debug' }).child({ backend: 'x' }).isDebugEnabled()).toBe(true);
    expect(createLogger({ level: 'silly' }).isDebugEnabled()).toBe(true);
  });
});
