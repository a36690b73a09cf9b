/**
 * The file format, as zod schemas: strict (an unknown key is refused with its path), snake_case as in the
 * original Python MCP Router's backends.yaml (amp-rh/mcp), which is accepted unchanged. Shapes only: the
 * checks that span fields (command or url, fallback_to targets, cycles) are in check-backends.ts.
 */
import { z } from './zod';
import { STRATEGIES } from './types';

const positive = z.number().positive();
const strategy = z.enum(STRATEGIES as [string, ...string[]]);
const stringMap = z.record(z.string(), z.string());

/** Longest backend name or namespace: an exposed name is `<namespace>__<name>`, and tool names stop at 64. */
export const MAX_NAME_CHARS = 64;

/**
 * Names that every plain object already has (`constructor`, `toString`, `__proto__`, ...): a backend of that
 * name would be mistaken for one that exists wherever backends are kept by name in an object.
 */
function isObjectPrototypeName(name: string): boolean {
  return name in Object.prototype;
}

const backendName = z
  .string()
  .min(1)
  .max(MAX_NAME_CHARS, `at most ${MAX_NAME_CHARS} characters`)
  .regex(/^[A-Za-z0-9_.-]+$/, 'use letters, digits, _, . and - only')
  .refine(
    (n) => !isObjectPrototypeName(n),
    'this name is reserved (a property every JavaScript object has): choose another',
  );

