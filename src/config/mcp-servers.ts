/**
 * The `mcpServers` JSON that Claude Desktop, Cursor and VS Code use (VS Code also says `servers`), turned
 * into our file shape so a user can point the router at the configuration they already have.
 */
import { ConfigError, type ConfigIssue } from '../errors';
import { mcpServerEntrySchema } from './schema';

export function isMcpServersShape(value: unknown): value is Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return !('backends' in v) && (isObject(v.mcpServers) || isObject(v.servers));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return Boolean(v) && typeof v === 'object' && !Array.isArray(v);
}

export function fromMcpServers(file: string, value: Record<string, unknown>): { backends: Record<string, unknown>[] } {
  const key = isObject(value.mcpServers) ? 'mcpServers' : 'servers';
  const servers = value[key] as Record<string, unknown>;
  const issues: ConfigIssue[] = [];
  const backends: Record<string, unknown>[] = [];
  for (const [name, entry] of Object.entries(servers)) {
    const parsed = mcpServerEntrySchema.safeParse(entry);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) issues.push({ path: `${key}.${name}${issue.path.length ? '.' + issue.path.join('.') : ''}`, problem: issue.message });
      continue;
    }
    const e = parsed.data;
    if (e.disabled) continue;
    const kind = (e.type ?? e.transport)?.toLowerCase();
    const backend: Record<string, unknown> = { name };
    if (e.command) {
      Object.assign(backend, { command: e.command, args: e.args, env: e.env, cwd: e.cwd });
    } else {
      Object.assign(backend, { url: e.url, headers: e.headers });
      if (kind === 'sse') backend.transport = 'sse';
      else if (kind === 'http' || kind === 'streamable-http' || kind === 'streamablehttp') backend.transport = 'streamable-http';
    }
    backends.push(Object.fromEntries(Object.entries(backend).filter(([, v]) => v !== undefined)));
  }
  if (issues.length) throw new ConfigError(file, issues);
  return { backends };
}
