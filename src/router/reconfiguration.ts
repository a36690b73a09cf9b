/**
 * Changing the backend set while the router runs: a reload applies a new configuration (added backends are
 * spawned, removed ones drained then stopped, changed ones drained and replaced), a closing client session
 * takes its instances along, and unregister_backend removes one. Draining means no new requests while those
 * in flight finish (bounded by the request timeout): requests in flight are never dropped.
 */
import type { Catalog, ListChange } from '../catalog/catalog';
import type { RouterClock } from '../clock';
import type { BackendConfig, LoadedConfig } from '../config/types';
import type { Logger } from '../logging/logger';
import type { BackendPool } from './backend-pool';
import type { ClientInstances } from './client-instances';
import { diffBackends } from './config-diff';
import type { Traffic } from './traffic';

export interface AppliedConfig {
  added: string[];
  removed: string[];
  changed: string[];
}

export interface ReconfigurationDependencies {
  pool: BackendPool;
  instances: ClientInstances;
  catalog: Catalog;
  traffic: Traffic;
  clock: RouterClock;
  logger: Logger;
  config(): LoadedConfig;
  setConfig(next: LoadedConfig): void;
  /** Configured backends join: the pool spawns them, and each open session gets its instances. */
  addBackends(backends: BackendConfig[]): void;
  notify(change: ListChange): void;
}

export class Reconfiguration {
  /** Backends on their way out: no new requests, in-flight ones finish. */
  private readonly draining = new Set<string>();

  constructor(private readonly deps: ReconfigurationDependencies) {}

  isDraining(name: string): boolean {
    return this.draining.has(name);
  }

  async applyConfig(next: LoadedConfig): Promise<AppliedConfig> {
    const { pool, catalog, logger } = this.deps;
    const current = pool.names().map((n) => pool.config(n)!);
    const diff = diffBackends(current, next.backends);
    this.deps.setConfig({ ...next });
    this.deps.notify(catalog.setNamespaces(next.routing.enableNamespaces));
    const leaving = [...diff.removed, ...diff.changed.map((b) => b.name)];
    await this.drainAndRemove(leaving);
    for (const name of diff.removed) pool.forget(name);
    this.deps.addBackends([...diff.changed, ...diff.added]);
    const applied = {
      added: diff.added.map((b) => b.name),
      removed: diff.removed,
      changed: diff.changed.map((b) => b.name),
    };
    logger.info('configuration applied', applied);
    return applied;
  }

  /** Runtime-only removal (unregister_backend), a closing session's instances, and the removal half of a reload. */
  async drainAndRemove(templatesOrInstances: string[]): Promise<void> {
    const { pool, instances, traffic, catalog } = this.deps;
    // A per-client backend leaving takes every session's instance of it along.
    const names = [...templatesOrInstances, ...instances.instancesOf(templatesOrInstances)];
    if (names.length === 0) return;
    for (const name of names) this.draining.add(name);
    const timeoutMs = this.deps.config().routing.requestTimeoutSeconds * 1000;
    await Promise.all(names.map((name) => this.whenIdle(name, timeoutMs)));
    await pool.remove(names);
    for (const name of names) {
      this.draining.delete(name);
      traffic.forget(name);
      if (instances.isInstance(name)) {
        instances.forget(name);
        continue;
      }
      this.deps.notify(catalog.removeBackend(name));
    }
  }

  private whenIdle(name: string, maxMs: number): Promise<void> {
    const { traffic, clock } = this.deps;
    if (traffic.inFlight(name) === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = clock.setTimeout(resolve, maxMs);
      void traffic.whenIdle(name).then(() => {
        clock.clearTimeout(timer);
        resolve();
      });
    });
  }
}
