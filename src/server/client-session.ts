/**
 * One client's MCP session with the router: an SDK Server whose handlers serve the aggregate and forward
 * calls through the dispatcher. A session per stdio client or per HTTP session id.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  CompleteRequestSchema,
  ErrorCode,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
  type LoggingLevel,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  type JSONRPCMessage,
  type ServerNotification,
  type ServerRequest,
} from '@modelcontextprotocol/sdk/types.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { RouterError } from '../errors';
import type { Logger } from '../logging/logger';
import { callManagementTool, listedManagementTools } from '../management/management-tools';
import { MANAGEMENT_TOOL_NAMES } from '../management/tool-names';
import { isRetrySafeTool } from '../protocol/failure-policy';
import { isWanted } from '../router/log-levels';
import type { Router } from '../router/router';
import type { ClientOrigin } from '../backends/client-origins';
import { takeToolCalls, type ToolCallHandler } from './tool-call-lane';
import { answerErrorsAsSent } from './sdk-seams';

const PassThroughResult = z.looseObject({});
const MANAGEMENT_TOOLS = new Set(MANAGEMENT_TOOL_NAMES);

export interface ClientSessionOptions {
  router: Router;
  logger: Logger;
  serverName: string;
  version: string;
}

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

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
    void extra
      .sendNotification({ method: 'notifications/progress', params: { ...progress, progressToken: token } })
      .catch(() => {});
  };
}

/** An SDK Server whose transport hands tools/call to the tool-call lane before the SDK sees it. */
class SessionServer extends Server {
  callTool: ToolCallHandler | undefined;

  override async connect(transport: Transport): Promise<void> {
    answerErrorsAsSent(this);
    await super.connect(transport);
    if (this.callTool) takeToolCalls(transport, this.callTool);
  }
}

/**
 * Builds a session. Call it once the backends have settled: the capabilities it advertises are those of the
 * aggregate at that moment, and no more.
 */
