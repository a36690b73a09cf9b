/**
 * Secrets (tokens, header values, environment values from config) must never reach a log line, an error or
 * an inspector event. Anything under a key that looks secret is replaced, at any depth.
 */
const SECRET_KEY =
  /^(authorization|cookie|set-cookie|token|access_token|refresh_token|api[-_]?key|password|secret|headers|env|x-api-key|proxy-authorization)$/i;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g;

export const REDACTED = '[redacted]';

export function redact<T>(value: T, depth = 0): T {
  if (depth > 8 || value === null || value === undefined) return value;
  if (typeof value === 'string') return value.replace(BEARER, `$1 ${REDACTED}`) as T;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1)) as T;
  if (typeof value === 'object' && !(value instanceof Error)) {
    const out: Record<string | symbol, unknown> = {};
    for (const key of Reflect.ownKeys(value as object)) {
      const v = (value as Record<string | symbol, unknown>)[key];
      out[key] = typeof key === 'string' && SECRET_KEY.test(key) ? maskAll(v) : redact(v, depth + 1);
    }
    return out as T;
  }
  return value;
}

function maskAll(v: unknown): unknown {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    return Object.fromEntries(Object.keys(v).map((k) => [k, REDACTED]));
  }
  return REDACTED;
}
