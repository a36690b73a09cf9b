/**
 * The checks that span fields or backends, which a schema cannot state: how each backend is reached,
 * unique names, route globs, fallback_to targets and cycles. Each problem names the field's path.
 */
import { quote, type ConfigIssue } from '../errors';
import { resolveConnection, type Connection } from './backend-source';
import { micromatch } from './micromatch';
import type { RawBackend } from './schema';

export function toList(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** Path of one fallback_to link: the field itself when it is a string, its element when a list. */
function linkPath(at: string, value: string | string[], k: number): string {
  return Array.isArray(value) ? `${at}.fallback_to[${k}]` : `${at}.fallback_to`;
}

/** Picomatch compiles most typos into a pattern that matches nothing; strict brackets make them errors. */
export function globProblem(pattern: string): string | undefined {
  try {
    const re = micromatch().makeRe(pattern, { strictBrackets: true });
    return re.source === '$^' ? 'not a valid glob: it can match no name' : undefined;
  } catch (error) {
    return `not a valid glob: ${(error as Error).message}`;
  }
}

interface Link {
  from: string;
  to: string;
  path: string;
}

function fallbackLinks(raw: RawBackend[], prefix: string): Link[] {
  return raw.flatMap((b, i) =>
    (b.routes ?? []).flatMap((r, j) => {
      if (r.fallback_to === undefined) return [];
      const value = r.fallback_to;
      return toList(value).map((to, k) => ({
        from: b.name,
        to,
        path: linkPath(`${prefix}[${i}].routes[${j}]`, value, k),
      }));
    }),
  );
}

/** The first link that closes a cycle, walking backends in file order so the answer is stable. */
function findCycle(links: Link[], names: string[]): { link: Link; chain: string[] } | undefined {
  const out = new Map<string, Link[]>();
  for (const link of links) out.set(link.from, [...(out.get(link.from) ?? []), link]);
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): { link: Link; chain: string[] } | undefined => {
    state.set(name, 'open');
    stack.push(name);
    for (const link of out.get(name) ?? []) {
      if (state.get(link.to) === 'open') return { link, chain: [...stack.slice(stack.indexOf(link.to)), link.to] };
      if (!state.has(link.to)) {
        const found = visit(link.to);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const name of names) {
    if (state.has(name)) continue;
    const found = visit(name);
    if (found) return found;
  }
  return undefined;
}

/**
 * Checks `raw` (the entries at `prefix`, e.g. `backends`) and returns each one's connection (undefined where
 * it has none). `known` adds backend names that exist elsewhere (running ones, for register_backend).
 */
export function checkBackends(
  raw: RawBackend[],
  issues: ConfigIssue[],
  options: { prefix?: string; known?: readonly string[] } = {},
): (Connection | undefined)[] {
  const prefix = options.prefix ?? 'backends';
  const firstIndex = new Map<string, number>();
  const connections = raw.map((b, i) => {
    const at = `${prefix}[${i}]`;
    const first = firstIndex.get(b.name);
    if (first !== undefined)
      issues.push({
        path: `${at}.name`,
        problem: `duplicate backend name ${quote(b.name)} (also ${prefix}[${first}])`,
      });
    else firstIndex.set(b.name, i);
    b.routes?.forEach((r, j) => {
      const problem = r.pattern === undefined ? undefined : globProblem(r.pattern);
      if (problem) issues.push({ path: `${at}.routes[${j}].pattern`, problem });
    });
    return resolveConnection(b, at, issues);
  });

  const names = new Set([...firstIndex.keys(), ...(options.known ?? [])]);
  const links = fallbackLinks(raw, prefix);
  for (const link of links) {
    if (link.to === link.from)
      issues.push({
        path: link.path,
        problem: `names its own backend ${quote(link.to)}: a fallback must be another backend`,
      });
    else if (!names.has(link.to))
      issues.push({
        path: link.path,
        problem: `names no backend: ${quote(link.to)} (backends: ${[...names].join(', ')})`,
      });
  }
  const cycle = findCycle(
    links.filter((l) => l.to !== l.from),
    [...firstIndex.keys()],
  );
  if (cycle) issues.push({ path: cycle.link.path, problem: `fallback_to makes a cycle: ${cycle.chain.join(' → ')}` });
  return connections;
}
