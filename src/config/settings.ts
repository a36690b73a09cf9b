/**
 * Settings precedence: flag > environment variable > the file's `routing:` block > default.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type ConfigIssue } from '../errors';
import { PACKAGE_ROOT } from '../version';
import { STRATEGIES, type LogFormat, type RouterSettings, type RoutingSettings, type Strategy } from './types';

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
};

export const BUNDLED_CONFIG = join(PACKAGE_ROOT, 'config', 'backends.yaml');

/** Flags as the CLI parsed them: strings, validated here. */
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
}

type Env = Record<string, string | undefined>;

class Reader {
  readonly issues: ConfigIssue[] = [];
  constructor(private readonly env: Env) {}

  private raw(name: string, flag?: string): { value: string; source: string } | undefined {
    if (flag !== undefined) return { value: flag, source: `--${name.replace(/^MCP_/, '').toLowerCase().replace(/_/g, '-')}` };
    const v = this.env[name];
    return v === undefined || v === '' ? undefined : { value: v, source: name };
  }

  number(name: string, opts: { min?: number; integer?: boolean } = {}, flag?: string): number | undefined {
    const r = this.raw(name, flag);
    if (!r) return undefined;
    const n = Number(r.value);
    if (!Number.isFinite(n) || (opts.integer && !Number.isInteger(n)) || (opts.min !== undefined && n < opts.min)) {
      this.issues.push({ path: r.source, problem: `expected ${opts.integer ? 'an integer' : 'a number'}${opts.min !== undefined ? ` ≥ ${opts.min}` : ''}, got ${JSON.stringify(r.value)}` });
      return undefined;
    }
    return n;
  }

  boolean(name: string): boolean | undefined {
    const r = this.raw(name);
    if (!r) return undefined;
    const v = r.value.toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(v)) return true;
    if (['false', '0', 'no', 'off'].includes(v)) return false;
    this.issues.push({ path: r.source, problem: `expected true or false, got ${JSON.stringify(r.value)}` });
    return undefined;
  }

  oneOf<T extends string>(name: string, choices: readonly T[], flag?: string): T | undefined {
    const r = this.raw(name, flag);
    if (!r) return undefined;
    if ((choices as readonly string[]).includes(r.value)) return r.value as T;
    this.issues.push({ path: r.source, problem: `expected one of ${choices.join(', ')}, got ${JSON.stringify(r.value)}` });
    return undefined;
  }

  string(name: string, flag?: string): string | undefined {
    return this.raw(name, flag)?.value;
  }

  check(): void {
    if (this.issues.length) throw new ConfigError('(command line and environment)', this.issues);
  }
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Routing settings from environment variables (they beat the file's routing: block). */
export function routingOverrides(_flags: CliFlags, env: Env): Partial<RoutingSettings> {
  const r = new Reader(env);
  const overrides = defined({
    defaultStrategy: r.oneOf<Strategy>('MCP_DEFAULT_STRATEGY', STRATEGIES),
    enableNamespaces: r.boolean('MCP_ENABLE_NAMESPACES'),
    cacheTtlSeconds: r.number('MCP_CACHE_TTL', { min: 0 }),
    requestTimeoutSeconds: r.number('MCP_REQUEST_TIMEOUT', { min: 0.001 }),
    maxRetries: r.number('MCP_MAX_RETRIES', { min: 0, integer: true }),
    retryBackoff: r.number('MCP_RETRY_BACKOFF', { min: 1 }),
    maxBackoffSeconds: r.number('MCP_MAX_BACKOFF', { min: 0 }),
    retryBaseSeconds: r.number('MCP_RETRY_BASE', { min: 0 }),
    healthCheckIntervalSeconds: r.number('MCP_HEALTH_CHECK_INTERVAL', { min: 0.001 }),
    healthCheckTimeoutSeconds: r.number('MCP_HEALTH_CHECK_TIMEOUT', { min: 0.001 }),
  });
  r.check();
  return overrides;
}

function list(value: string | undefined): string[] {
  return value ? value.split(',').map((v) => v.trim()).filter(Boolean) : [];
}

/** --auth-token-file beats MCP_AUTH_TOKEN; the token itself never appears in a message. */
function readToken(file: string | undefined, env: Env, r: Reader): string | undefined {
  if (file !== undefined) {
    try {
      const token = readFileSync(file, 'utf8').trim();
      if (!token) r.issues.push({ path: '--auth-token-file', problem: `${file} is empty` });
      return token || undefined;
    } catch (error) {
      r.issues.push({ path: '--auth-token-file', problem: `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})` });
      return undefined;
    }
  }
  return env.MCP_AUTH_TOKEN || undefined;
}

export function resolveRouterSettings(flags: CliFlags, env: Env): RouterSettings {
  const r = new Reader(env);
  const inspectPort = flags.inspect === undefined ? undefined : r.number('MCP_INSPECT_PORT', { min: 0, integer: true }, flags.inspect);
  const settings: RouterSettings = {
    configPath: r.string('MCP_BACKENDS_CONFIG', flags.configPath) ?? BUNDLED_CONFIG,
    transport: r.oneOf('MCP_TRANSPORT', ['stdio', 'http'] as const, flags.transport) ?? 'stdio',
    host: r.string('MCP_HOST', flags.host) ?? '127.0.0.1',
    port: r.number('MCP_PORT', { min: 0, integer: true }, flags.port) ?? 8000,
    serverName: r.string('MCP_SERVER_NAME') ?? 'mcp-router',
    logLevel: r.oneOf('MCP_LOG_LEVEL', ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const, flags.logLevel) ?? 'info',
    logFormat: r.oneOf<LogFormat>('MCP_LOG_FORMAT', ['text', 'json'], flags.logFormat) ?? 'text',
    inspectPort,
    inspectPayloads: flags.inspectPayloads ?? false,
    metricsPort: flags.metricsPort === undefined ? undefined : r.number('MCP_METRICS_PORT', { min: 0, integer: true }, flags.metricsPort),
    authToken: readToken(flags.authTokenFile, env, r),
    allowedHosts: list(r.string('MCP_ALLOWED_HOSTS', flags.allowedHosts)),
    allowedOrigins: list(r.string('MCP_ALLOWED_ORIGINS', flags.allowedOrigins)),
    maxBodyBytes: r.number('MCP_MAX_BODY_BYTES', { min: 1, integer: true }, flags.maxBodyBytes) ?? 4 * 1024 * 1024,
  };
  r.check();
  return settings;
}
