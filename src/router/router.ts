/**
 * The router's core, transport-free, as the fronts and management tools see it: a facade over the modules
 * that each do one job (the backend pool, per-client instances, capability refresh, reconfiguration, the
 * backend watch, route candidates, the dispatcher). The fronts (stdio, HTTP) and management tools sit on top.
 */
import type { InspectionEvent, Observer } from 'xstate';
import type { BackendActorRef } from '../../machines/backend.machine';
import type { SupervisorActorRef } from '../../machines/supervisor.machine';
import type { BackendLink } from '../backends/open-link';
import { Catalog, type BackendCapabilities } from '../catalog/catalog';
import { realClock, type RouterClock } from '../clock';
import type { BackendConfig, LoadedConfig, RoutingSettings } from '../config/types';
import type { Logger } from '../logging/logger';
import type { DispatchObserver } from '../observability/dispatch-observer';
import type { LoggingLevel, LoggingMessageNotification } from '@modelcontextprotocol/sdk/types.js';
import { BackendLogLevels } from './backend-log-levels';
import { BackendPool } from './backend-pool';
import {
  BackendWatch,
  whenFirstAttempted,
  type BackendStateListener,
  type BackendStateObserver,
} from './backend-watch';
import { CapabilityRefresh, type ListChangeListener } from './capability-refresh';
import { ClientInstances } from './client-instances';
import { ClientOrigins } from '../backends/client-origins';
import type { ReloadReport } from './config-reloader';
import { Dispatcher } from './dispatcher';
import { Reconfiguration, type AppliedConfig } from './reconfiguration';
import { RouteCandidates, type RouteExplanation } from './route-candidates';
import { Subscriptions } from './subscriptions';
import { Traffic } from './traffic';

export type { ListChangeListener } from './capability-refresh';

export interface RouterOptions {
  config: LoadedConfig;
  logger: Logger;
  clock?: RouterClock;
  serverName?: string;
  version?: string;
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /** Metrics and the like: told of every attempt and every backend snapshot. */
  observer?: DispatchObserver & BackendStateObserver;
  /** Names the router serves itself (the management tools): backends' tools may not take them. */
  reservedToolNames?: readonly string[];
}

/** What backends tell their clients, fanned out to the client sessions. */
export interface BackendBroadcast {
  /** The listening session: what a per-client instance says reaches its own session only. */
  session?: string;
  logMessage?(backend: string, params: LoggingMessageNotification['params']): void;
  resourceUpdated?(backend: string, uri: string): void;
}

/** What the management tools need from the outside world (config file and parser), set by main. */
export interface ManagementHooks {
  reload?(): Promise<ReloadReport>;
  /** Validates one backend given in the file's format, exactly as the file loader would. */
  parseBackend?(raw: unknown): BackendConfig;
}

export class Router {
  readonly catalog: Catalog;
  readonly supervisor: SupervisorActorRef;
  readonly dispatcher: Dispatcher;
  readonly clock: RouterClock;
  readonly origins: ClientOrigins;
  /** Requests in flight, counts and latency per backend (instances of per-client backends included). */
  readonly traffic = new Traffic();
  readonly subscriptions = new Subscriptions();
  managementHooks: ManagementHooks = {};
  private config: LoadedConfig;
  private readonly logger: Logger;
  private readonly pool: BackendPool;
  private readonly instances = new ClientInstances();
  private readonly logLevels: BackendLogLevels;
  private readonly capabilities: CapabilityRefresh;
  private readonly reconfiguration: Reconfiguration;
  private readonly candidates: RouteCandidates;
  private readonly watch: BackendWatch;
  private readonly broadcasts = new Set<BackendBroadcast>();
  private settled: Promise<void> | undefined;

