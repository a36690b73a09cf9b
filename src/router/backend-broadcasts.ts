/**
 * What backends tell their clients besides answers (log messages, resource updates), fanned out to the client
 * sessions listening: a shared backend's reach every session, a per-client instance's only its own session's.
 * Listeners hear the configured backend's name, never an instance's ("memory#3").
 */
import type { LoggingMessageNotification } from '@modelcontextprotocol/sdk/types.js';

/** What backends tell their clients, fanned out to the client sessions. */
export interface BackendBroadcast {
  /** The listening session: what a per-client instance says reaches its own session only. */
  session?: string;
  logMessage?(backend: string, params: LoggingMessageNotification['params']): void;
  resourceUpdated?(backend: string, uri: string): void;
}

/** Who owns an instance, and which configured backend it belongs to (ClientInstances). */
export interface InstanceOwners {
  ownerOf(name: string): string | undefined;
  templateOf(name: string): string;
}

export class BackendBroadcasts {
  private readonly listeners = new Set<BackendBroadcast>();

  constructor(private readonly owners: InstanceOwners) {}

  add(listener: BackendBroadcast): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  logMessage(backend: string, params: LoggingMessageNotification['params']): void {
    this.deliver(backend, (l) => l.logMessage?.(this.owners.templateOf(backend), params));
  }

  resourceUpdated(backend: string, uri: string): void {
    this.deliver(backend, (l) => l.resourceUpdated?.(this.owners.templateOf(backend), uri));
  }

  private deliver(backend: string, deliver: (listener: BackendBroadcast) => void): void {
    const owner = this.owners.ownerOf(backend);
    for (const listener of this.listeners) if (owner === undefined || listener.session === owner) deliver(listener);
  }
}
