/**
 * The normalized configuration the rest of the router works with. The file format (YAML or `mcpServers`
 * JSON, snake_case keys, `${VAR}` expansion) is translated into these shapes once, at the edge, by
 * load-config.ts; nothing past that point sees raw file fields.
 */

export type Strategy = 'capability' | 'path' | 'fallback';
export const STRATEGIES: readonly Strategy[] = ['capability', 'path', 'fallback'];

/** How the router reaches a backend. `auto` tries streamable HTTP first and falls back to SSE. */
export type BackendTransport = 'stdio' | 'streamable-http' | 'sse' | 'auto';

export interface RouteConfig {
  /** micromatch glob over the name the backend offers (not the namespaced name). */
  pattern: string;
  /** Strategy for the names this route matches; the default strategy when absent. */
  strategy?: Strategy;
  /** Backend names to try, in order, after this route's backend (fallback chains). */
  fallbackTo: string[];
}

export interface HealthCheckConfig {
  enabled: boolean;
  intervalSeconds: number;
  timeoutSeconds: number;
}

export interface CircuitBreakerConfig {
  failureThreshold: number;
  timeoutSeconds: number;
  halfOpenAttempts: number;
}

export type BackendProtocol = 'auto' | '2025-11-25' | '2026-07-28';

export interface BackendConfig {
  name: string;
  /** Defaults to the name. Backends sharing a namespace are replicas of each other. */
  namespace: string;
  /** Lower number is preferred. */
  priority: number;
  transport: BackendTransport;
  /**
   * The MCP era spoken to it: `auto` probes with server/discover once and remembers the answer;
   * `2025-11-25` is the initialize handshake only; `2026-07-28` is that revision or a named failure. Absent: auto.
   */
  protocol?: BackendProtocol;
  /** stdio backends */
  command?: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  /** URL backends (streamable HTTP or SSE). Secrets may sit in headers: never log them. */
  url?: string;
  headers: Record<string, string>;
  routes: RouteConfig[];
  healthCheck: HealthCheckConfig;
  circuitBreaker: CircuitBreakerConfig;
  /** One backend connection for all clients, or one per client session. */
  session: 'shared' | 'per-client';
  /** false: registered (and listed) but not started, as the original router's `auto_start: false`. */
  autoStart?: boolean;
  /**
   * Values of this backend's config that are secret (expanded `${VAR}` values, env and header values, URL
   * query values, values after --token-like args): cleaned out of everything shown or logged about it.
   */
  secrets?: string[];
}

/** Global routing settings, after flag > environment variable > file `routing:` block > default. */
export interface RoutingSettings {
  defaultStrategy: Strategy;
  enableNamespaces: boolean;
  cacheTtlSeconds: number;
  requestTimeoutSeconds: number;
  /** Attempts after the first, where a retry is safe. */
  maxRetries: number;
  retryBackoff: number;
  maxBackoffSeconds: number;
  /** First backoff sleep before jitter, seconds. */
  retryBaseSeconds: number;
  healthCheckIntervalSeconds: number;
  healthCheckTimeoutSeconds: number;
  /**
   * register_backend and unregister_backend (the tools that change what runs) are listed and callable only
   * when the operator turns this on: they let a caller start programs as the router's user.
   */
  allowBackendChanges: boolean;
}

export interface LoadedConfig {
  /** Absolute path of the file it came from, for messages and reloads. */
  path: string;
  routing: RoutingSettings;
  backends: BackendConfig[];
}

export type LogFormat = 'text' | 'json';

/** Everything the CLI needs to start the router. */
export interface RouterSettings {
  configPath: string;
  transport: 'stdio' | 'http';
  host: string;
  port: number;
  serverName: string;
  logLevel: string;
  logFormat: LogFormat;
  /** Port of the Stately inspector relay, when --inspect is given. */
  inspectPort?: number;
  /** Show tool arguments and results in the inspector (off: they are hidden). */
  inspectPayloads?: boolean;
  /** Bearer token every HTTP request must carry (MCP_AUTH_TOKEN or --auth-token-file). */
  authToken?: string;
  /** Extra Host / Origin values accepted beside the bound address (DNS rebinding protection). */
  allowedHosts: string[];
  allowedOrigins: string[];
  /** Largest accepted HTTP request body, bytes. */
  maxBodyBytes: number;
  /** In stdio mode, serve /healthz, /readyz, /metrics and /status on this port. */
  metricsPort?: number;
  /** Largest config file read, bytes (MCP_MAX_CONFIG_BYTES). */
  maxConfigBytes: number;
}
