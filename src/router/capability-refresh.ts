/**
 * Keeps the catalog true to the backends: a backend's lists enter it when its link comes up, are rediscovered
 * after its list_changed and when the cache TTL expires (in the background: requests never wait), and every
 * change is told to the list-change listeners (the client sessions).
 */
import { counts } from '../backends/link.actor';
import { discoverCapabilities } from '../backends/discover';
import type { BackendCapabilities, Catalog, ListChange } from '../catalog/catalog';
import type { RouterClock } from '../clock';
import type { BackendConfig } from '../config/types';
import type { Logger } from '../logging/logger';
import type { BackendPool } from './backend-pool';

export type ListChangeListener = (change: ListChange) => void;

export class CapabilityRefresh {
  private readonly listeners = new Set<ListChangeListener>();
  private readonly refreshing = new Set<string>();
  private timer: unknown;

  constructor(
    private readonly catalog: Catalog,
    private readonly pool: BackendPool,
    private readonly clock: RouterClock,
    private readonly logger: Logger,
    private readonly ttlMs: () => number,
  ) {}

  onListChanged(listener: ListChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tells the listeners of a change, if it changed anything. */
  notify(change: ListChange): void {
    if (!change.tools && !change.prompts && !change.resources) return;
    for (const listener of this.listeners) listener(change);
  }

  /** A configured backend's link is up with these lists (instances of per-client backends are not listed). */
  linkUp(name: string, caps: BackendCapabilities): void {
    const config = this.pool.config(name);
    if (!config) return;
    const change = this.catalog.setBackend(this.catalogInfo(config), caps);
    for (const clash of this.catalog.clashes) this.logger.warn(clash);
    this.notify(change);
  }

  /** Backends' refreshed lists (list_changed from a backend, or a cache refresh) go through here. */
  update(name: string, caps: BackendCapabilities): void {
    const config = this.pool.config(name);
    if (!config) return;
    const change = this.catalog.setBackend(this.catalogInfo(config), caps);
    this.pool.ref(name)?.send({ type: 'capabilities.updated', capabilities: counts(caps) });
    this.notify(change);
  }

  /** Rediscovers one backend's lists (after its list_changed, or when the cache expires). */
  async refresh(name: string): Promise<void> {
    const link = this.pool.link(name);
    if (!link || this.refreshing.has(name)) return;
    this.refreshing.add(name);
    try {
      const caps = await discoverCapabilities(link.client, link.capabilities);
      if (this.pool.link(name) === link) this.update(name, caps);
    } catch (error) {
      this.logger.warn('could not refresh capabilities', { backend: name, error: String(error) });
    } finally {
      this.refreshing.delete(name);
    }
  }

  /** Capability lists are trusted for the cache TTL, then refreshed in the background. */
  start(): void {
    const ttlMs = this.ttlMs();
    if (!(ttlMs > 0)) return;
    this.timer = this.clock.setTimeout(() => {
      for (const [name] of this.pool.liveLinks()) void this.refresh(name);
      this.start();
    }, ttlMs);
  }

  stop(): void {
    this.clock.clearTimeout(this.timer);
  }

  private catalogInfo(config: BackendConfig) {
    return {
      name: config.name,
      namespace: config.namespace,
      priority: config.priority,
      order: this.pool.order(config.name),
    };
  }
}
