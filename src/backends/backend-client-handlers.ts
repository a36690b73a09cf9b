/**
 * What a backend may send us besides answers: notifications (list_changed, logging, resource updates)
 * and requests meant for the client (sampling, elicitation, roots). Registered on each backend's SDK
 * client before it connects.
 */
import type { Client, ClientCapabilities, LoggingMessageNotification } from '@modelcontextprotocol/client';
import type { McpError } from '@modelcontextprotocol/sdk/types.js';
import { ErrorCode, mcpError } from '../protocol/mcp-error';
import { forTheWire } from '../protocol/wire-error';
import type { ClientOrigin, ClientOrigins } from './client-origins';

/** The capability a client must have declared to be sent each of a backend's requests, and what it is for. */
const REQUIRED_CAPABILITY: Record<string, { key: keyof ClientCapabilities; what: string }> = {
  'sampling/createMessage': { key: 'sampling', what: 'sampling' },
  'elicitation/create': { key: 'elicitation', what: 'elicitation' },
  'roots/list': { key: 'roots', what: 'roots' },
};

/**
 * The router declares every capability to its backends (it serves many clients); each request is checked
 * against the one client it would go to. A client that did not declare it would answer "method not found"
 * at best, or never: the backend hears that at once, from us.
 */
export function refusalFor(method: string, origin: Pick<ClientOrigin, 'capabilities'>): McpError | undefined {
  const required = REQUIRED_CAPABILITY[method];
  if (!required || !origin.capabilities) return undefined;
  if (origin.capabilities()?.[required.key] !== undefined) return undefined;
  return mcpError(
    ErrorCode.MethodNotFound,
    `mcp-router: the client does not support ${required.what} (it did not declare the "${required.key}" capability), so ${method} was not sent to it`,
  );
}

export interface BackendClientEvents {
  /** The backend's lists changed: rediscover them. */
  listChanged(backend: string, client: Client): void;
  logMessage(backend: string, params: LoggingMessageNotification['params']): void;
  resourceUpdated(backend: string, uri: string): void;
}

export function registerBackendClientHandlers(
  backend: string,
  client: Client,
  events: BackendClientEvents,
  origins: ClientOrigins,
): void {
  // A 2025 backend sends these unsolicited; a 2026 backend on the subscriptions/listen stream: the same handlers.
  const refresh = () => events.listChanged(backend, client);
  client.setNotificationHandler('notifications/tools/list_changed', refresh);
  client.setNotificationHandler('notifications/prompts/list_changed', refresh);
  client.setNotificationHandler('notifications/resources/list_changed', refresh);
  client.setNotificationHandler('notifications/message', (n) => {
    // A log message while one client session has calls running here belongs to that session (a backend logs
    // what a call does): it goes to that session alone, on the call's stream. With none or several, nobody can
    // tell whose it is, and every session gets it.
    const origin = origins.soleOrigin(backend);
    if (origin?.notify) origin.notify(n.method, n.params);
    else events.logMessage(backend, n.params);
  });
  client.setNotificationHandler('notifications/resources/updated', (n) =>
    events.resourceUpdated(backend, n.params.uri),
  );

  // 2025 backends only: a 2026 backend asks in its results (input-rounds.ts), with the calling client known.
  for (const method of ['sampling/createMessage', 'elicitation/create', 'roots/list'] as const) {
    client.setRequestHandler(method, async (request, ctx) => {
      try {
        const origin = await origins.attribute(backend, request.method, { signal: ctx.mcpReq.signal });
        const refusal = refusalFor(request.method, origin);
        if (refusal) throw refusal;
        return (await origin.request(
          request.method,
          request.params as Record<string, unknown>,
          ctx.mcpReq.signal,
        )) as never;
      } catch (error) {
        throw forTheWire(error);
      }
    });
  }
}
