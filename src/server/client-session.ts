/**
 * One client's MCP session with the router: an SDK Server whose handlers serve the aggregate and forward
 * calls through the dispatcher. A session per stdio client or per HTTP session id.
 */
// First: the SDK's server must load with its stand-ins for what the router never runs.
import './sdk-v1-stand-ins';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import type { jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  CompleteRequestSchema,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
  type LoggingLevel,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
  type JSONRPCMessage,
  type ServerNotification,
  type ServerRequest,
} from '@modelcontextprotocol/sdk/types.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { Logger } from '../logging/logger';
import { isWanted } from '../router/log-levels';
import type { Router } from '../router/router';
import type { ClientOrigin } from '../backends/client-origins';
import { advertisedCapabilities, ClientOperations, type CallContext } from './client-operations';
import { toMcpError } from './client-errors';
import { takeToolCalls, type ToolCallHandler } from './tool-call-lane';
import { answerErrorsAsSent } from './sdk-seams';

const PassThroughResult = z.looseObject({});

export interface ClientSessionOptions {
  router: Router;
  logger: Logger;
  serverName: string;
  version: string;
}

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

function progressForwarder(extra: Extra) {
  const token = extra._meta?.progressToken;
  if (token === undefined) return undefined;
  return (progress: { progress: number; total?: number; message?: string }) => {
    void extra
      .sendNotification({ method: 'notifications/progress', params: { ...progress, progressToken: token } })
      .catch(() => {});
  };
}

/**
 * One schema validator for every session, made when first asked for: the SDK's Server makes an Ajv of its own
 * per session otherwise, for `elicitInput`, which the router never calls (it relays backends' elicitations).
 */
let validator: AjvJsonSchemaValidator | undefined;
const sharedValidator: jsonSchemaValidator = {
  getValidator: (schema) => (validator ??= new AjvJsonSchemaValidator()).getValidator(schema),
};

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
  const operations = new ClientOperations(router);
  const server = new SessionServer(
    { name: options.serverName, version: options.version },
    {
      capabilities: advertisedCapabilities(aggregate),
      jsonSchemaValidator: sharedValidator,
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

  /** Runs one operation; a RouterError becomes the JSON-RPC error the SDK sends. */
  const answer = async <T>(run: () => Promise<T>): Promise<T> => {
    if (!instancesReady) await instances;
    try {
      return await run();
    } catch (error) {
      throw toMcpError(error);
    }
  };

  /** The context of a request the SDK Server handles: its signal, progress and stream. */
  const contextOf = (extra: Extra): CallContext => ({
    session: sessionKey,
    signal: extra.signal,
    onprogress: progressForwarder(extra),
    origin: originOf(extra),
  });

  // The same result object while the catalog stays: its JSON is written once for every session (written-once.ts).
  server.setRequestHandler(ListToolsRequestSchema, () => operations.listToolsResult() as never);

  // tools/call goes by the lane (tool-call-lane.ts): the same operation, with the lane's controller and stream.
  server.callTool = (params, call) =>
    answer(() => {
      const token = params._meta?.progressToken;
      return operations.callTool(params, {
        session: sessionKey,
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
      });
    });

  if (aggregate.prompts) {
    server.setRequestHandler(
      ListPromptsRequestSchema,
      async () => ({ prompts: await operations.listPrompts() }) as never,
    );
    server.setRequestHandler(
      GetPromptRequestSchema,
      (request, extra) => answer(() => operations.getPrompt(request.params, contextOf(extra))) as never,
    );
  }

  if (aggregate.resources) {
    server.setRequestHandler(
      ListResourceTemplatesRequestSchema,
      async () => ({ resourceTemplates: await operations.listResourceTemplates() }) as never,
    );
    server.setRequestHandler(
      ReadResourceRequestSchema,
      (request, extra) => answer(() => operations.readResource(request.params, contextOf(extra))) as never,
    );
    server.setRequestHandler(
      ListResourcesRequestSchema,
      async () => ({ resources: await operations.listResources() }) as never,
    );
  }

  if (aggregate.subscribe) {
    server.setRequestHandler(SubscribeRequestSchema, async (request, extra) => {
      const { uri } = request.params;
      if (router.subscriptions.add(uri, sessionKey)) {
        try {
          await answer(() => operations.subscription('resources/subscribe', uri, contextOf(extra)));
        } catch (error) {
          router.subscriptions.remove(uri, sessionKey);
          throw error;
        }
      }
      return {};
    });
    server.setRequestHandler(UnsubscribeRequestSchema, async (request, extra) => {
      const { uri } = request.params;
      if (router.subscriptions.remove(uri, sessionKey))
        await answer(() => operations.subscription('resources/unsubscribe', uri, contextOf(extra)));
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

  if (aggregate.completions)
    server.setRequestHandler(
      CompleteRequestSchema,
      (request, extra) => answer(() => operations.complete(request.params as never, contextOf(extra))) as never,
    );

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
