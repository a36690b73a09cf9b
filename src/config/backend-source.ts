/**
 * How one backend of the file is reached: a command (stdio) or a URL, from `command`, `url` or the original
 * router's `source`. `source` there is an http(s) URL, `github:owner/repo[/subdir]` or a package name that
 * the original ran with `uvx`; the last two become stdio commands here (uvx serves stdio unless told
 * otherwise), with the original's `port` passed on as PORT.
 */
import { quote, type ConfigIssue } from '../errors';
import type { RawBackend } from './schema';

export interface Connection {
  command?: string;
  args?: string[];
  url?: string;
  /** Environment the source adds (PORT). */
  env?: Record<string, string>;
}

const PACKAGE = /^[A-Za-z0-9][A-Za-z0-9._-]*(?:\[[A-Za-z0-9,._-]+\])?(?:(?:==|>=|<=|~=|@)[A-Za-z0-9.*+!_-]+)?$/;

export function checkUrl(url: string, path: string, issues: ConfigIssue[]): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    issues.push({ path, problem: `not a valid URL: ${quote(url)}` });
    return false;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    issues.push({ path, problem: `must be an http or https URL, got ${parsed.protocol}` });
    return false;
  }
  // fetch refuses such a URL at every connect, and the credentials would ride along in every error text.
  if (parsed.username || parsed.password) {
    issues.push({
      path,
      problem:
        'a URL may not hold a user name or password (user:password@): put credentials in `headers`, e.g. Authorization: "Basic ${CREDENTIALS}" or "Bearer ${TOKEN}"',
    });
    return false;
  }
  return true;
}

function fromSource(source: string, at: string, issues: ConfigIssue[]): Connection | undefined {
  const path = `${at}.source`;
  if (/^https?:\/\//i.test(source) || source.includes('://'))
    return checkUrl(source, path, issues) ? { url: source } : undefined;
  if (source.startsWith('github:')) {
    const [owner, repo, ...sub] = source.slice('github:'.length).split('/');
    if (!owner || !repo) {
      issues.push({ path, problem: `a GitHub source is github:owner/repo, got ${quote(source)}` });
      return undefined;
    }
    const subdirectory = sub.length ? `#subdirectory=${sub.join('/')}` : '';
    return { command: 'uvx', args: ['--from', `git+https://github.com/${owner}/${repo}${subdirectory}`, repo] };
  }
  if (!PACKAGE.test(source)) {
    issues.push({ path, problem: `not an http(s) URL, github:owner/repo or package name: ${quote(source)}` });
    return undefined;
  }
  return { command: 'uvx', args: [source] };
}

/** The connection of backend `b` at path `at`, or undefined with the reasons in `issues`. */
export function resolveConnection(b: RawBackend, at: string, issues: ConfigIssue[]): Connection | undefined {
  const given = [b.command && 'command', b.url !== undefined && 'url', b.source && 'source'].filter(
    Boolean,
  ) as string[];
  if (given.length === 0) {
    issues.push({ path: at, problem: 'a backend needs either command (stdio) or url (HTTP)' });
    return undefined;
  }
  if (given.length > 1) {
    issues.push({
      path: `${at}.${given[1]}`,
      problem: `give one of command (stdio) or url (HTTP), not both ${given.join(' and ')}`,
    });
    return undefined;
  }
  const connection = b.command
    ? { command: b.command, args: b.args }
    : b.url !== undefined
      ? checkUrl(b.url, `${at}.url`, issues)
        ? { url: b.url }
        : undefined
      : fromSource(b.source!, at, issues);
  if (!connection) return undefined;
  const spawned = connection.command !== undefined;
  // args after a source package go to the package's own command line, as with `uvx pkg arg...`
  if (b.source && spawned && b.args) connection.args = [...(connection.args ?? []), ...b.args];
  if (b.port !== undefined) {
    if (b.command || !spawned)
      issues.push({ path: `${at}.port`, problem: 'port applies to a `source:` package or github: backend only' });
    else connection.env = { PORT: String(b.port) };
  }
  if (spawned && b.transport && b.transport !== 'stdio')
    issues.push({ path: `${at}.transport`, problem: `a command backend speaks stdio, not ${b.transport}` });
  if (!spawned && b.transport === 'stdio')
    issues.push({ path: `${at}.transport`, problem: 'a url backend speaks streamable-http or sse, not stdio' });
  if (spawned && b.headers) issues.push({ path: `${at}.headers`, problem: 'headers apply to url backends only' });
  if (!spawned) {
    for (const key of ['args', 'env', 'env_passthrough', 'cwd'] as const)
      if (b[key] !== undefined)
        issues.push({ path: `${at}.${key}`, problem: `${key} is for command (stdio) backends only` });
  }
  return connection;
}
