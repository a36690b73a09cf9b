import { join } from 'node:path';
import { DEFAULT_ROUTING } from '../../src/config';
import type { BackendConfig, LoadedConfig, RoutingSettings } from '../../src/config/types';

export const ROOT = join(__dirname, '..', '..');

/** The defaults, as a user without a routing: block gets them. */
export const testRouting: RoutingSettings = { ...DEFAULT_ROUTING };

export function backend(name: string, overrides: Partial<BackendConfig> = {}): BackendConfig {
  return {
    name,
    namespace: name,
    priority: 100,
    transport: 'stdio',
    args: [],
    env: {},
    headers: {},
    routes: [],
    healthCheck: { enabled: true, intervalSeconds: 30, timeoutSeconds: 5 },
    circuitBreaker: { failureThreshold: 5, timeoutSeconds: 60, halfOpenAttempts: 1 },
    session: 'shared',
    ...overrides,
  };
}

/** A stdio backend running a server installed from the npm registry. */
export function npmServer(
  name: string,
  script: string,
  args: string[] = [],
  overrides: Partial<BackendConfig> = {},
): BackendConfig {
  return backend(name, {
    command: process.execPath,
    args: [join(ROOT, 'node_modules', script), ...args],
    ...overrides,
  });
}

export const EVERYTHING = '@modelcontextprotocol/server-everything/dist/index.js';
export const MEMORY = '@modelcontextprotocol/server-memory/dist/index.js';
export const FILESYSTEM = '@modelcontextprotocol/server-filesystem/dist/index.js';

export function loaded(backends: BackendConfig[], routing: Partial<RoutingSettings> = {}): LoadedConfig {
  return { path: '/test/config.yaml', routing: { ...testRouting, ...routing }, backends };
}

export const FLAKY = join(ROOT, 'dist', 'tests', 'fixtures', 'flaky-server.js');

/** A stdio backend running our misbehaving fixture (built by `npm run build`). */
export function flaky(
  name: string,
  overrides: Partial<BackendConfig> = {},
  env: Record<string, string> = {},
): BackendConfig {
  return backend(name, { command: process.execPath, args: [FLAKY], env: { FIXTURE_NAME: name, ...env }, ...overrides });
}

/** Polls a condition (real processes take real time); fails with the last value after `ms`. */
export async function eventually<T>(read: () => Promise<T> | T, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: T;
  for (;;) {
    last = await read();
    if (ok(last)) return last;
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${ms} ms; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
