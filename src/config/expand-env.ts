/**
 * `${VAR}` and `${VAR:-default}` in every string value of the file, from the given environment (never
 * process.env behind the caller's back). It runs before validation, so an expanded value is checked like a
 * written one. An unset variable without a default is an issue naming the field and the variable, never an
 * empty string passed on quietly.
 *
 * - `${VAR}`: the value, which may be empty; unset is an issue.
 * - `${VAR:-default}`: the default when VAR is unset or empty (as in the shell).
 * - `${env:VAR}`: VS Code's spelling of `${VAR}`, so its mcp.json files read as they are.
 * - `$${`: a literal `${`. Any other `${...}` is an issue: a reference we cannot resolve must not pass as text.
 *
 * With `literal`, nothing is expanded (register_backend: a caller's text is taken as written), but the depth
 * limit still holds.
 */
import type { ConfigIssue } from '../errors';
import type { Env } from './env-reader';
import { appendKey } from './issues';

const TOKEN = /\$\$\{|\$\{([^}]*)(\})?/g;
const REFERENCE = /^(?:env:)?([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;

/** Variables whose values are no secret, and which hiding would garble every path in the logs. */
const PLAIN_VARIABLES = new Set(['HOME', 'USER', 'LOGNAME', 'PATH', 'PWD', 'TMPDIR', 'TMP', 'TEMP', 'SHELL', 'LANG']);

export interface ExpandOptions {
  /** Take every string as written: no reference is expanded, `$${` stays `$${`. */
  literal?: boolean;
  /** Collects every value read from the environment: secrets, as far as the router can tell. */
  found?: string[];
}

/** Deeper than this, a document is refused rather than walked (it could only be hostile). */
export const MAX_DEPTH = 64;

export function expandString(
  value: string,
  env: Env,
  path: string,
  issues: ConfigIssue[],
  options: ExpandOptions = {},
): string {
  if (options.literal) return value;
  return value.replace(TOKEN, (match: string, body: string | undefined, closed: string | undefined) => {
    if (match === '$${') return '${';
    if (!closed) {
      issues.push({ path, problem: `unclosed "\${" (write $\${ for a literal \${)` });
      return match;
    }
    const ref = REFERENCE.exec(body ?? '');
    if (!ref) {
      issues.push({
        path,
        problem: `"${match}" is not a reference: use \${VAR} or \${VAR:-default} (write $\${ for a literal \${)`,
      });
      return match;
    }
    const [, name = '', fallback] = ref;
    const found = env[name];
    if (found && !PLAIN_VARIABLES.has(name)) options.found?.push(found);
    if (fallback !== undefined) return found ? found : fallback;
    if (found !== undefined) return found;
    issues.push({ path, problem: `environment variable ${name} is not set (use \${${name}:-default} for a default)` });
    return match;
  });
}

/** A copy of `value` with every string expanded; problems go to `issues`, with the path of each field. */
export function expandEnv(
  value: unknown,
  env: Env,
  path = '',
  issues: ConfigIssue[] = [],
  options: ExpandOptions = {},
  depth = 0,
): unknown {
  if (typeof value === 'string') return expandString(value, env, path, issues, options);
  if (value && typeof value === 'object' && depth >= MAX_DEPTH) {
    issues.push({ path, problem: `nested more than ${MAX_DEPTH} levels deep` });
    return value;
  }
  if (Array.isArray(value))
    return value.map((v, i) => expandEnv(v, env, appendKey(path, i), issues, options, depth + 1));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, expandEnv(v, env, appendKey(path, k), issues, options, depth + 1)]),
    );
  }
  return value;
}
