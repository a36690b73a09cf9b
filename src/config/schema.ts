/**
 * The file format, as zod schemas: strict (an unknown key is refused with its path), snake_case as in the
 * original Python MCP Router's backends.yaml, which is accepted unchanged.
 */
import { z } from 'zod';
import { STRATEGIES } from './types';

const positive = z.number().positive();
const strategy = z.enum(STRATEGIES as [string, ...string[]]);

export const routeSchema = z.strictObject({
  pattern: z.string().min(1),
  strategy: strategy.optional(),
  fallback_to: z.union([z.string().min(1), z.array(z.string().min(1))]).optional(),
});

export const healthCheckSchema = z.strictObject({
  enabled: z.boolean().optional(),
  interval_seconds: positive.optional(),
  timeout_seconds: positive.optional(),
});

export const circuitBreakerSchema = z.strictObject({
  failure_threshold: z.number().int().positive().optional(),
  timeout_seconds: positive.optional(),
  half_open_attempts: z.number().int().positive().optional(),
});

export const backendSchema = z.strictObject({
  name: z.string().min(1).regex(/^[A-Za-z0-9_.-]+$/, 'use letters, digits, _, . and - only'),
  /** stdio */
  command: z.string().min(1).optional(),
  args: z.array(z.string()).optional(),
  env: z.record(z.string(), z.string()).optional(),
  cwd: z.string().optional(),
  /** HTTP; `source` is the original router's name for it */
  url: z.string().optional(),
  source: z.string().optional(),
  transport: z.enum(['stdio', 'streamable-http', 'http', 'sse']).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  namespace: z.string().min(1).regex(/^[A-Za-z0-9_-]+$/, 'use letters, digits, _ and - only').optional(),
  priority: z.number().optional(),
  /** The original's flag: false registers the backend without starting it. */
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
      max_attempts: z.number().int().positive().optional(),
      backoff_multiplier: z.number().min(1).optional(),
      max_backoff_seconds: z.number().nonnegative().optional(),
      base_backoff_seconds: z.number().nonnegative().optional(),
    })
    .optional(),
  health_check: healthCheckSchema.optional(),
});

export const fileSchema = z.strictObject({
  routing: routingSchema.optional(),
  backends: z.array(backendSchema),
});

export type RawBackend = z.infer<typeof backendSchema>;
export type RawFile = z.infer<typeof fileSchema>;

/** The `mcpServers` shape of Claude Desktop and Cursor, and VS Code's `servers`. */
export const mcpServerEntrySchema = z.looseObject({
  command: z.string().optional(),
  args: z.array(z.string()).optional(),
  env: z.record(z.string(), z.string()).optional(),
  cwd: z.string().optional(),
  url: z.string().optional(),
  type: z.string().optional(),
  transport: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  disabled: z.boolean().optional(),
});
