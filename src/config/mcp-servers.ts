/**
 * The `mcpServers` files of Claude Desktop, Cursor, Windsurf and Gemini CLI (VS Code says `servers`,
 * Continue keeps a list), turned into our file shape so a user can point the router at the configuration
 * they already have. Problems found later in the converted shape are reported at the user's own paths.
 */
import { quote, type ConfigIssue } from '../errors';
import { appendKey } from './issues';
import { mcpServerEntrySchema } from './schema';

/** Where a converted backend came from, and which of its keys became which of ours. */
export interface Origin {
  path: string;
  /** Our field → the user's field; '' is the entry itself (its name is its key). */
  keys: Record<string, string>;
}

export interface Converted {
  file: { backends: Record<string, unknown>[] };
  origins: Origin[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return Boolean(v) && typeof v === 'object' && !Array.isArray(v);
}

/** The key holding the servers, when `value` is such a file (and not ours, which has `backends`). */
export function mcpServersKey(value: unknown): 'mcpServers' | 'servers' | undefined {
  if (!isObject(value) || 'backends' in value) return undefined;
  if (isObject(value.mcpServers) || Array.isArray(value.mcpServers)) return 'mcpServers';
  if (isObject(value.servers)) return 'servers';
  return undefined;
}

const TRANSPORTS: Record<string, string> = {
  stdio: 'stdio',
  http: 'streamable-http',
  'streamable-http': 'streamable-http',
  streamablehttp: 'streamable-http',
  streamable_http: 'streamable-http',
  sse: 'sse',
};

function entries(servers: unknown, key: string): [string, string, unknown][] {
  if (Array.isArray(servers))
    return servers.map((e, i) => [isObject(e) && typeof e.name === 'string' ? e.name : '', appendKey(key, i), e]);
  return Object.entries(servers as Record<string, unknown>).map(([name, e]) => [name, appendKey(key, name), e]);
}

export function fromMcpServers(
  value: Record<string, unknown>,
  key: 'mcpServers' | 'servers',
  issues: ConfigIssue[],
): Converted {
  const backends: Record<string, unknown>[] = [];
  const origins: Origin[] = [];
  for (const [name, path, entry] of entries(value[key], key)) {
    const parsed = mcpServerEntrySchema.safeParse(entry);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        issues.push({
          path: issue.path.reduce<string>((p, k) => appendKey(p, k), path),
          problem: issue.message.replace(/^Invalid input: /, ''),
        });
      continue;
    }
    const e = parsed.data;
    if (e.disabled) continue; // off in the user's client, so off here
    const kindKey = e.type !== undefined ? 'type' : 'transport';
    const urlKey = e.url !== undefined ? 'url' : e.serverUrl !== undefined ? 'serverUrl' : 'httpUrl';
    const kind = e.type ?? e.transport ?? (e.httpUrl !== undefined ? 'http' : undefined);
    const transport = kind === undefined ? undefined : TRANSPORTS[kind.toLowerCase()];
    if (kind !== undefined && !transport) {
      issues.push({
        path: appendKey(path, kindKey),
        problem: `unsupported transport ${quote(kind)} (stdio, http or sse)`,
      });
      continue;
    }
    const backend: Record<string, unknown> = {
      name,
      command: e.command,
      args: e.args,
      env: e.env,
      cwd: e.cwd,
      url: e.url ?? e.serverUrl ?? e.httpUrl,
      headers: e.headers,
      transport,
    };
    backends.push(Object.fromEntries(Object.entries(backend).filter(([, v]) => v !== undefined)));
    origins.push({ path, keys: { name: '', transport: kindKey, url: urlKey } });
  }
  return { file: { backends }, origins };
}

/** `backends[2].url` of the converted shape → `mcpServers.web.serverUrl` of the user's file. */
export function translatePath(path: string, origins: Origin[]): string {
  const m = /^backends\[(\d+)\](?:\.([A-Za-z_]+))?([\s\S]*)$/.exec(path);
  const origin = m && origins[Number(m[1])];
  if (!m || !origin) return path;
  const field = m[2] === undefined ? undefined : (origin.keys[m[2]] ?? m[2]);
  return (field ? appendKey(origin.path, field) : origin.path) + m[3];
}
