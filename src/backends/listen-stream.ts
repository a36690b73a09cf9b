/**
 * A 2026-07-28 backend sends change notifications only on a `subscriptions/listen` stream the client opens. The
 * router keeps one open per 2026 backend, asking for every list change the backend can announce and for the
 * resources the router's clients subscribed to; the notifications reach the same handlers a 2025 backend's
 * unsolicited ones do (backend-client-handlers.ts). When the stream drops, it is opened again with a backoff;
 * once it is open again, the backend's lists are read again (what changed in the gap was never announced).
 * A stream that cannot be reopened is the router's sign that an HTTP backend is gone (`onGone`).
 */
import type { Client, McpSubscription, ServerCapabilities, SubscriptionFilter } from '@modelcontextprotocol/client';
import type { RouterClock } from '../clock';
import type { Logger } from '../logging/logger';

export const RELISTEN_BASE_MS = 500;
export const RELISTEN_MAX_MS = 30_000;
/** Reopening attempts that fail in a row before the backend counts as gone. */
export const RELISTEN_ATTEMPTS_BEFORE_GONE = 2;

export interface ListenStreamOptions {
  client: Client;
  capabilities: ServerCapabilities;
  clock: RouterClock;
  logger: Logger;
  /** The stream was reopened after a drop: what changed meanwhile was not announced. */
  onReopened(): void;
  /** The stream cannot be reopened: the backend is not reachable. */
  onGone(reason: string): void;
}

export class ListenStream {
  private readonly uris = new Set<string>();
  private current: McpSubscription | undefined;
  private opening: Promise<void> | undefined;
  private timer: unknown;
  private failures = 0;
  private stopped = false;

  constructor(private readonly options: ListenStreamOptions) {}

  /** The filter: each list change the backend can announce, and the subscribed resources. */
  filter(): SubscriptionFilter {
    const caps = this.options.capabilities;
    const filter: SubscriptionFilter = {};
    if (caps.tools?.listChanged) filter.toolsListChanged = true;
    if (caps.prompts?.listChanged) filter.promptsListChanged = true;
    if (caps.resources?.listChanged) filter.resourcesListChanged = true;
    if (caps.resources?.subscribe && this.uris.size > 0) filter.resourceSubscriptions = [...this.uris];
    return filter;
  }

  /** Whether the backend can announce anything at all. */
  get useful(): boolean {
    const caps = this.options.capabilities;
    return Boolean(
      caps.tools?.listChanged || caps.prompts?.listChanged || caps.resources?.listChanged || caps.resources?.subscribe,
    );
  }

  start(): Promise<void> {
    if (!this.useful || this.stopped) return Promise.resolve();
    return this.open(false);
  }

  /** A client subscribed to a resource of this backend: the stream is opened again with it in the filter. */
  async subscribe(uri: string): Promise<void> {
    if (this.uris.has(uri)) return;
    this.uris.add(uri);
    await this.open(false);
  }

  async unsubscribe(uri: string): Promise<void> {
    if (!this.uris.delete(uri)) return;
    await this.open(false);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.options.clock.clearTimeout(this.timer);
    const sub = this.current;
    this.current = undefined;
    await sub?.close().catch(() => {});
  }

  /** Opens a stream with the filter of now; the one it replaces closes once the new one is acknowledged. */
  private open(reopened: boolean): Promise<void> {
    const previous = this.opening ?? Promise.resolve();
    const next = previous.then(async () => {
      if (this.stopped) return;
      const stale = this.current;
      const sub = await this.options.client.listen(this.filter());
      if (this.stopped) return void sub.close().catch(() => {});
      this.current = sub;
      this.failures = 0;
      void sub.closed.then((reason) => this.closed(sub, reason));
      await stale?.close().catch(() => {});
      if (reopened) this.options.onReopened();
    });
    this.opening = next.catch(() => {});
    return next;
  }

  private closed(sub: McpSubscription, reason: 'local' | 'graceful' | 'remote'): void {
    if (this.stopped || this.current !== sub || reason === 'local') return;
    this.current = undefined;
    this.options.logger.debug('subscriptions/listen stream ended: opening it again', { reason });
    this.retry();
  }

  private retry(): void {
    const delay = Math.min(RELISTEN_BASE_MS * 2 ** this.failures, RELISTEN_MAX_MS);
    this.timer = this.options.clock.setTimeout(() => {
      this.open(true).catch((error) => {
        if (this.stopped) return;
        this.failures++;
        if (this.failures === RELISTEN_ATTEMPTS_BEFORE_GONE)
          this.options.onGone(`the subscriptions/listen stream dropped and cannot be reopened: ${String(error)}`);
        this.retry();
      });
    }, delay);
  }
}