export function createClientSession(options: ClientSessionOptions): Server {
  const { router } = options;
  const aggregate = router.aggregateCapabilities();
  const sessionKey = randomUUID();
  const server = new SessionServer(
    { name: options.serverName, version: options.version },
    {
      capabilities: {
        tools: { listChanged: true },
        ...(aggregate.resources
          ? { resources: { listChanged: true, ...(aggregate.subscribe ? { subscribe: true } : {}) } }
          : {}),
        ...(aggregate.prompts ? { prompts: { listChanged: true } } : {}),
        ...(aggregate.logging ? { logging: {} } : {}),
        ...(aggregate.completions ? { completions: {} } : {}),
      },
    },
  );
  let clientLogLevel: LoggingLevel | undefined;
  // Backends with `session: per-client` get an instance of their own for this session; calls wait for them.
  let instancesReady = false;
  const instances = router.openClientSession(sessionKey).finally(() => (instancesReady = true));

  /** A backend's log message, if this client asked for that level (logging/setLevel). */
  const wantsLog = (params: Record<string, unknown> | undefined): boolean => {
    return aggregate.logging === true && isWanted(params?.level, clientLogLevel);
  };

  /** A call's notifications, sent by `send` on the call's stream; log messages only at this client's level. */
  const notifyVia =
    (send: (method: string, params: Record<string, unknown> | undefined) => void): ClientOrigin['notify'] =>
    (method, params) => {
      if (method === 'notifications/message' && !wantsLog(params)) return;
      send(method, params);
    };

  /**
   * This session as the origin of a call: a backend's sampling/elicitation, and its log messages while the
   * call runs, go back on the call's own stream.
   */
  const originOf = (extra: Extra): ClientOrigin => ({
    id: sessionKey,
    capabilities: () => server.getClientCapabilities(),
    request: (method, params, signal) =>
      extra.sendRequest({ method, params } as never, PassThroughResult as never, { signal }) as Promise<
        Record<string, unknown>
      >,
    notify: notifyVia((method, params) => void extra.sendNotification({ method, params } as never).catch(() => {})),
  });

  const forward = async (
    method: string,
    name: string,
    extra: Extra,
    build: (original: string, backend: string) => Record<string, unknown>,
    retrySafe: (backend: string) => boolean,
    resultCounts?: (r: Record<string, unknown>) => 'success' | 'ignored',
  ) => {
    if (!instancesReady) await instances;
    try {
      return await router.dispatcher.forward(
        { method, name, session: sessionKey },
        {
          paramsFor: (backend) => build(originalName(router, method, name), backend),
          retrySafe,
          signal: extra.signal,
          onprogress: progressForwarder(extra),
          origin: originOf(extra),
          resultCounts,
        },
      );
    } catch (error) {
      throw toMcpError(error);
    }
  };

  server.setRequestHandler(ListToolsRequestSchema, async () => {
    await router.whenSettled();
    return { tools: [...listedManagementTools(router), ...router.catalog.listTools()] };
  });

  server.callTool = async (params, call) => {
    const { name, arguments: args } = params;
    const own = MANAGEMENT_TOOLS.has(name) ? await callManagementTool(router, name, args) : undefined;
    if (own) return own;
    const entry = router.catalog.tool(name);
    if (!entry) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${name}`);
    const token = params._meta?.progressToken;
    if (!instancesReady) await instances;
    try {
      return await router.dispatcher.forward(
        { method: 'tools/call', name, session: sessionKey },
        {
          paramsFor: () => ({ ...params, name: entry.original }),
          retrySafe: (backend) => isRetrySafeTool(entry.perBackend.get(router.templateOf(backend))?.annotations),
          controller: call.controller,
          onprogress:
            token === undefined
              ? undefined
              : (progress) =>
                  call.send({
                    jsonrpc: '2.0',
                    method: 'notifications/progress',
                    params: { ...progress, progressToken: token as string | number },
                  }),
          origin: {
            id: sessionKey,
            capabilities: () => server.getClientCapabilities(),
            request: (method, requestParams, signal) =>
              server.request({ method, params: requestParams } as never, PassThroughResult as never, {
                signal,
                relatedRequestId: call.id,
              }) as Promise<Record<string, unknown>>,
            notify: notifyVia((method, notificationParams) =>
              call.send({ jsonrpc: '2.0', method, params: notificationParams } as JSONRPCMessage),
            ),
          },
          resultCounts: (result) => (result.isError ? 'ignored' : 'success'),
        },
      );
    } catch (error) {
      throw toMcpError(error);
    }
  };

  if (aggregate.prompts)
    server.setRequestHandler(ListPromptsRequestSchema, async () => {
      await router.whenSettled();
      return { prompts: router.catalog.listPrompts() };
    });

  if (aggregate.prompts)
    server.setRequestHandler(GetPromptRequestSchema, async (request, extra) => {
      const entry = router.catalog.prompt(request.params.name);
      if (!entry) throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: ${request.params.name}`);
      return (await forward(
        'prompts/get',
        request.params.name,
        extra,
        (original) => ({ ...request.params, name: original }),
        () => true,
      )) as never;
    });

  if (aggregate.resources)
    server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => {
      await router.whenSettled();
      return { resourceTemplates: router.catalog.listResourceTemplates() };
    });

  if (aggregate.resources)
    server.setRequestHandler(ReadResourceRequestSchema, async (request, extra) => {
      const { uri } = request.params;
      if (router.catalog.resourceBackends(uri).length === 0)
        throw new McpError(ErrorCode.InvalidParams, `Unknown resource: ${uri}`);
      return (await forward(
        'resources/read',
        uri,
        extra,
        () => ({ ...request.params }),
        () => true,
      )) as never;
    });

  if (aggregate.resources) {
    server.setRequestHandler(ListResourcesRequestSchema, async () => {
      await router.whenSettled();
      return { resources: router.catalog.listResources() };
    });
  }

  if (aggregate.subscribe) {
    server.setRequestHandler(SubscribeRequestSchema, async (request, extra) => {
      const { uri } = request.params;
      if (router.subscriptions.add(uri, sessionKey)) {
        try {
          await forward(
            'resources/subscribe',
            uri,
            extra,
            () => ({ ...request.params }),
            () => true,
          );
        } catch (error) {
          router.subscriptions.remove(uri, sessionKey);
          throw error;
        }
      }
      return {};
    });
    server.setRequestHandler(UnsubscribeRequestSchema, async (request, extra) => {
      const { uri } = request.params;
      if (router.subscriptions.remove(uri, sessionKey)) {
        await forward(
          'resources/unsubscribe',
          uri,
          extra,
          () => ({ ...request.params }),
          () => true,
        );
      }
      return {};
    });
  }

  if (aggregate.logging) {
    // Fans out to every backend that logs; the session keeps its own level to filter what it receives.
    server.setRequestHandler(SetLevelRequestSchema, async (request) => {
      clientLogLevel = request.params.level;
      await router.setBackendLogLevel(sessionKey, request.params.level);
      return {};
    });
  }

  if (aggregate.completions) {
    server.setRequestHandler(CompleteRequestSchema, async (request, extra) => {
      const ref = request.params.ref as { type: string; name?: string; uri?: string };
      if (ref.type === 'ref/prompt') {
        const entry = router.catalog.prompt(ref.name ?? '');
        if (!entry) throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: ${ref.name}`);
        return (await forward(
          'completion/complete',
          `prompt:${ref.name}`,
          extra,
          () => ({ ...request.params, ref: { ...ref, name: entry.original } }),
          () => true,
        )) as never;
      }
      const uri = ref.uri ?? '';
      return (await forward(
        'completion/complete',
        uri,
        extra,
        () => ({ ...request.params }),
        () => true,
      )) as never;
    });
  }

  const stopBroadcast = router.onBroadcast({
    session: sessionKey,
    logMessage: (_backend, params) => {
      if (wantsLog(params)) void server.notification({ method: 'notifications/message', params }).catch(() => {});
    },
    resourceUpdated: (_backend, uri) => {
      if (router.subscriptions.has(uri, sessionKey)) void server.sendResourceUpdated({ uri }).catch(() => {});
    },
  });

  const unsubscribe = router.onListChanged((change) => {
    if (change.tools) void server.sendToolListChanged().catch(() => {});
    if (change.prompts) void server.sendPromptListChanged().catch(() => {});
    if (change.resources) void server.sendResourceListChanged().catch(() => {});
  });
  const previousOnClose = server.onclose;
  server.onclose = () => {
    unsubscribe();
    stopBroadcast();
    for (const uri of router.subscriptions.dropSession(sessionKey)) void router.unsubscribeBackend(uri);
    void router.closeClientSession(sessionKey);
    previousOnClose?.();
  };
  return server;
}

function originalName(router: Router, method: string, name: string): string {
  if (method === 'tools/call') return router.catalog.tool(name)?.original ?? name;
  if (method === 'prompts/get') return router.catalog.prompt(name)?.original ?? name;
  return name;
}
