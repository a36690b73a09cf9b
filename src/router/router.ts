/**
 * The router's core, transport-free, as the fronts and management tools see it: a facade over the modules
 * that each do one job (the backend pool, per-client instances, capability refresh, reconfiguration, the
 * backend watch, route candidates, the dispatcher). It receives them built and connected: `src/wiring.ts`
 * (`wireRouter`, called by main, `check` and the tests) is where they are made. The fronts (stdio, HTTP) and
 * management tools sit on top.
 */
import type { BackendActorRef } from '../../machines/backend.machine';
import type { SupervisorActorRef } from '../../machines/supervisor.machine';
import type { BackendLink } from '../backends/open-link';
import type { Catalog, BackendCapabilities } from '../catalog/catalog';
import type { RouterClock } from '../clock';
import type { BackendConfig, LoadedConfig, RoutingSettings } from '../config/types';
import type { LoggingLevel } from '@modelcontextprotocol/sdk/types.js';
import type { BackendBroadcast, BackendBroadcasts } from './backend-broadcasts';
import type { BackendLogLevels } from './backend-log-levels';
import type { BackendPool } from './backend-pool';
import { whenFirstAttempted, type BackendStateListener, type BackendWatch } from './backend-watch';
import type { CapabilityRefresh, ListChangeListener } from './capability-refresh';
import type { ClientInstances } from './client-instances';
import type { ClientOrigins } from '../backends/client-origins';
import type { ReloadReport } from './config-reloader';
import type { Dispatcher } from './dispatcher';
import type { Reconfiguration, AppliedConfig } from './reconfiguration';
import type { RouteCandidates, RouteExplanation } from './route-candidates';
import type { Subscriptions } from './subscriptions';
import type { Traffic } from './traffic';

export type { ListChangeListener } from './capability-refresh';
export type { BackendBroadcast } from './backend-broadcasts';

/** What the management tools need from the outside world (config file and parser), set by main. */
export interface ManagementHooks {
  reload?(): Promise<ReloadReport>;
  /** Validates one backend given in the file's format, exactly as the file loader would. */
  parseBackend?(raw: unknown): BackendConfig;
}

/** The router's parts, built and connected by `wireRouter` (src/wiring.ts). */
export interface RouterParts {
  /** The configuration in force: a reload replaces it. */
  config(): LoadedConfig;
  clock: RouterClock;
  catalog: Catalog;
  origins: ClientOrigins;
  traffic: Traffic;
  subscriptions: Subscriptions;
  pool: BackendPool;
  instances: ClientInstances;
  logLevels: BackendLogLevels;
  capabilities: CapabilityRefresh;
  reconfiguration: Reconfiguration;
  candidates: RouteCandidates;
  dispatcher: Dispatcher;
  watch: BackendWatch;
  broadcasts: BackendBroadcasts;
}

export class Router {
  readonly catalog: Catalog;
  readonly supervisor: SupervisorActorRef;
  readonly dispatcher: Dispatcher;
  readonly clock: RouterClock;
  readonly origins: ClientOrigins;
  /** Requests in flight, counts and latency per backend (instances of per-client backends included). */
  readonly traffic: Traffic;
  readonly subscriptions: Subscriptions;
  managementHooks: ManagementHooks = {};
  private readonly config: () => LoadedConfig;
  private readonly pool: BackendPool;
  private readonly instances: ClientInstances;
  private readonly logLevels: BackendLogLevels;
  private readonly capabilities: CapabilityRefresh;
  private readonly reconfiguration: Reconfiguration;
  private readonly candidates: RouteCandidates;
  private readonly watch: BackendWatch;
  private readonly broadcasts: BackendBroadcasts;
  private settled: Promise<void> | undefined;

  constructor(parts: RouterParts) {
    this.config = parts.config;
    this.clock = parts.clock;
    this.catalog = parts.catalog;
    this.origins = parts.origins;
    this.traffic = parts.traffic;
    this.subscriptions = parts.subscriptions;
    this.pool = parts.pool;
    this.supervisor = parts.pool.supervisor;
    this.instances = parts.instances;
    this.logLevels = parts.logLevels;
    this.capabilities = parts.capabilities;
    this.reconfiguration = parts.reconfiguration;
    this.candidates = parts.candidates;
    this.dispatcher = parts.dispatcher;
    this.watch = parts.watch;
    this.broadcasts = parts.broadcasts;
  }

  /** Every change of a backend's connection, health or circuit state. */
  onBackendState(listener: BackendStateListener): () => void {
    return this.watch.onBackendState(listener);
  }

  get settings(): RoutingSettings {
    return this.config().routing;
  }

  get loadedConfig(): LoadedConfig {
    return this.config();
  }

  start(): void {
    this.pool.start();
    this.addBackends(this.config().backends);
    this.capabilities.start();
  }

