/**
 * The router's own tools. Answers carry structuredContent (validated by clients against outputSchema) and
 * the same JSON as text, for clients that only read text.
 */
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Router } from '../router/router';
import { backendStatus, backendStatusSchema } from './backend-status';

export const managementToolDefinitions: Tool[] = [
  {
    name: 'list_backends',
    title: 'List backends',
    description: 'Every backend behind this router with its connection, health and circuit breaker state.',
    inputSchema: { type: 'object', properties: {} },
    outputSchema: { type: 'object', properties: { backends: { type: 'array', items: backendStatusSchema } }, required: ['backends'] },
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
];

function structured(value: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value, null, 2) }], structuredContent: value };
}

function toolError(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}

export function statusOf(router: Router, name: string) {
  const config = router.backendConfig(name);
  if (!config) return undefined;
  return backendStatus(config, router.backendRef(name)?.getSnapshot(), router.linkOf(name));
}

/** Runs a management tool, or returns undefined when the name is not one of them. */
export async function callManagementTool(router: Router, name: string, args: Record<string, unknown> | undefined): Promise<CallToolResult | undefined> {
  switch (name) {
    case 'list_backends':
      return structured({ backends: router.backendNames().map((n) => statusOf(router, n)!) });
    case 'get_backend_health': {
      const backendName = args?.backend_name;
      if (typeof backendName !== 'string' || !backendName) return toolError('backend_name is required: the name of a backend, as list_backends shows it.');
      const status = statusOf(router, backendName);
      if (!status) return toolError(`Unknown backend ${JSON.stringify(backendName)}. Known backends: ${router.backendNames().join(', ') || 'none'}.`);
      return structured(status);
    }
    case 'explain_route': {
      const target = args?.name;
      if (typeof target !== 'string' || !target) return toolError('name is required: an exposed tool or prompt name, or a resource URI.');
      const explanation = router.explainRoute(target);
      if (explanation.kind === 'unknown') return toolError(`No backend offers ${JSON.stringify(target)}.`);
      return structured(explanation);
    }
    default:
      return undefined;
  }
}