/**
 * Header names are HTTP tokens; values may not hold control characters (a CR or LF would split the header),
 * nor characters beyond Latin-1, which fetch refuses at every connect (a config error, not a backend's failure).
 */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_EXCEPT_TAB = /[\u0000-\u0008\u000a-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex -- a range that starts at NUL
const BEYOND_LATIN1 = /[^\u0000-\u00ff]/;
const headerMap = z.record(
  z.string().regex(HEADER_NAME, 'not a valid HTTP header name'),
  z
    .string()
    .refine((v) => !CONTROL_EXCEPT_TAB.test(v), 'a header value may not contain control characters (CR, LF, NUL, ...)')
    .refine(
      (v) => !BEYOND_LATIN1.test(v),
      'a header value may hold only Latin-1 characters (encode other text, e.g. as base64 or percent-encoding)',
    ),
);
/** Environment names may not hold `=` or NUL, values not NUL (the OS could not pass them on). */
const envMap = z.record(
  // eslint-disable-next-line no-control-regex -- NUL is what it refuses
  z.string().regex(/^[^=\u0000]+$/, 'an environment variable name may not be empty or contain = or NUL'),
  z.string().refine((v) => !v.includes('\u0000'), 'an environment value may not contain NUL'),
);

export const routeSchema = z.strictObject({
  /** The original's config repository defaults a missing pattern to `*`. */
  pattern: z.string().min(1).optional(),
  strategy: strategy.optional(),
  /** The original takes one name; a list makes a longer chain. */
  fallback_to: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
});

export const healthCheckSchema = z.strictObject({
  enabled: z.boolean().optional(),
  interval_seconds: positive.optional(),
  timeout_seconds: positive.optional(),
  /** The original's HTTP health URL path. Accepted and ignored: the router probes with MCP `ping`. */
  endpoint: z.string().optional(),
});

export const circuitBreakerSchema = z.strictObject({
  failure_threshold: z.number().int().positive().optional(),
  timeout_seconds: positive.optional(),
  half_open_attempts: z.number().int().positive().optional(),
});

export const backendSchema = z.strictObject({
  name: backendName,
  /** stdio */
  command: z.string().min(1).optional(),
  args: z.array(z.string()).optional(),
  env: envMap.optional(),
  /** Names of the router's environment variables this backend gets as they are (it gets few by default). */
  env_passthrough: z
    .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name: letters, digits and _'))
    .optional(),
  cwd: z.string().min(1).optional(),
  /** HTTP. `source` is the original's name: an http(s) URL, `github:owner/repo` or a package run with uvx. */
  url: z.string().optional(),
  source: z.string().min(1).optional(),
  /** The original's port for a process it started (`source:` package): passed on as PORT. */
  port: z.number().int().min(1).max(65535).optional(),
  transport: z.enum(['stdio', 'streamable-http', 'http', 'sse']).optional(),
  /** Which MCP era the router speaks to it: probe (auto), or one revision only. */
  protocol: z.enum(['auto', '2025-11-25', '2026-07-28']).optional(),
  headers: headerMap.optional(),
  namespace: z
    .string()
    .min(1)
    .max(MAX_NAME_CHARS, `at most ${MAX_NAME_CHARS} characters`)
    .regex(/^[A-Za-z0-9_-]+$/, 'use letters, digits, _ and - only')
    .optional(),
  /** Lower is preferred; the original's default is 10. */
  priority: z.number().optional(),
  /** The original's flag: false registers the backend without starting it. `enabled` says the same. */
  auto_start: z.boolean().optional(),
  enabled: z.boolean().optional(),
  session: z.enum(['shared', 'per-client']).optional(),
  description: z.string().optional(),
  routes: z.array(routeSchema).optional(),
  health_check: healthCheckSchema.optional(),
  circuit_breaker: circuitBreakerSchema.optional(),
});

export const routingSchema = z.strictObject({
  default_strategy: strategy.optional(),
  enable_namespace_prefixing: z.boolean().optional(),
  capability_cache_ttl_seconds: z.number().nonnegative().optional(),
  request_timeout_seconds: positive.optional(),
  retry: z
    .strictObject({
      /** Includes the first attempt (the original's meaning); MCP_MAX_RETRIES counts only those after it. */
      max_attempts: z.number().int().positive().optional(),
      backoff_multiplier: z.number().min(1).optional(),
      max_backoff_seconds: z.number().nonnegative().optional(),
      base_backoff_seconds: z.number().nonnegative().optional(),
    })
    .optional(),
  /** Defaults for every backend's health_check (the original had them only as environment variables). */
  health_check: z
    .strictObject({ interval_seconds: positive.optional(), timeout_seconds: positive.optional() })
    .optional(),
  /** Lets callers run register_backend / unregister_backend (off by default: they start programs). */
  allow_backend_changes: z.boolean().optional(),
});

export const fileSchema = z.strictObject({
  routing: routingSchema.optional(),
  backends: z.array(backendSchema),
});

export type RawBackend = z.infer<typeof backendSchema>;
export type RawRouting = z.infer<typeof routingSchema>;
export type RawFile = z.infer<typeof fileSchema>;

/** Every key the format knows, for "did you mean" hints on unknown ones. */
export const KNOWN_KEYS: readonly string[] = [
  ...new Set([
    ...Object.keys(fileSchema.shape),
    ...Object.keys(backendSchema.shape),
    ...Object.keys(routeSchema.shape),
    ...Object.keys(healthCheckSchema.shape),
    ...Object.keys(circuitBreakerSchema.shape),
    ...Object.keys(routingSchema.shape),
    'max_attempts',
    'backoff_multiplier',
    'max_backoff_seconds',
    'base_backoff_seconds',
  ]),
];

/**
 * One server of the `mcpServers` shape (Claude Desktop, Cursor, Windsurf, Gemini CLI; VS Code's `servers`).
 * Loose: these files belong to other tools, whose extra keys (autoApprove, disabled, timeout...) are theirs.
 */
export const mcpServerEntrySchema = z.looseObject({
  name: z.string().optional(),
  command: z.string().optional(),
  args: z.array(z.string()).optional(),
  env: stringMap.optional(),
  cwd: z.string().optional(),
  url: z.string().optional(),
  /** Windsurf's and Gemini CLI's names for the URL. */
  serverUrl: z.string().optional(),
  httpUrl: z.string().optional(),
  type: z.string().optional(),
  transport: z.string().optional(),
  headers: stringMap.optional(),
  disabled: z.boolean().optional(),
});
