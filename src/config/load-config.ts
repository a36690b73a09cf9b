/**
 * Reads a backends file (YAML, or JSON in the `mcpServers` shape), expands `${VAR}`, validates it and
 * normalizes it into LoadedConfig. Every refusal names the file, the field's path and the problem.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import micromatch from 'micromatch';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../errors';
import { expandEnv } from './expand-env';
import { fromMcpServers, isMcpServersShape } from './mcp-servers';
import { backendSchema, fileSchema, type RawBackend, type RawFile } from './schema';
import { DEFAULT_ROUTING } from './settings';
import type { BackendConfig, LoadedConfig, RoutingSettings, Strategy } from './types';

export interface LoadOptions {
  env: Record<string, string | undefined>;
  /** Settings that beat the file's routing: block (flags and environment variables). */
  overrides?: Partial<RoutingSettings>;
}

/** `backends[1].routes[0].fallback_to` from zod's path array. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');
}

function zodIssues(error: z.ZodError, prefix = ''): ConfigIssue[] {
  return error.issues.map((issue) => {
    const path = [prefix, formatPath([...issue.path])].filter(Boolean).join('.');
    if (issue.code === 'unrecognized_keys') {
      return { path, problem: `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}` };
    }
    return { path, problem: issue.message };
  });
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(file, [{ path: '', problem: code === 'ENOENT' ? 'file not found' : `cannot read the file (${code ?? String(error)})` }]);
  }
}

function parseText(file: string, text: string): unknown {
  const doc = parseDocument(text);
  if (doc.errors.length) {
    const e = doc.errors[0];
    const where = e.linePos?.[0] ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}: ` : '';
    throw new ConfigError(file, [{ path: '', problem: `not valid YAML or JSON: ${where}${e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "")}` }]);
  }
  return doc.toJS() ?? {};
}

function checkUrl(url: string, path: string, issues: ConfigIssue[]): void {
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') issues.push({ path, problem: `must be an http or https URL, got ${u.protocol}` });
  } catch {
    issues.push({ path, problem: `not a valid URL: ${JSON.stringify(url)}` });
  }
}

/** Semantic checks zod cannot express: source of the connection, duplicates, fallback chains, globs. */
function checkBackends(raw: RawBackend[], issues: ConfigIssue[]): void {
  const seen = new Map<string, number>();
  raw.forEach((b, i) => {
    const at = `backends[${i}]`;
    const first = seen.get(b.name);
    if (first !== undefined) issues.push({ path: `${at}.name`, problem: `duplicate backend name ${JSON.stringify(b.name)} (also backends[${first}])` });
    else seen.set(b.name, i);
    const url = b.url ?? b.source;
    if (b.url && b.source) issues.push({ path: `${at}.source`, problem: 'give url or source, not both' });
    if (!b.command && !url) issues.push({ path: at, problem: 'a backend needs either command (stdio) or url (HTTP)' });
    if (b.command && url) issues.push({ path: at, problem: 'a backend has either command (stdio) or url (HTTP), not both' });
    if (url) checkUrl(url, `${at}.${b.url ? 'url' : 'source'}`, issues);
    if (b.command && b.transport && b.transport !== 'stdio') issues.push({ path: `${at}.transport`, problem: `a command backend speaks stdio, not ${b.transport}` });
    if (url && b.transport === 'stdio') issues.push({ path: `${at}.transport`, problem: 'a url backend speaks streamable-http or sse, not stdio' });
    if (b.command && b.headers) issues.push({ path: `${at}.headers`, problem: 'headers apply to url backends only' });
    b.routes?.forEach((r, j) => {
      try {
        micromatch.makeRe(r.pattern);
      } catch (error) {
        issues.push({ path: `${at}.routes[${j}].pattern`, problem: `not a valid glob: ${(error as Error).message}` });
      }
    });
  });
  raw.forEach((b, i) =>
    b.routes?.forEach((r, j) => {
      for (const target of toList(r.fallback_to)) {
        if (!seen.has(target)) issues.push({ path: `backends[${i}].routes[${j}].fallback_to`, problem: `names no backend: ${JSON.stringify(target)}` });
      }
    }),
  );
  if (issues.length === 0) findFallbackCycle(raw, issues);
}

function toList(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** A fallback_to chain that leads back to where it started would never end: refused with the closing link. */
function findFallbackCycle(raw: RawBackend[], issues: ConfigIssue[]): void {
  const edges = new Map<string, { to: string; path: string }[]>();
  raw.forEach((b, i) =>
    b.routes?.forEach((r, j) => {
      for (const to of toList(r.fallback_to)) {
        const list = edges.get(b.name) ?? [];
        list.push({ to, path: `backends[${i}].routes[${j}].fallback_to` });
        edges.set(b.name, list);
      }
    }),
  );
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): boolean => {
    state.set(name, 'visiting');
    stack.push(name);
    for (const edge of edges.get(name) ?? []) {
      if (edge.to === name) continue; // a backend naming itself adds nothing, and loops nowhere
      if (state.get(edge.to) === 'visiting') {
        const cycle = [...stack.slice(stack.indexOf(edge.to)), edge.to].join(' → ');
        issues.push({ path: edge.path, problem: `fallback_to makes a cycle: ${cycle}` });
        return true;
      }
      if (!state.has(edge.to) && visit(edge.to)) return true;
    }
    stack.pop();
    state.set(name, 'done');
    return false;
  };
  for (const b of raw) if (!state.has(b.name) && visit(b.name)) return;
}

