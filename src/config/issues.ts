/**
 * Field paths in the form users read (`backends[1].routes[0].fallback_to`) and zod's issues turned into
 * ConfigIssues with such paths and plain problems.
 */
import type { z } from 'zod';
import { quote, type ConfigIssue } from '../errors';
import { KNOWN_KEYS } from './schema';

/** Keys longer than this are shortened in paths and messages (only a hostile document has them). */
const MAX_KEY_CHARS = 120;

/**
 * `.key` for plain keys, `["my key"]` for others, so every path can be pasted back (all but absurdly long
 * keys, which are cut, and keys with invisible characters, which are escaped).
 */
export function appendKey(path: string, key: PropertyKey): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  const k = String(key);
  if (k.length <= MAX_KEY_CHARS && /^[A-Za-z_][A-Za-z0-9_-]*$/.test(k)) return path ? `${path}.${k}` : k;
  return `${path}[${quote(k, MAX_KEY_CHARS)}]`;
}

/** `backends[1].routes[0].fallback_to` from a path array. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => appendKey(out, key), '');
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      // Indices stay within the row of b.length + 1 numbers built above.
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The known key a typo most likely meant, if one is close enough to say so. */
export function didYouMean(key: string, known: readonly string[] = KNOWN_KEYS): string | undefined {
  let best: { key: string; d: number } | undefined;
  for (const candidate of known) {
    // Too long to be a typo of it (and an edit distance costs the product of both lengths).
    if (key.length > 2 * candidate.length + 4) continue;
    const [k, c] = [key.toLowerCase(), candidate.toLowerCase()];
    // A close spelling, or a shortened name (`interval` for interval_seconds).
    const d = k.length >= 4 && c.startsWith(k) ? 1 : distance(k, c);
    if (d <= Math.max(1, Math.floor(candidate.length / 4)) && (!best || d < best.d)) best = { key: candidate, d };
  }
  return best?.key;
}

/** One issue per unknown key, at the key's own path, with a hint where the typo is plain. */
export function zodIssues(error: z.ZodError, prefix = ''): ConfigIssue[] {
  return error.issues.flatMap((issue) => {
    const at = prefix ? [prefix, ...issue.path] : [...issue.path];
    const path = formatPath(at);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => {
        const hint = didYouMean(key);
        return {
          path: appendKey(path, key),
          problem: `unknown key ${quote(key, MAX_KEY_CHARS)}${hint ? ` (did you mean "${hint}"?)` : ''}`,
        };
      });
    }
    if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message))
      return [{ path, problem: `required (${issue.expected})` }];
    // A record's key refused by its own schema: say what that schema says about it.
    if (issue.code === 'invalid_key' && issue.issues[0]) return [{ path, problem: issue.issues[0].message }];
    return [{ path, problem: issue.message.replace(/^Invalid input: /, '') }];
  });
}
