/**
 * One client's MCP session with the router: an SDK Server whose handlers serve the aggregate and forward
 * calls through the dispatcher. A session per stdio client or per HTTP session id.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { RouterError } from '../errors';
import type { Logger } from '../logging/logger';
import { callManagementTool, managementToolDefinitions } from '../management/management-tools';
import { isRetrySafeTool } from '../router/failure-policy';
import type { Router } from '../router/router';

export interface ClientSessionOptions {
  router: Router;
  logger: Logger;
  serverName: string;
  version: string;
}

type Extra = RequestHandlerExtra<any, any>;

/** Custom JSON-RPC codes in the implementation-defined server error range. */
export const ROUTER_ERROR_CODES = {
  NO_BACKEND_AVAILABLE: -32010,
  BACKEND_UNAVAILABLE: -32011,
  TIMEOUT: ErrorCode.RequestTimeout,
  CANCELLED: -32012,
} as const;

/** RouterError → JSON-RPC error, once, at the front. A backend's own JSON-RPC error passes through as it was. */
export function toMcpError(error: unknown): McpError {
  if (error instanceof McpError) return error;
  if (error instanceof RouterError) {
    if (error.code === 'BACKEND_ERROR' && error.cause instanceof McpError) return error.cause;
    switch (error.code) {
      case 'UNKNOWN_NAME':
      case 'INVALID_PARAMS':
        return new McpError(ErrorCode.InvalidParams, error.message, error.data);
      case 'NO_BACKEND_AVAILABLE':
      case 'BACKEND_UNAVAILABLE':
      case 'TIMEOUT':
      case 'CANCELLED':
        return new McpError(ROUTER_ERROR_CODES[error.code], error.message, error.data);
      default:
        return new McpError(ErrorCode.InternalError, error.message, error.data);
    }
  }
  return new McpError(ErrorCode.InternalError, 'internal error');
}

function progressForwarder(extra: Extra) {
  const token = extra._meta?.progressToken;
  if (token === undefined) return undefined;
  return (progress: { progress: number; total?: number; message?: string }) => {
    void extra.sendNotification({ method: 'notifications/progress', params: { ...progress, progressToken: token } }).catch(() => {});
  };
}

export function createClientSession(options: ClientSessionOptions): Server {
  const { router } = options;
  const server = new Server(
    { name: options.serverName, version: options.version },
    {
      capabilities: {
        tools: { listChanged: true },
        resources: { listChanged: true },
        prompts: { listChanged: true },
      },
    },
  );

  const forward = async (method: string, name: string, params: Record<string, unknown>, extra: Extra, build: (original: string, backend: string) => Record<string, unknown>, retrySafe: (backend: string) => boolean, resultCounts?: (r: Record<string, unknown>) => 'success' | 'ignored') => {
    try {
      return await router.dispatcher.forward(
        { method, name },
        {
          paramsFor: (backend) => build(originalName(router, method, name), backend),
          retrySafe,
          signal: extra.signal,
          onprogress: progressForwarder(extra),
          resultCounts,
        },
      );
    } catch (error) {
      throw toMcpError(error);
    }
    void params;
  };

  server.setRequestHandler(ListToolsRequestSchema, async () => {
    await router.whenSettled();
    return { tools: [...managementToolDefinitions, ...router.catalog.listTools()] };
  });

  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const { name, arguments: args } = request.params;
    const own = await callManagementTool(router, name, args);
    if (own) return own;
    const entry = router.catalog.tool(name);
    if (!entry) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${name}`);
    return (await forward(
      'tools/call',
      name,
      request.params,
      extra,
      (original) => ({ ...request.params, name: original }),
      (backend) => isRetrySafeTool(entry.perBackend.get(backend)?.annotations),
      (result) => ((result as CallToolResult).isError ? 'ignored' : 'success'),
    )) as CallToolResult;
  });

  server.setRequestHandler(ListPromptsRequestSchema, async () => {
    await router.whenSettled();
    return { prompts: router.catalog.listPrompts() };
  });

  server.setRequestHandler(GetPromptRequestSchema, async (request, extra) => {
    const entry = router.catalog.prompt(request.params.name);
    if (!entry) throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: ${request.params.name}`);
    return (await forward('prompts/get', request.params.name, request.params, extra, (original) => ({ ...request.params, name: original }), () => true)) as never;
  });

  server.setRequestHandler(ListResourcesRequestSchema, async () => {
    await router.whenSettled();
    return { resources: router.catalog.listResources() };
  });

  server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => {
    await router.whenSettled();
    return { resourceTemplates: router.catalog.listResourceTemplates() };
  });

  server.setRequestHandler(ReadResourceRequestSchema, async (request, extra) => {
    const { uri } = request.params;
    if (router.catalog.resourceBackends(uri).length === 0) throw new McpError(ErrorCode.InvalidParams, `Unknown resource: ${uri}`);
    return (await forward('resources/read', uri, request.params, extra, () => ({ ...request.params }), () => true)) as never;
  });

  const unsubscribe = router.onListChanged((change) => {
    if (change.tools) void server.sendToolListChanged().catch(() => {});
    if (change.prompts) void server.sendPromptListChanged().catch(() => {});
    if (change.resources) void server.sendResourceListChanged().catch(() => {});
  });
  const previousOnClose = server.onclose;
  server.onclose = () => {
    unsubscribe();
    previousOnClose?.();
  };
  return server;
}

function originalName(router: Router, method: string, name: string): string {
  if (method === 'tools/call') return router.catalog.tool(name)?.original ?? name;
  if (method === 'prompts/get') return router.catalog.prompt(name)?.original ?? name;
  return name;
}
