/**
 * Settings precedence: flag > environment variable > the file's `routing:` block > default. The defaults
 * and variable names are the original Python router's (amp-rh/mcp, config.py), except the bind address,
 * which is loopback here unless the user says otherwise.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../version';
import { DEFAULT_MAX_CONFIG_BYTES } from './read-document';
import { EnvReader, type Env } from './env-reader';
import { STRATEGIES, type LogFormat, type RouterSettings, type RoutingSettings, type Strategy } from './types';

export type { Env } from './env-reader';

export const DEFAULT_ROUTING: RoutingSettings = {
  defaultStrategy: 'capability',
  enableNamespaces: true,
  cacheTtlSeconds: 300,
  requestTimeoutSeconds: 30,
  maxRetries: 3,
  retryBackoff: 2.0,
  maxBackoffSeconds: 10,
  retryBaseSeconds: 0.1,
  healthCheckIntervalSeconds: 30,
  healthCheckTimeoutSeconds: 5,
  allowBackendChanges: false,
};

/** The bundled demo, found from the package root (src/ under ts-jest, dist/src/ when built). */
export const BUNDLED_CONFIG = join(PACKAGE_ROOT, 'config', 'backends.yaml');

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8000;
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
export const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const;

/** Flags as the CLI parsed them: strings, validated here exactly like the variables they beat. */
export interface CliFlags {
  configPath?: string;
  transport?: string;
  host?: string;
  port?: string;
  logLevel?: string;
  logFormat?: string;
  inspect?: string;
  inspectPayloads?: boolean;
  metricsPort?: string;
  authTokenFile?: string;
  allowedHosts?: string;
  allowedOrigins?: string;
  maxBodyBytes?: string;
  /** Routing flags, if the CLI offers any (`--request-timeout 5` → { requestTimeoutSeconds: '5' }). */
  routing?: Partial<Record<keyof RoutingSettings, string>>;
}

type Flag = { name: string; value: string | undefined };
type RoutingReader = (r: EnvReader, variable: string, flag: Flag) => RoutingSettings[keyof RoutingSettings] | undefined;

const seconds =
  (opts: { min?: number; above?: number }): RoutingReader =>
  (r, v, f) =>
    r.number(v, opts, f);

/** Each routing setting: its variable, its flag (named after the variable) and how its text is read. */
export const ROUTING_VARIABLES: { key: keyof RoutingSettings; variable: string; read: RoutingReader }[] = [
  { key: 'defaultStrategy', variable: 'MCP_DEFAULT_STRATEGY', read: (r, v, f) => r.oneOf<Strategy>(v, STRATEGIES, f) },
  { key: 'enableNamespaces', variable: 'MCP_ENABLE_NAMESPACES', read: (r, v, f) => r.boolean(v, f) },
  { key: 'cacheTtlSeconds', variable: 'MCP_CACHE_TTL', read: seconds({ min: 0 }) },
  { key: 'requestTimeoutSeconds', variable: 'MCP_REQUEST_TIMEOUT', read: seconds({ above: 0 }) },
  { key: 'maxRetries', variable: 'MCP_MAX_RETRIES', read: (r, v, f) => r.number(v, { min: 0, integer: true }, f) },
  { key: 'retryBackoff', variable: 'MCP_RETRY_BACKOFF', read: seconds({ min: 1 }) },
  { key: 'maxBackoffSeconds', variable: 'MCP_MAX_BACKOFF', read: seconds({ min: 0 }) },
  { key: 'retryBaseSeconds', variable: 'MCP_RETRY_BASE', read: seconds({ min: 0 }) },
  { key: 'healthCheckIntervalSeconds', variable: 'MCP_HEALTH_CHECK_INTERVAL', read: seconds({ above: 0 }) },
  { key: 'healthCheckTimeoutSeconds', variable: 'MCP_HEALTH_CHECK_TIMEOUT', read: seconds({ above: 0 }) },
  { key: 'allowBackendChanges', variable: 'MCP_ALLOW_BACKEND_CHANGES', read: (r, v, f) => r.boolean(v, f) },
];

/** `MCP_REQUEST_TIMEOUT` → `--request-timeout`. */
function flagName(variable: string): string {
  return `--${variable.replace(/^MCP_/, '').toLowerCase().replace(/_/g, '-')}`;
}

function readRouting(r: EnvReader, flags: CliFlags['routing'] = {}): Partial<RoutingSettings> {
  const out: Partial<Record<keyof RoutingSettings, unknown>> = {};
  for (const { key, variable, read } of ROUTING_VARIABLES) {
    const value = read(r, variable, { name: flagName(variable), value: flags[key] });
    if (value !== undefined) out[key] = value;
  }
  return out as Partial<RoutingSettings>;
}

