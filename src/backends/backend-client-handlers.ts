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
import type { ClientOrigins } from '../router/client-origins';

export interface BackendClientEvents {
  /** The backend's lists changed: rediscover them. */
  listChanged(backend: string, client: Client): void;
  logMessage(backend: string, params: LoggingMessageNotification['params']): void;
  resourceUpdated(backend: string, uri: string): void;
}

export function registerBackendClientHandlers(backend: string, client: Client, events: BackendClientEvents, origins: ClientOrigins): void {
  const refresh = () => events.listChanged(backend, client);
  client.setNotificationHandler(ToolListChangedNotificationSchema, refresh);
  client.setNotificationHandler(PromptListChangedNotificationSchema, refresh);
  client.setNotificationHandler(ResourceListChangedNotificationSchema, refresh);
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => events.logMessage(backend, n.params));
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => events.resourceUpdated(backend, n.params.uri));

  for (const schema of [CreateMessageRequestSchema, ElicitRequestSchema, ListRootsRequestSchema]) {
    client.setRequestHandler(schema, async (request, extra) => {
      const origin = origins.originFor(backend, request.method);
      return (await origin.request(request.method, request.params as Record<string, unknown>, extra.signal)) as never;
    });
  }
}
