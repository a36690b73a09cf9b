/**
 * loadConfig: a backends file (YAML, or JSON in the `mcpServers` shape) read, `${VAR}`-expanded,
 * validated and normalized into LoadedConfig, in that order. Every refusal is one ConfigError naming the
 * file and, per problem, the field's path. parseBackend does the same for one backend given at run time.
 */
import { dirname, resolve } from 'node:path';
import { ConfigError, quote, type ConfigIssue } from '../errors';
import type { Connection } from './backend-source';
import { checkBackends } from './check-backends';
import { expandEnv } from './expand-env';
import { zodIssues } from './issues';
import { fromMcpServers, mcpServersKey, translatePath, type Origin } from './mcp-servers';
import { normalizeBackend, routingFromFile } from './normalize';
import { readDocument, readDocumentAsync } from './read-document';
import { backendSchema, fileSchema } from './schema';
import { configSecrets } from './secrets';
import { resolveRouting, type Env } from './settings';
import type { BackendConfig, LoadedConfig, RoutingSettings } from './types';

export { formatPath } from './issues';

export interface LoadOptions {
  /** Where `${VAR}` takes its values from (process.env in the CLI, a literal object in tests). */
  env: Env;
  /** Settings that beat the file's routing: block: flags and environment variables (routingOverrides). */
  overrides?: Partial<RoutingSettings>;
  /** Largest file read, bytes (DEFAULT_MAX_CONFIG_BYTES: 4 MiB). */
  maxBytes?: number;
}

function refuseIf(file: string, issues: ConfigIssue[], origins?: Origin[]): void {
  if (issues.length === 0) return;
  throw new ConfigError(file, origins ? issues.map((i) => ({ ...i, path: translatePath(i.path, origins) })) : issues);
}

export function loadConfig(file: string, options: LoadOptions): LoadedConfig {
  const path = resolve(file);
  return fromDocument(path, readDocument(path, options.maxBytes), options);
}

/** The same, reading the file without blocking the event loop: for reloads while requests are served. */
export async function loadConfigAsync(file: string, options: LoadOptions): Promise<LoadedConfig> {
  const path = resolve(file);
  return fromDocument(path, await readDocumentAsync(path, options.maxBytes), options);
}

function fromDocument(path: string, document: unknown, options: LoadOptions): LoadedConfig {
  const issues: ConfigIssue[] = [];
  const found: string[] = [];
  const expand = { found };

  // Another tool's file: expand and convert only the servers, the rest of the file is that tool's business.
  const serversKey = mcpServersKey(document);
  let raw: unknown;
  let origins: Origin[] | undefined;
  if (serversKey) {
    const doc = document as Record<string, unknown>;
    const servers = expandEnv(doc[serversKey], options.env, serversKey, issues, expand);
    refuseIf(path, issues);
    const converted = fromMcpServers({ [serversKey]: servers }, serversKey, issues);
    // Our own routing: block may sit beside the servers; it means what it means in our format.
    const routing =
      doc.routing === undefined ? undefined : expandEnv(doc.routing, options.env, 'routing', issues, expand);
    refuseIf(path, issues);
    raw = routing === undefined ? converted.file : { routing, ...converted.file };
    origins = converted.origins;
  } else {
    raw = expandEnv(document, options.env, '', issues, expand);
    refuseIf(path, issues);
  }

  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) refuseIf(path, zodIssues(parsed.error), origins);
  const data = parsed.data!;
  const connections = checkBackends(data.backends, issues);
  refuseIf(path, issues, origins);

  const routing = resolveRouting(routingFromFile(data.routing), options.overrides);
  const baseDir = dirname(path);
  const backends = data.backends.map((b, i) =>
    normalizeBackend(b, connections[i] as Connection, routing, baseDir, found, options.env),
  );
  for (const b of backends) configSecrets.add(b.secrets ?? []);
  return { path, routing, backends };
}

export interface ParseBackendOptions {
  env: Env;
  routing: RoutingSettings;
  /** Names of the backends already running: a duplicate is refused, a fallback_to may name them. */
  others: string[];
  /** Directory a relative cwd resolves against (the config file's). */
  baseDir: string;
}

/**
 * One backend in the file's format (the register_backend tool), validated exactly like a file entry, except
 * that nothing in it is expanded: `${VAR}` is taken literally, so a caller cannot have the router's
 * environment sent to a program or URL of its choosing.
 */
export function parseBackend(raw: unknown, options: ParseBackendOptions): BackendConfig {
  const where = '(register_backend)';
  const issues: ConfigIssue[] = [];
  const literal = expandEnv(raw, {}, 'backend', issues, { literal: true });
  refuseIf(where, issues);
  const parsed = backendSchema.safeParse(literal);
  if (!parsed.success) refuseIf(where, zodIssues(parsed.error, 'backend'));
  const b = parsed.data!;
  // A caller must not have the router's environment handed to a program of its choosing.
  if (b.env_passthrough !== undefined)
    issues.push({ path: 'backend.env_passthrough', problem: 'env_passthrough is for config files only' });
  if (options.others.includes(b.name))
    issues.push({ path: 'backend.name', problem: `a backend named ${quote(b.name)} already exists` });
  const [connection] = checkBackends([b], issues, { prefix: 'backend', known: options.others });
  refuseIf(
    where,
    issues.map((i) => ({ ...i, path: i.path.replace(/^backend\[0\]/, 'backend') })),
  );
  const config = normalizeBackend(b, connection as Connection, options.routing, options.baseDir);
  configSecrets.add(config.secrets ?? []);
  return config;
}