/** The routing settings the environment sets (MCP_DEFAULT_STRATEGY, ...); a malformed one is a ConfigError. */
export function routingFromEnv(env: Env): Partial<RoutingSettings> {
  const r = new EnvReader(env);
  const out = readRouting(r);
  r.check();
  return out;
}

/** What beats the file's routing: block: routing flags over routing variables. Pass to loadConfig. */
export function routingOverrides(flags: CliFlags, env: Env): Partial<RoutingSettings> {
  const r = new EnvReader(env);
  const out = readRouting(r, flags.routing);
  r.check();
  return out;
}

/** Every layer merged: default, then the file's block, then `overrides` (flags and variables). */
export function resolveRouting(
  file: Partial<RoutingSettings> = {},
  overrides: Partial<RoutingSettings> = {},
): RoutingSettings {
  return { ...DEFAULT_ROUTING, ...file, ...overrides };
}

/** The same, from raw flags and environment: flag > variable > file > default. */
export function mergeRouting(layers: {
  flags?: CliFlags;
  env?: Env;
  file?: Partial<RoutingSettings>;
}): RoutingSettings {
  return resolveRouting(layers.file, routingOverrides(layers.flags ?? {}, layers.env ?? {}));
}

function list(value: string | undefined): string[] {
  return value
    ? value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean)
    : [];
}

/** --auth-token-file beats MCP_AUTH_TOKEN; the token itself never appears in a message. */
function readToken(file: string | undefined, env: Env, r: EnvReader): string | undefined {
  if (file !== undefined) {
    try {
      const token = readFileSync(file, 'utf8').trim();
      if (!token) r.issues.push({ path: '--auth-token-file', problem: `${file} is empty` });
      return token || undefined;
    } catch (error) {
      r.issues.push({
        path: '--auth-token-file',
        problem: `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      });
      return undefined;
    }
  }
  return env.MCP_AUTH_TOKEN || undefined;
}

const port = { min: 0, max: 65535, integer: true };

/** Everything the CLI needs to start, flag > variable > default; all malformed values reported at once. */
export function resolveRouterSettings(flags: CliFlags, env: Env): RouterSettings {
  const r = new EnvReader(env);
  const flag = (name: string, value: string | undefined): Flag => ({ name, value });
  const inspectPort =
    flags.inspect === undefined ? undefined : r.number('MCP_INSPECT_PORT', port, flag('--inspect', flags.inspect));
  const settings: RouterSettings = {
    configPath: r.string('MCP_BACKENDS_CONFIG', flag('--config', flags.configPath)) ?? BUNDLED_CONFIG,
    transport: r.oneOf('MCP_TRANSPORT', ['stdio', 'http'] as const, flag('--transport', flags.transport)) ?? 'stdio',
    host: r.string('MCP_HOST', flag('--host', flags.host)) ?? DEFAULT_HOST,
    port: r.number('MCP_PORT', port, flag('--port', flags.port)) ?? DEFAULT_PORT,
    serverName: r.string('MCP_SERVER_NAME') ?? 'mcp-router',
    logLevel: r.oneOf('MCP_LOG_LEVEL', LOG_LEVELS, flag('--log-level', flags.logLevel)) ?? 'info',
    logFormat: r.oneOf<LogFormat>('MCP_LOG_FORMAT', ['text', 'json'], flag('--log-format', flags.logFormat)) ?? 'text',
    inspectPort,
    inspectPayloads: flags.inspectPayloads ?? false,
    metricsPort:
      flags.metricsPort === undefined
        ? undefined
        : r.number('MCP_METRICS_PORT', port, flag('--metrics-port', flags.metricsPort)),
    authToken: readToken(flags.authTokenFile, env, r),
    allowedHosts: list(r.string('MCP_ALLOWED_HOSTS', flag('--allowed-hosts', flags.allowedHosts))),
    allowedOrigins: list(r.string('MCP_ALLOWED_ORIGINS', flag('--allowed-origins', flags.allowedOrigins))),
    maxBodyBytes:
      r.number('MCP_MAX_BODY_BYTES', { min: 1, integer: true }, flag('--max-body-bytes', flags.maxBodyBytes)) ??
      DEFAULT_MAX_BODY_BYTES,
    maxConfigBytes: r.number('MCP_MAX_CONFIG_BYTES', { min: 1, integer: true }) ?? DEFAULT_MAX_CONFIG_BYTES,
  };
  readRouting(r, flags.routing); // only for its issues: a bad MCP_CACHE_TTL is reported with a bad MCP_PORT
  r.check();
  return settings;
}