  /** Rediscovers one backend's lists (after its list_changed, or when the cache expires). */
  refreshCapabilities(name: string): Promise<void> {
    return this.capabilities.refresh(name);
  }

  /** Backends' refreshed lists go through here. */
  updateCapabilities(name: string, caps: BackendCapabilities): void {
    this.capabilities.update(name, caps);
  }

  /** A client session's logging/setLevel. */
  setBackendLogLevel(session: string, level: LoggingLevel): Promise<void> {
    return this.logLevels.set(session, level);
  }

  /** The last session subscribed to a URI has gone: the backends may stop sending its updates. */
  async unsubscribeBackend(uri: string): Promise<void> {
    for (const name of this.catalog.resourceBackends(uri)) {
      const link = this.pool.link(name);
      if (link?.capabilities.resources?.subscribe) await link.client.unsubscribeResource({ uri }).catch(() => {});
    }
  }

  onBroadcast(listener: BackendBroadcast): () => void {
    return this.broadcasts.add(listener);
  }

  /** What the aggregate can do, from the backends connected now (advertised to each new client session). */
  aggregateCapabilities() {
    const caps = [...this.pool.liveLinks()].map(([, l]) => l.capabilities);
    return {
      resources: caps.some((c) => c.resources),
      subscribe: caps.some((c) => c.resources?.subscribe),
      prompts: caps.some((c) => c.prompts),
      logging: caps.some((c) => c.logging),
      completions: caps.some((c) => c.completions),
    };
  }

  /**
   * Resolves when every backend has connected or failed its first attempt (bounded), so the first
   * tools/list a client sends is complete in the usual case.
   */
  whenSettled(maxMs = 10_000): Promise<void> {
    // Only the first wait matters (start-up); every list request after it must not pay for it again.
    this.settled ??= whenFirstAttempted((n) => this.pool.ref(n), this.pool.names(), maxMs, this.clock);
    return this.settled;
  }

  addBackends(backends: BackendConfig[]): void {
    this.pool.add(backends);
    for (const session of this.instances.openSessions()) this.pool.spawn(this.instances.create(session, backends));
  }

  /**
   * A client session opens: every backend with `session: per-client` gets an instance of its own for this
   * session. Resolves when they have connected or failed their first attempt (bounded), so the session's
   * first call finds its instance ready.
   */
  openClientSession(session: string, maxMs = 10_000): Promise<void> {
    this.instances.open(session);
    const spawned = this.instances.create(
      session,
      this.pool.names().map((n) => this.pool.config(n)!),
    );
    this.pool.spawn(spawned);
    if (spawned.length === 0) return Promise.resolve();
    return whenFirstAttempted(
      (n) => this.pool.ref(n),
      spawned.map((b) => b.name),
      maxMs,
      this.clock,
    );
  }

  /** The session has ended: its instances are drained and stopped. */
  async closeClientSession(session: string): Promise<void> {
    const own = this.instances.close(session);
    this.logLevels.forget(session);
    if (own.length > 0) await this.reconfiguration.drainAndRemove(own);
  }

  /** The instances of a per-client backend, one per open client session. */
  instancesOf(backend: string): string[] {
    return this.instances.instancesOf([backend]);
  }

  /** The configured backend an instance belongs to (the name itself for a shared backend). */
  templateOf(name: string): string {
    return this.instances.templateOf(name);
  }

  /** Applies a new configuration without a restart; requests in flight are never dropped. */
  applyConfig(next: LoadedConfig): Promise<AppliedConfig> {
    return this.reconfiguration.applyConfig(next);
  }

  /** Runtime-only removal (unregister_backend) and the removal half of a reload. */
  drainAndRemove(templatesOrInstances: string[]): Promise<void> {
    return this.reconfiguration.drainAndRemove(templatesOrInstances);
  }

  /** After a runtime unregister: the backend's configuration goes too. */
  forgetBackend(name: string): void {
    this.pool.forget(name);
  }

  isDraining(name: string): boolean {
    return this.reconfiguration.isDraining(name);
  }

  async stop(): Promise<void> {
    this.capabilities.stop();
    await this.pool.stop(this.instances.names());
  }

  onListChanged(listener: ListChangeListener): () => void {
    return this.capabilities.onListChanged(listener);
  }

  backendNames(): string[] {
    return this.pool.names();
  }

  backendConfig(name: string): BackendConfig | undefined {
    return this.pool.config(name);
  }

  backendRef(name: string): BackendActorRef | undefined {
    return this.pool.ref(name);
  }

  linkOf(name: string): BackendLink | undefined {
    return this.pool.link(name);
  }

  /** How a name would be routed now, without sending anything (explain_route, `mcp-router check`). */
  explainRoute(name: string): RouteExplanation {
    return this.candidates.explainRoute(name);
  }
}
