/**
 * Validated file entries (snake_case) turned into the normalized shapes of types.ts, with every default
 * applied, so nothing past the loader sees a raw field or an undefined it must guess about.
 */
import { isAbsolute, resolve } from 'node:path';
import type { Connection } from './backend-source';
import { toList } from './check-backends';
import { secretArgValues, urlSecretValues } from './secrets';
import type { RawBackend, RawRouting } from './schema';
import type { BackendConfig, CircuitBreakerConfig, RoutingSettings, Strategy } from './types';

/** The original router's defaults (amp-rh/mcp, routing/models.py). */
export const DEFAULT_PRIORITY = 10;
export const DEFAULT_CIRCUIT_BREAKER: CircuitBreakerConfig = {
  failureThreshold: 5,
  timeoutSeconds: 60,
  halfOpenAttempts: 3,
};

/** The settings the file's routing: block states; absent fields stay absent so lower layers show through. */
export function routingFromFile(block: RawRouting | undefined): Partial<RoutingSettings> {
  if (!block) return {};
  const out: Partial<RoutingSettings> = {
    defaultStrategy: block.default_strategy as Strategy | undefined,
    enableNamespaces: block.enable_namespace_prefixing,
    cacheTtlSeconds: block.capability_cache_ttl_seconds,
    requestTimeoutSeconds: block.request_timeout_seconds,
    // max_attempts counts the first attempt; maxRetries counts only those after it.
    maxRetries: block.retry?.max_attempts === undefined ? undefined : block.retry.max_attempts - 1,
    retryBackoff: block.retry?.backoff_multiplier,
    maxBackoffSeconds: block.retry?.max_backoff_seconds,
    retryBaseSeconds: block.retry?.base_backoff_seconds,
    healthCheckIntervalSeconds: block.health_check?.interval_seconds,
    healthCheckTimeoutSeconds: block.health_check?.timeout_seconds,
    allowBackendChanges: block.allow_backend_changes,
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as Partial<RoutingSettings>;
}

/** A namespace must fit tool names (`^[a-zA-Z0-9_-]`); backend names may also hold dots. */
function defaultNamespace(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** What of a backend's config is secret; `expanded` are the values `${VAR}` read from the environment. */
function secretsOf(
  b: RawBackend,
  connection: Connection,
  expanded: readonly string[],
  env: Record<string, string>,
): string[] {
  return [
    ...new Set([
      ...expanded,
      ...Object.entries(env)
        .filter(([name]) => !connection.env || !(name in connection.env))
        .map(([, v]) => v),
      ...Object.values(b.headers ?? {}).flatMap((v) => [v, v.replace(/^(Bearer|Basic|Token)\s+/i, '')]),
      ...urlSecretValues(connection.url),
      ...secretArgValues(connection.args ?? []),
    ]),
  ].filter((v) => v.length > 0);
}

/**
 * One backend, normalized. `connection` comes from checkBackends; `baseDir` is the config file's directory,
 * against which a relative cwd resolves (so a file means the same whatever directory the router starts in).
 * `expanded`: the values the file's `${VAR}` references took, secrets wherever they went.
 */
export function normalizeBackend(
  b: RawBackend,
  connection: Connection,
  routing: RoutingSettings,
  baseDir: string,
  expanded: readonly string[] = [],
  routerEnv: Record<string, string | undefined> = {},
): BackendConfig {
  const stdio = connection.command !== undefined;
  // Variables passed through by name come first: a value written in env: beats them.
  const passed = Object.fromEntries(
    (b.env_passthrough ?? []).flatMap((name) => (routerEnv[name] === undefined ? [] : [[name, routerEnv[name]!]])),
  );
  const env = { ...(connection.env ?? {}), ...passed, ...(b.env ?? {}) };
  return {
    name: b.name,
    namespace: b.namespace ?? defaultNamespace(b.name),
    priority: b.priority ?? DEFAULT_PRIORITY,
    transport: stdio ? 'stdio' : b.transport === 'sse' ? 'sse' : b.transport ? 'streamable-http' : 'auto',
    protocol: b.protocol ?? 'auto',
    command: connection.command,
    args: connection.args ?? [],
    env,
    cwd: b.cwd === undefined ? undefined : isAbsolute(b.cwd) ? b.cwd : resolve(baseDir, b.cwd),
    url: connection.url,
    headers: b.headers ?? {},
    routes: (b.routes ?? []).map((r) => ({
      pattern: r.pattern ?? '*',
      strategy: r.strategy as Strategy | undefined,
      fallbackTo: toList(r.fallback_to),
    })),
    healthCheck: {
      enabled: b.health_check?.enabled ?? true,
      intervalSeconds: b.health_check?.interval_seconds ?? routing.healthCheckIntervalSeconds,
      timeoutSeconds: b.health_check?.timeout_seconds ?? routing.healthCheckTimeoutSeconds,
    },
    circuitBreaker: {
      failureThreshold: b.circuit_breaker?.failure_threshold ?? DEFAULT_CIRCUIT_BREAKER.failureThreshold,
      timeoutSeconds: b.circuit_breaker?.timeout_seconds ?? DEFAULT_CIRCUIT_BREAKER.timeoutSeconds,
      halfOpenAttempts: b.circuit_breaker?.half_open_attempts ?? DEFAULT_CIRCUIT_BREAKER.halfOpenAttempts,
    },
    session: b.session ?? 'shared',
    autoStart: b.auto_start ?? b.enabled ?? true,
    secrets: secretsOf(b, connection, expanded, env),
  };
}