function normalizeRouting(file: RawFile['routing'], overrides: Partial<RoutingSettings> = {}): RoutingSettings {
  const fromFile: Partial<RoutingSettings> = {};
  if (file?.default_strategy) fromFile.defaultStrategy = file.default_strategy as Strategy;
  if (file?.enable_namespace_prefixing !== undefined) fromFile.enableNamespaces = file.enable_namespace_prefixing;
  if (file?.capability_cache_ttl_seconds !== undefined) fromFile.cacheTtlSeconds = file.capability_cache_ttl_seconds;
  if (file?.request_timeout_seconds !== undefined) fromFile.requestTimeoutSeconds = file.request_timeout_seconds;
  if (file?.retry?.max_attempts !== undefined) fromFile.maxRetries = file.retry.max_attempts - 1;
  if (file?.retry?.backoff_multiplier !== undefined) fromFile.retryBackoff = file.retry.backoff_multiplier;
  if (file?.retry?.max_backoff_seconds !== undefined) fromFile.maxBackoffSeconds = file.retry.max_backoff_seconds;
  if (file?.retry?.base_backoff_seconds !== undefined) fromFile.retryBaseSeconds = file.retry.base_backoff_seconds;
  if (file?.health_check?.interval_seconds !== undefined) fromFile.healthCheckIntervalSeconds = file.health_check.interval_seconds;
  if (file?.health_check?.timeout_seconds !== undefined) fromFile.healthCheckTimeoutSeconds = file.health_check.timeout_seconds;
  return { ...DEFAULT_ROUTING, ...fromFile, ...overrides };
}

export function normalizeBackend(b: RawBackend, routing: RoutingSettings, baseDir: string): BackendConfig {
  const url = b.url ?? b.source;
  return {
    name: b.name,
    namespace: b.namespace ?? b.name.replace(/[^A-Za-z0-9_-]/g, '_'),
    priority: b.priority ?? 100,
    transport: b.command ? 'stdio' : b.transport === 'sse' ? 'sse' : b.transport ? 'streamable-http' : 'auto',
    command: b.command,
    args: b.args ?? [],
    env: b.env ?? {},
    cwd: b.cwd === undefined ? undefined : isAbsolute(b.cwd) ? b.cwd : resolve(baseDir, b.cwd),
    url,
    headers: b.headers ?? {},
    routes: (b.routes ?? []).map((r) => ({ pattern: r.pattern, strategy: r.strategy as Strategy | undefined, fallbackTo: toList(r.fallback_to) })),
    healthCheck: {
      enabled: b.health_check?.enabled ?? true,
      intervalSeconds: b.health_check?.interval_seconds ?? routing.healthCheckIntervalSeconds,
      timeoutSeconds: b.health_check?.timeout_seconds ?? routing.healthCheckTimeoutSeconds,
    },
    circuitBreaker: {
      failureThreshold: b.circuit_breaker?.failure_threshold ?? 5,
      timeoutSeconds: b.circuit_breaker?.timeout_seconds ?? 60,
      halfOpenAttempts: b.circuit_breaker?.half_open_attempts ?? 3,
    },
    session: b.session ?? 'shared',
    autoStart: b.auto_start ?? b.enabled ?? true,
  };
}

export function loadConfig(file: string, options: LoadOptions): LoadedConfig {
  const path = resolve(file);
  let parsed = parseText(path, readText(path));
  if (isMcpServersShape(parsed)) parsed = fromMcpServers(path, parsed);
  const expandIssues: ConfigIssue[] = [];
  const expanded = expandEnv(parsed, options.env, '', expandIssues);
  if (expandIssues.length) throw new ConfigError(path, expandIssues);
  const result = fileSchema.safeParse(expanded);
  if (!result.success) throw new ConfigError(path, zodIssues(result.error));
  const issues: ConfigIssue[] = [];
  checkBackends(result.data.backends, issues);
  if (issues.length) throw new ConfigError(path, issues);
  const routing = normalizeRouting(result.data.routing, options.overrides);
  return { path, routing, backends: result.data.backends.map((b) => normalizeBackend(b, routing, dirname(path))) };
}

/**
 * One backend in the file's format (register_backend), with the same validation. `others` are the running
 * backends, for the duplicate-name and fallback_to checks.
 */
export function parseBackend(raw: unknown, options: { env: Record<string, string | undefined>; routing: RoutingSettings; others: string[]; baseDir: string }): BackendConfig {
  const where = '(register_backend)';
  const issues: ConfigIssue[] = [];
  const expanded = expandEnv(raw, options.env, 'backend', issues);
  if (issues.length) throw new ConfigError(where, issues);
  const result = backendSchema.safeParse(expanded);
  if (!result.success) throw new ConfigError(where, zodIssues(result.error, 'backend'));
  const placeholders = options.others.filter((n) => n !== result.data.name).map((name) => ({ name, command: 'x' }) as RawBackend);
  checkBackends([result.data, ...placeholders], issues);
  if (options.others.includes(result.data.name)) issues.push({ path: 'backend.name', problem: `a backend named ${JSON.stringify(result.data.name)} already exists` });
  if (issues.length) throw new ConfigError(where, issues.map((i) => ({ ...i, path: i.path.replace(/^backends\[0\]/, 'backend') })));
  return normalizeBackend(result.data, options.routing, options.baseDir);
}