  constructor(options: RouterOptions) {
    this.config = options.config;
    this.logger = options.logger;
    this.clock = options.clock ?? realClock;
    this.origins = new ClientOrigins({ clock: this.clock });
    this.catalog = new Catalog(options.config.routing.enableNamespaces);
    this.catalog.reserve(options.reservedToolNames ?? []);

    this.pool = new BackendPool({
      clock: this.clock,
      logger: this.logger,
      clientInfo: { name: options.serverName ?? 'mcp-router', version: options.version ?? '0.0.0' },
      inspect: options.inspect,
      origins: this.origins,
      instanceConfig: (name) => this.instances.config(name),
      events: {
        listChanged: (backend) => void this.refreshCapabilities(backend),
        logMessage: (backend, params) =>
          this.broadcast(backend, (b) => b.logMessage?.(this.templateOf(backend), params)),
        resourceUpdated: (backend, uri) =>
          this.broadcast(backend, (b) => b.resourceUpdated?.(this.templateOf(backend), uri)),
      },
      linkUp: (name, link, caps) => {
        this.logLevels.linkUp(name, link);
        this.capabilities.linkUp(name, caps);
      },
    });
    this.supervisor = this.pool.supervisor;
    this.pool.remember(options.config.backends);
    this.logLevels = new BackendLogLevels(
      (name) => this.instances.ownerOf(name),
      () => this.pool.liveLinks(),
    );
    this.capabilities = new CapabilityRefresh(
      this.catalog,
      this.pool,
      this.clock,
      this.logger,
      () => this.config.routing.cacheTtlSeconds * 1000,
    );
    this.reconfiguration = new Reconfiguration({
      pool: this.pool,
      instances: this.instances,
      catalog: this.catalog,
      traffic: this.traffic,
      clock: this.clock,
      logger: this.logger,
      config: () => this.config,
      setConfig: (next) => (this.config = next),
      addBackends: (backends) => this.addBackends(backends),
      notify: (change) => this.capabilities.notify(change),
    });
    this.candidates = new RouteCandidates({
      catalog: this.catalog,
      pool: this.pool,
      instances: this.instances,
      traffic: this.traffic,
      isDraining: (name) => this.reconfiguration.isDraining(name),
      defaultStrategy: () => this.config.routing.defaultStrategy,
      turn: () => this.supervisor.getSnapshot().context.dispatch.getSnapshot().context.turn,
    });
    this.dispatcher = new Dispatcher({
      clock: this.clock,
      logger: this.logger,
      settings: () => this.config.routing,
      dispatch: () => this.supervisor.getSnapshot().context.dispatch,
      routeFor: (target) => this.candidates.routeFor(target.method, target.name, target.session),
      announceAttempts: options.inspect !== undefined,
      linkOf: (name) => this.pool.link(name),
      backendRef: (name) => this.pool.ref(name),
      origins: this.origins,
      traffic: this.traffic,
      observer: options.observer && this.byConfiguredName(options.observer),
    });
    this.watch = new BackendWatch(this.supervisor, this.logger, options.observer);
  }

  /** Every change of a backend's connection, health or circuit state. */
  onBackendState(listener: BackendStateListener): () => void {
    return this.watch.onBackendState(listener);
  }

  get settings(): RoutingSettings {
    return this.config.routing;
  }

  get loadedConfig(): LoadedConfig {
    return this.config;
  }

  start(): void {
    this.pool.start();
    this.addBackends(this.config.backends);
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

  private broadcast(backend: string, deliver: (listener: BackendBroadcast) => void): void {
    const owner = this.instances.ownerOf(backend);
    for (const listener of this.broadcasts) if (owner === undefined || listener.session === owner) deliver(listener);
  }

  onBroadcast(listener: BackendBroadcast): () => void {
    this.broadcasts.add(listener);
    return () => this.broadcasts.delete(listener);
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

  /**
   * The observer as the dispatcher sees it, with attempts labelled by configured backend: the instances of a
   * per-client backend ("memory#3") come and go with sessions, and a metric label per instance would grow
   * without end.
   */
  private byConfiguredName(observer: DispatchObserver): DispatchObserver {
    return {
      attempt: (backend, method, outcome, durationMs) =>
        observer.attempt(this.templateOf(backend), method, outcome, durationMs),
      retry: (method, sameBackend) => observer.retry(method, sameBackend),
      rejected: (method, skipped) => observer.rejected(method, skipped),
      inFlight: (delta) => observer.inFlight(delta),
    };
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
