/**
 * The router's own tools. Answers carry structuredContent (validated by clients against outputSchema) and
 * the same JSON as text, for clients that only read text.
 */
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { ErrorCode, mcpError } from '../protocol/mcp-error';
import type { Router } from '../router/router';
import { quote } from '../errors';
import { backendStatus, backendStatusSchema } from './backend-status';
import { publicIssues } from '../config/public-issues';

export const managementToolDefinitions: Tool[] = [
  {
    name: 'list_backends',
    title: 'List backends',
    description: 'Every backend behind this router with its connection, health and circuit breaker state.',
    inputSchema: { type: 'object', properties: {} },
    outputSchema: {
      type: 'object',
      properties: { backends: { type: 'array', items: backendStatusSchema } },
      required: ['backends'],
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
  },
  {
    name: 'get_backend_health',
    title: 'Get backend health',
    description: "One backend's health in detail: connection, probe results, circuit breaker, errors and latency.",
    inputSchema: {
      type: 'object',
      properties: { backend_name: { type: 'string', description: 'The backend name, as list_backends shows it.' } },
      required: ['backend_name'],
    },
    outputSchema: backendStatusSchema as unknown as Tool['outputSchema'],
    annotations: { readOnlyHint: true, openWorldHint: false },
  },
  {
    name: 'explain_route',
    title: 'Explain a route',
    description:
      'How the router would route a tool, prompt or resource URI right now: the candidate backends in order, which are skipped and why, and which strategy decided.',
    inputSchema: {
      type: 'object',
      properties: { name: { type: 'string', description: 'An exposed tool or prompt name, or a resource URI.' } },
      required: ['name'],
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
  },
  {
    name: 'reload_backends_config',
    title: 'Reload the backends file',
    description:
      'Re-reads the config file and applies it without a restart. Reports what was added, removed, changed, or refused.',
    inputSchema: { type: 'object', properties: {} },
    annotations: { readOnlyHint: false, idempotentHint: true, openWorldHint: false },
  },
  {
    name: 'register_backend',
    title: 'Register a backend (runtime only)',
    description:
      'Adds a backend at runtime, validated exactly like an entry of the config file (name, command/args/env or url/headers, namespace, priority, ...). Not persisted: the config file is never written.',
    inputSchema: {
      type: 'object',
      properties: { backend: { type: 'object', description: 'One backend, in the config file format.' } },
      required: ['backend'],
    },
    annotations: { readOnlyHint: false, openWorldHint: true },
  },
  {
    name: 'unregister_backend',
    title: 'Unregister a backend (runtime only)',
    description:
      'Drains a backend (in-flight requests finish) and removes it. Not persisted: the config file is never written.',
    inputSchema: { type: 'object', properties: { backend_name: { type: 'string' } }, required: ['backend_name'] },
    annotations: { readOnlyHint: false, destructiveHint: true, openWorldHint: false },
  },
];

/**
 * The tools that change what runs: register_backend starts a program (or connects to a URL) of the caller's
 * choosing as the router's user, unregister_backend stops someone else's. Off unless the operator says so.
 */
export const BACKEND_CHANGING_TOOLS: ReadonlySet<string> = new Set(['register_backend', 'unregister_backend']);

/** What is listed when backend changes are off: one array, made once (tools/list's answer is kept while it stays). */
const WITHOUT_BACKEND_CHANGES = managementToolDefinitions.filter((t) => !BACKEND_CHANGING_TOOLS.has(t.name));

export const HOW_TO_ALLOW_BACKEND_CHANGES =
  'start the router with --allow-backend-changes, MCP_ALLOW_BACKEND_CHANGES=true or `allow_backend_changes: true` in the routing: block';

/** The management tools this router offers now: those that change the backend set only when allowed. */
export function listedManagementTools(router: Router): Tool[] {
  if (router.settings.allowBackendChanges) return managementToolDefinitions;
  return WITHOUT_BACKEND_CHANGES;
}

function structured(value: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value, null, 2) }], structuredContent: value };
}

function toolError(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}

export function statusOf(router: Router, name: string) {
  const config = router.backendConfig(name);
  if (!config) return undefined;
  return backendStatus(config, router.backendRef(name)?.getSnapshot(), router.linkOf(name), router.traffic.of(name));
}

/** Runs a management tool, or returns undefined when the name is not one of them. */
export async function callManagementTool(
  router: Router,
  name: string,
  args: Record<string, unknown> | undefined,
): Promise<CallToolResult | undefined> {
  if (BACKEND_CHANGING_TOOLS.has(name) && !router.settings.allowBackendChanges) {
    // Answered as the unknown tool it is to this caller, with what the operator would do to turn it on.
    throw mcpError(
      ErrorCode.InvalidParams,
      `${name} is turned off on this router (it would let a caller start or stop programs); to allow it, ${HOW_TO_ALLOW_BACKEND_CHANGES}.`,
    );
  }
  switch (name) {
    case 'list_backends':
      return structured({ backends: router.backendNames().map((n) => statusOf(router, n)!) });
    case 'get_backend_health': {
      const backendName = args?.backend_name;
      if (typeof backendName !== 'string' || !backendName)
        return toolError('backend_name is required: the name of a backend, as list_backends shows it.');
      const status = statusOf(router, backendName);
      if (!status)
        return toolError(
          `Unknown backend ${quote(backendName)}. Known backends: ${router.backendNames().join(', ') || 'none'}.`,
        );
      return structured(status);
    }
    case 'explain_route': {
      const target = args?.name;
      if (typeof target !== 'string' || !target)
        return toolError('name is required: an exposed tool or prompt name, or a resource URI.');
      const explanation = router.explainRoute(target);
      if (explanation.kind === 'unknown') return toolError(`No backend offers ${quote(target)}.`);
      return structured(explanation);
    }
    case 'reload_backends_config': {
      if (!router.managementHooks.reload) return toolError('This router was started without a config file to reload.');
      const report = await router.managementHooks.reload();
      if (report.ok) return structured({ ...report });
      // The file may be one the caller cannot read: the field and the problem, not its lines.
      return { ...structured({ ...report, refused: publicIssues(report.refused) }), isError: true };
    }
    case 'register_backend': {
      const parse = router.managementHooks.parseBackend;
      if (!parse) return toolError('register_backend is not available in this router.');
      let config;
      try {
        config = parse(args?.backend);
      } catch (error) {
        return toolError(`Refused: ${(error as Error).message}`);
      }
      if (router.backendConfig(config.name))
        return toolError(`Refused: a backend named ${quote(config.name)} already exists.`);
      router.addBackends([config]);
      return structured({
        registered: config.name,
        persisted: false,
        note: 'Runtime only: the config file is unchanged, so a restart or reload forgets this backend.',
      });
    }
    case 'unregister_backend': {
      const backendName = args?.backend_name;
      if (typeof backendName !== 'string' || !backendName)
        return toolError('backend_name is required: the name of a backend, as list_backends shows it.');
      if (!router.backendConfig(backendName)) {
        return toolError(
          `Unknown backend ${quote(backendName)}. Known backends: ${router.backendNames().join(', ') || 'none'}.`,
        );
      }
      await router.drainAndRemove([backendName]);
      router.forgetBackend(backendName);
      return structured({
        unregistered: backendName,
        persisted: false,
        note: 'Runtime only: the config file is unchanged.',
      });
    }
    default:
      return undefined;
  }
}
