/**
 * What a backend may send us besides answers: notifications (list_changed, logging, resource updates)
 * and requests meant for the client (sampling, elicitation, roots). Registered on each backend's SDK
 * client before it connects.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
  type LoggingMessageNotification,
} from '@modelcontextprotocol/sdk/types.js';
import { forTheWire } from '../server/wire-error';
import type { ClientOrigins } from '../router/client-origins';

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
  const refresh = () => events.listChanged(backend, client);
  client.setNotificationHandler(ToolListChangedNotificationSchema, refresh);
  client.setNotificationHandler(PromptListChangedNotificationSchema, refresh);
  client.setNotificationHandler(ResourceListChangedNotificationSchema, refresh);
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
    // A log message while one client session has calls running here belongs to that session (a backend logs
    // what a call does): it goes to that session alone, on the call's stream. With none or several, nobody can
    // tell whose it is, and every session gets it.
    const origin = origins.soleOrigin(backend);
    if (origin?.notify) origin.notify(n.method, n.params);
    else events.logMessage(backend, n.params);
  });
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) =>
    events.resourceUpdated(backend, n.params.uri),
  );

  for (const schema of [CreateMessageRequestSchema, ElicitRequestSchema, ListRootsRequestSchema]) {
    client.setRequestHandler(schema, async (request, extra) => {
      try {
        const origin = await origins.attribute(backend, request.method, { signal: extra.signal });
        return (await origin.request(request.method, request.params as Record<string, unknown>, extra.signal)) as never;
      } catch (error) {
        throw forTheWire(error);
      }
    });
  }
}
