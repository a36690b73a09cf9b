/**
 * subscriptions/listen (2026-07-28): the one place a 2026 client hears about changes. The stream is
 * acknowledged first with the part of the filter the router honours; then each notification the client asked
 * for (list changes, updates of the resources it named) goes on it, tagged with the subscription's id. The
 * router subscribes the backends to those resources while any stream or 2025 session wants them.
 */
import { randomUUID } from 'node:crypto';
import { META } from '../protocol/modern';
import type { Router } from '../router/router';
import type { ClientOperations } from './client-operations';

type Fields = Record<string, unknown>;

export interface SubscriptionFilter {
  toolsListChanged?: boolean;
  promptsListChanged?: boolean;
  resourcesListChanged?: boolean;
  resourceSubscriptions?: string[];
}

export interface ListenStream {
  /** The filter the router agreed to honour. */
  readonly honored: SubscriptionFilter;
  /** Ends the subscription (the client left, or the router stops). */
  close(): void;
}

/** The part of a client's filter the aggregate can honour. */
export function honoredFilter(router: Router, requested: unknown): SubscriptionFilter {
  const asked = (typeof requested === 'object' && requested !== null ? requested : {}) as SubscriptionFilter;
  const aggregate = router.aggregateCapabilities();
  const honored: SubscriptionFilter = {};
  if (asked.toolsListChanged === true) honored.toolsListChanged = true;
  if (asked.promptsListChanged === true && aggregate.prompts) honored.promptsListChanged = true;
  if (asked.resourcesListChanged === true && aggregate.resources) honored.resourcesListChanged = true;
  if (Array.isArray(asked.resourceSubscriptions) && aggregate.subscribe) {
    const uris = asked.resourceSubscriptions.filter((u): u is string => typeof u === 'string');
    if (uris.length > 0) honored.resourceSubscriptions = uris;
  }
  return honored;
}

/**
 * Opens a subscription for the listen request `id`; `send` writes a notification on its stream. The
 * acknowledgement is sent before this returns.
 */
export function openListen(
  router: Router,
  operations: ClientOperations,
  id: string | number,
  requested: unknown,
  send: (method: string, params: Fields) => void,
): ListenStream {
  const honored = honoredFilter(router, requested);
  const tag = { [META.subscriptionId]: id };
  const key = `listen:${randomUUID()}`;
  send('notifications/subscriptions/acknowledged', { notifications: honored, _meta: tag });

  const stopLists = router.onListChanged((change) => {
    if (change.tools && honored.toolsListChanged) send('notifications/tools/list_changed', { _meta: tag });
    if (change.prompts && honored.promptsListChanged) send('notifications/prompts/list_changed', { _meta: tag });
    if (change.resources && honored.resourcesListChanged) send('notifications/resources/list_changed', { _meta: tag });
  });
  const uris = honored.resourceSubscriptions ?? [];
  const stopUpdates =
    uris.length === 0
      ? () => {}
      : router.onBroadcast({
          resourceUpdated: (_backend, uri) => {
            if (router.subscriptions.has(uri, key)) send('notifications/resources/updated', { uri, _meta: tag });
          },
        });
  for (const uri of uris) {
    if (!router.subscriptions.add(uri, key)) continue;
    // The first subscriber of a URI subscribes the backends; a backend that refuses leaves it unsubscribed.
    void operations
      .subscription('resources/subscribe', uri, {
        origin: { id: key, request: () => Promise.reject(new Error('no input on a listen stream')) },
      })
      .catch(() => router.subscriptions.remove(uri, key));
  }
  let closed = false;
  return {
    honored,
    close() {
      if (closed) return;
      closed = true;
      stopLists();
      stopUpdates();
      for (const uri of router.subscriptions.dropSession(key)) void router.unsubscribeBackend(uri);
    },
  };
}

/** The answer that ends a listen stream gracefully (the router is stopping). */
export function listenEnded(id: string | number): Fields {
  return { resultType: 'complete', _meta: { [META.subscriptionId]: id } };
}
