/**
 * Keeps the catalog true to the backends: a backend's lists enter it when its link comes up, are rediscovered
 * after its list_changed and when the cache TTL expires (in the background: requests never wait), and every
 * change is told to the list-change listeners (the client sessions).
 */
import { counts } from '../backends/link.actor';
import { discoverLists } from '../backends/discover';
import type { BackendCapabilities, Catalog, ListChange } from '../catalog/catalog';
import type { RouterClock } from '../clock';
import type { BackendConfig } from '../config/types';
import type { Logger } from '../logging/logger';
import type { BackendPool } from './backend-pool';

/** A backend's ttlMs below this is read as this: the router does not poll a backend faster than once a second. */
const MIN_OWN_TTL_MS = 1000;

export type ListChangeListener = (change: ListChange) => void;

export class CapabilityRefresh {
  private readonly listeners = new Set<ListChangeListener>();
  private readonly refreshing = new Set<string>();
  private timer: unknown;
  /** Backends that said how long their lists stay true (2026 ttlMs): each is refreshed on its own timer. */
  private readonly ownTtl = new Map<string, { ms: number; timer: unknown }>();

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
    this.followTtl(name, this.pool.link(name)?.listsTtlMs);
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
      const lists = await discoverLists(link.client, link.capabilities);
      if (this.pool.link(name) !== link) return;
      link.listsTtlMs = lists.ttlMs;
      this.update(name, lists.capabilities);
      this.followTtl(name, lists.ttlMs);
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
      for (const [name] of this.pool.liveLinks()) if (!this.ownTtl.has(name)) void this.refresh(name);
      this.start();
    }, ttlMs);
  }

  stop(): void {
    this.clock.clearTimeout(this.timer);
    for (const { timer } of this.ownTtl.values()) this.clock.clearTimeout(timer);
    this.ownTtl.clear();
  }

  /**
   * A backend's own ttlMs replaces the cache TTL for it: its lists are read again when they expire (and the
   * shared timer leaves it alone). A backend that gives none (or 0) stays on the cache TTL.
   */
  private followTtl(name: string, ttlMs: number | undefined): void {
    const held = this.ownTtl.get(name);
    if (held) this.clock.clearTimeout(held.timer);
    if (ttlMs === undefined || !(ttlMs > 0)) {
      this.ownTtl.delete(name);
      return;
    }
    const ms = Math.max(ttlMs, MIN_OWN_TTL_MS);
    const timer: unknown = this.clock.setTimeout(() => {
      if (!this.pool.link(name)) return void this.ownTtl.delete(name);
      // A refresh that failed keeps the backend on its own clock (one that succeeded has set the next timer).
      void this.refresh(name).finally(() => {
        if (this.ownTtl.get(name)?.timer === timer) this.followTtl(name, ttlMs);
      });
    }, ms);
    this.ownTtl.set(name, { ms, timer });
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
