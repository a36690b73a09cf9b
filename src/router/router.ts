/**
 * The router's core, transport-free: the supervisor actor and its backend actors, the live links, the
 * capability catalog and the dispatcher. The fronts (stdio, HTTP) and management tools sit on top of it.
 */
import { createActor, fromTransition, type InspectionEvent, type Observer } from 'xstate';
import type { BackendActorRef, BackendMachineInput, BackendSnapshot } from '../../machines/backend.machine';
import { admissionOf, circuitStateOf } from '../../machines/backend.selectors';
import {
  supervisorMachine,
  type DispatchContext,
  type DispatchEvent,
  type RouteDecision,
  type SupervisorActorRef,
} from '../../machines/supervisor.machine';
import { backendMachine } from '../../machines/backend.machine';
import { createLinkActor, createPingActor, counts } from '../backends/link.actor';
import type { BackendLink } from '../backends/open-link';
import { Catalog, type BackendCapabilities, type ListChange } from '../catalog/catalog';
import { realClock, type RouterClock } from '../clock';
import type { BackendConfig, LoadedConfig, RoutingSettings } from '../config/types';
import type { Logger } from '../logging/logger';
import { planRoute, type CandidateView } from '../routing/strategies';
import { Dispatcher } from './dispatcher';
import type { DispatchObserver } from '../observability/dispatch-observer';
import { describeChanges, stateView, type StateView } from '../observability/state-changes';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { LoggingLevel, LoggingMessageNotification } from '@modelcontextprotocol/sdk/types.js';
import { mostVerbose } from './log-levels';
import { Traffic } from './traffic';
import { registerBackendClientHandlers } from '../backends/backend-client-handlers';
import { discoverCapabilities } from '../backends/discover';
import { ClientOrigins } from './client-origins';
import { Subscriptions } from './subscriptions';
import { diffBackends } from './config-diff';

export interface RouterOptions {
  config: LoadedConfig;
  logger: Logger;
  clock?: RouterClock;
  serverName?: string;
  version?: string;
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /** Metrics and the like: told of every attempt and every backend snapshot. */
  observer?: DispatchObserver & {
    backendState?(backend: string, snapshot: BackendSnapshot): void;
    removeBackend?(backend: string): void;
  };
}

/** What backends tell their clients, fanned out to the client sessions. */
export interface BackendBroadcast {
  /** The listening session: what a per-client instance says reaches its own session only. */
  session?: string;
  logMessage?(backend: string, params: LoggingMessageNotification['params']): void;
  resourceUpdated?(backend: string, uri: string): void;
}

/** A first attempt excludes no backend: one empty set for all of them. */
const NOTHING_EXCLUDED: ReadonlySet<string> = new Set();

/** What the management tools need from the outside world (config file and parser), set by main. */
export interface ManagementHooks {
  reload?(): Promise<import('./config-reloader').ReloadReport>;
  /** Validates one backend given in the file's format, exactly as the file loader would. */
  parseBackend?(raw: unknown): BackendConfig;
}

export type ListChangeListener = (change: ListChange) => void;

type SupervisorSnapshotBackends = Record<string, BackendActorRef>;

/** Names the router serves itself; they are reserved in the catalog. */
export const MANAGEMENT_TOOL_NAMES = [
  'list_backends',
  'get_backend_health',
  'explain_route',
  'reload_backends_config',
  'register_backend',
  'unregister_backend',
];

export function backendInput(config: BackendConfig): BackendMachineInput {
  return {
    name: config.name,
    namespace: config.namespace,
    priority: config.priority,
    transport: config.transport,
    healthCheck: {
      enabled: config.healthCheck.enabled,
      intervalMs: config.healthCheck.intervalSeconds * 1000,
      timeoutMs: config.healthCheck.timeoutSeconds * 1000,
    },
    circuitBreaker: {
      failureThreshold: config.circuitBreaker.failureThreshold,
      openMs: config.circuitBreaker.timeoutSeconds * 1000,
      halfOpenAttempts: config.circuitBreaker.halfOpenAttempts,
    },
    seed: hashSeed(config.name),
    jitter: 0.1,
    autoStart: config.autoStart,
  };
}

function hashSeed(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

export class Router {
  readonly catalog: Catalog;
  readonly supervisor: SupervisorActorRef;
  readonly dispatcher: Dispatcher;
  readonly clock: RouterClock;
  private config: LoadedConfig;
  private readonly logger: Logger;
  private readonly links = new Map<string, BackendLink>();
  private readonly configs = new Map<string, BackendConfig>();
  private readonly listeners = new Set<ListChangeListener>();
  private readonly broadcasts = new Set<BackendBroadcast>();
  readonly origins = new ClientOrigins();
  /** Requests in flight, counts and latency per backend (instances of per-client backends included). */
  readonly traffic = new Traffic();
  readonly subscriptions = new Subscriptions();
  private readonly refreshing = new Set<string>();
  private cacheTimer: unknown;
  managementHooks: ManagementHooks = {};
  /** Routing decisions are logged at debug level; checked once, not per request. */
  private readonly debugRouting: boolean;
  /** Backends on their way out: no new requests, in-flight ones finish. */
  private readonly draining = new Set<string>();
  /** Per-client backends' instances, by instance name ("memory#3"): whose they are and what they run. */
  private readonly instances = new Map<string, { backend: string; session: string; config: BackendConfig }>();
  /** The level each client session asked for with logging/setLevel. */
  private readonly logLevels = new Map<string, LoggingLevel>();
  /** Open client sessions and their instances: backend name → instance name. */
  private readonly sessions = new Map<string, Map<string, string>>();
  private nextInstance = 1;

  constructor(private readonly options: RouterOptions) {
    this.config = options.config;
    this.logger = options.logger;
    this.clock = options.clock ?? realClock;
    this.debugRouting = options.logger.isDebugEnabled();
    this.catalog = new Catalog(options.config.routing.enableNamespaces);
    this.catalog.reserve(MANAGEMENT_TOOL_NAMES);
    for (const b of options.config.backends) this.configs.set(b.name, b);

    const link = createLinkActor({
      clock: this.clock,
      logger: this.logger,
      clientInfo: { name: options.serverName ?? 'mcp-router', version: options.version ?? '0.0.0' },
      configOf: (name) => this.configs.get(name) ?? this.instances.get(name)?.config,
      linkUp: (name, l, caps) => this.onLinkUp(name, l, caps),
      linkDown: (name, l) => {
        if (this.links.get(name) === l) this.links.delete(name);
      },
      prepareClient: (name) => (client: Client) =>
        registerBackendClientHandlers(
          name,
          client,
          {
            listChanged: (backend) => void this.refreshCapabilities(backend),
            logMessage: (backend, params) =>
              this.broadcast(backend, (b) => b.logMessage?.(this.templateOf(backend), params)),
            resourceUpdated: (backend, uri) =>
              this.broadcast(backend, (b) => b.resourceUpdated?.(this.templateOf(backend), uri)),
          },
          this.origins,
        ),
    });
    const ping = createPingActor({ clock: this.clock, linkOf: (name) => this.links.get(name) });
    const machine = supervisorMachine.provide({
      actors: {
        backend: backendMachine.provide({ actors: { link, ping } }),
        dispatch: fromTransition(
          (context: DispatchContext, event: DispatchEvent, scope) => this.decide(context, event, scope),
          { turn: 0, last: null },
        ),
      },
    });
    this.supervisor = createActor(machine, {
      clock: this.clock,
      inspect: options.inspect as Observer<InspectionEvent> | undefined,
    }) as unknown as SupervisorActorRef;
    this.dispatcher = new Dispatcher({
      clock: this.clock,
      logger: this.logger,
      settings: () => this.config.routing,
      dispatch: () => this.supervisor.getSnapshot().context.dispatch,
      linkOf: (name) => this.links.get(name),
      backendRef: (name) => this.backendRef(name),
      origins: this.origins,
      traffic: this.traffic,
      observer: options.observer && this.byConfiguredName(options.observer),
    });
    this.watchBackends();
  }

  /** Follows every backend actor the supervisor spawns: state-change log lines, metrics, status listeners. */
  private watchBackends(): void {
    const watched = new Map<BackendActorRef, { unsubscribe(): void }>();
    let known: SupervisorSnapshotBackends | undefined;
    this.supervisor.subscribe((snapshot) => {
      // Observers hear every change of the supervisor; only a new set of backends matters here.
      if (snapshot.context.backends === known) return;
      known = snapshot.context.backends;
      const refs = new Set(Object.values(snapshot.context.backends));
      for (const ref of refs) {
        if (watched.has(ref)) continue;
        const name = ref.getSnapshot().context.name;
        const log = this.logger.child({ backend: name });
        let prev: StateView | undefined;
        // Failures and half-open trials change a backend's context; only a change of state is worth a log line or a gauge.
        const onSnapshot = (s: BackendSnapshot) => {
          const next = stateView(s);
          if (
            prev &&
            prev.connection === next.connection &&
            prev.health === next.health &&
            prev.circuit === next.circuit
          )
            return;
          for (const line of describeChanges(prev, next, s)) log[line.level](line.message, line.fields);
          prev = next;
          this.options.observer?.backendState?.(name, s);
          for (const l of this.stateListeners) l(name, s);
        };
        onSnapshot(ref.getSnapshot());
        watched.set(ref, ref.subscribe(onSnapshot));
      }
      for (const [ref, sub] of watched) {
        if (refs.has(ref)) continue;
        sub.unsubscribe();
        watched.delete(ref);
        this.options.observer?.removeBackend?.(ref.getSnapshot().context.name);
      }
    });
  }

  private readonly stateListeners = new Set<(backend: string, snapshot: BackendSnapshot) => void>();

  /** Every change of a backend's connection, health or circuit state. */
  onBackendState(listener: (backend: string, snapshot: BackendSnapshot) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  get settings(): RoutingSettings {
    return this.config.routing;
  }

  get loadedConfig(): LoadedConfig {
    return this.config;
  }

  start(): void {
    this.supervisor.start();
    this.addBackends(this.config.backends);
    this.scheduleCacheRefresh();
  }

  /** Capability lists are trusted for the cache TTL, then refreshed in the background (requests never wait). */
  private scheduleCacheRefresh(): void {
    const ttlMs = this.config.routing.cacheTtlSeconds * 1000;
    if (!(ttlMs > 0)) return;
    this.cacheTimer = this.clock.setTimeout(() => {
      for (const name of this.links.keys()) void this.refreshCapabilities(name);
      this.scheduleCacheRefresh();
    }, ttlMs);
  }

  /** Rediscovers one backend's lists (after its list_changed, or when the cache expires). */
  async refreshCapabilities(name: string): Promise<void> {
    const link = this.links.get(name);
    if (!link || this.refreshing.has(name)) return;
    this.refreshing.add(name);
    try {
      const caps = await discoverCapabilities(link.client, link.capabilities);
      if (this.links.get(name) === link) this.updateCapabilities(name, caps);
    } catch (error) {
      this.logger.warn('could not refresh capabilities', { backend: name, error: String(error) });
    } finally {
      this.refreshing.delete(name);
    }
  }

  /**
   * A client session's logging/setLevel. A shared backend gets the most verbose level any session asked for
   * (each session is then given only its own level's messages); a session's own instances get its level.
   */
  async setBackendLogLevel(session: string, level: LoggingLevel): Promise<void> {
    this.logLevels.set(session, level);
    await this.applyLogLevels();
  }

  private async applyLogLevels(): Promise<void> {
    await Promise.all(
      [...this.links.entries()].map(([name, link]) => {
        const level = this.logLevelFor(name);
        if (!level || !link.capabilities.logging) return undefined;
        return link.client.setLoggingLevel(level).catch(() => {});
      }),
    );
  }

  /** A session's own instance: that session's level; a shared backend: the most verbose any session asked for. */
  private logLevelFor(backend: string): LoggingLevel | undefined {
    const owner = this.instances.get(backend)?.session;
    return owner === undefined ? mostVerbose(this.logLevels.values()) : this.logLevels.get(owner);
  }

  /** The last session subscribed to a URI has gone: the backends may stop sending its updates. */
  async unsubscribeBackend(uri: string): Promise<void> {
    for (const name of this.catalog.resourceBackends(uri)) {
      const link = this.links.get(name);
      if (link?.capabilities.resources?.subscribe) await link.client.unsubscribeResource({ uri }).catch(() => {});
    }
  }

  private broadcast(backend: string, deliver: (listener: BackendBroadcast) => void): void {
    const owner = this.instances.get(backend)?.session;
    for (const listener of this.broadcasts) if (owner === undefined || listener.session === owner) deliver(listener);
  }

  onBroadcast(listener: BackendBroadcast): () => void {
    this.broadcasts.add(listener);
    return () => this.broadcasts.delete(listener);
  }

  /** What the aggregate can do, from the backends connected now (advertised to each new client session). */
  aggregateCapabilities() {
    const caps = [...this.links.values()].map((l) => l.capabilities);
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
    this.settled ??= this.waitForFirstAttempts(maxMs);
    return this.settled;
  }

  private settled: Promise<void> | undefined;

  private waitForFirstAttempts(maxMs: number): Promise<void> {
    return this.whenFirstAttempted([...this.configs.keys()], maxMs);
  }

  private async whenFirstAttempted(names: string[], maxMs: number): Promise<void> {
    const waits = names.map(
      (name) =>
        new Promise<void>((resolve) => {
          const ref = this.backendRef(name);
          if (!ref) return resolve();
          const done = (s: BackendSnapshot) =>
            s.context.link.connectedAt !== null || s.context.lastError !== null || s.status !== 'active';
          if (done(ref.getSnapshot())) return resolve();
          const sub = ref.subscribe((s) => {
            if (done(s)) {
              sub.unsubscribe();
              resolve();
            }
          });
        }),
    );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(waits), new Promise<void>((r) => (timer = setTimeout(r, maxMs)))]);
    clearTimeout(timer);
  }

  addBackends(backends: BackendConfig[]): void {
    for (const b of backends) this.configs.set(b.name, b);
    this.supervisor.send({ type: 'backends.add', backends: backends.map((b) => backendInput(b)) });
    for (const session of this.sessions.keys()) this.spawnInstances(session, backends);
  }

  /**
   * A client session opens: every backend with `session: per-client` gets an instance of its own for this
   * session (its own process, or its own MCP session on an HTTP server). Resolves when they have connected
   * or failed their first attempt (bounded), so the session's first call finds its instance ready.
   */
  openClientSession(session: string, maxMs = 10_000): Promise<void> {
    if (!this.sessions.has(session)) this.sessions.set(session, new Map());
    const spawned = this.spawnInstances(session, [...this.configs.values()]);
    return spawned.length === 0 ? Promise.resolve() : this.whenFirstAttempted(spawned, maxMs);
  }

  /** The session has ended: its instances are drained and stopped. */
  async closeClientSession(session: string): Promise<void> {
    const own = this.sessions.get(session);
    this.sessions.delete(session);
    // The most verbose session may be the one leaving: shared backends go back to what the others asked for.
    if (this.logLevels.delete(session)) void this.applyLogLevels();
    if (own && own.size > 0) await this.drainAndRemove([...own.values()]);
  }

  private spawnInstances(session: string, backends: BackendConfig[]): string[] {
    const own = this.sessions.get(session);
    if (!own) return [];
    const added: BackendConfig[] = [];
    for (const template of backends) {
      if (template.session !== 'per-client' || own.has(template.name)) continue;
      const config = { ...template, name: `${template.name}#${this.nextInstance++}` };
      this.instances.set(config.name, { backend: template.name, session, config });
      own.set(template.name, config.name);
      added.push(config);
    }
    if (added.length > 0) this.supervisor.send({ type: 'backends.add', backends: added.map((b) => backendInput(b)) });
    return added.map((b) => b.name);
  }

  /** The instances of a per-client backend, one per open client session. */
  instancesOf(backend: string): string[] {
    return [...this.instances].filter(([, owner]) => owner.backend === backend).map(([name]) => name);
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
    return this.instances.get(name)?.backend ?? name;
  }

  /**
   * Applies a new configuration without a restart: added backends are spawned, removed ones drained then
   * stopped, changed ones drained and replaced. Requests in flight are never dropped.
   */
  async applyConfig(next: LoadedConfig): Promise<{ added: string[]; removed: string[]; changed: string[] }> {
    const diff = diffBackends([...this.configs.values()], next.backends);
    this.config = { ...next };
    this.notify(this.catalog.setNamespaces(next.routing.enableNamespaces));
    const leaving = [...diff.removed, ...diff.changed.map((b) => b.name)];
    await this.drainAndRemove(leaving);
    for (const name of diff.removed) this.configs.delete(name);
    this.addBackends([...diff.changed, ...diff.added]);
    this.logger.info('configuration applied', {
      added: diff.added.map((b) => b.name),
      removed: diff.removed,
      changed: diff.changed.map((b) => b.name),
    });
    return { added: diff.added.map((b) => b.name), removed: diff.removed, changed: diff.changed.map((b) => b.name) };
  }

  /** Runtime-only removal (unregister_backend) and the removal half of a reload. */
  async drainAndRemove(templatesOrInstances: string[]): Promise<void> {
    // A per-client backend leaving takes every session's instance of it along.
    const names = [...templatesOrInstances];
    for (const [instance, owner] of this.instances)
      if (templatesOrInstances.includes(owner.backend)) names.push(instance);
    if (names.length === 0) return;
    for (const name of names) this.draining.add(name);
    const timeoutMs = this.config.routing.requestTimeoutSeconds * 1000;
    await Promise.all(names.map((name) => this.whenIdle(name, timeoutMs)));
    const closing = names.map((n) => this.links.get(n)).filter((l): l is BackendLink => Boolean(l));
    this.supervisor.send({ type: 'backends.remove', names });
    await Promise.all(closing.map((l) => l.close()));
    for (const name of names) {
      this.draining.delete(name);
      this.links.delete(name);
      this.traffic.forget(name);
      const instance = this.instances.get(name);
      if (instance) {
        this.instances.delete(name);
        const own = this.sessions.get(instance.session);
        if (own?.get(instance.backend) === name) own.delete(instance.backend);
        continue;
      }
      this.notify(this.catalog.removeBackend(name));
    }
  }

  /** After a runtime unregister: the backend's configuration goes too. */
  forgetBackend(name: string): void {
    this.configs.delete(name);
  }

  isDraining(name: string): boolean {
    return this.draining.has(name);
  }

  private whenIdle(name: string, maxMs: number): Promise<void> {
    if (this.traffic.inFlight(name) === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(resolve, maxMs);
      void this.traffic.whenIdle(name).then(() => {
        this.clock.clearTimeout(timer);
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    this.clock.clearTimeout(this.cacheTimer);
    const names = [...this.configs.keys(), ...this.instances.keys()];
    const open = [...this.links.values()];
    this.supervisor.send({ type: 'backends.remove', names });
    // Stopping the actors starts each close; waiting here means no child process outlives stop().
    await Promise.all(open.map((l) => l.close()));
    this.links.clear();
    this.supervisor.stop();
  }

  onListChanged(listener: ListChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  backendNames(): string[] {
    return [...this.configs.keys()];
  }

  backendConfig(name: string): BackendConfig | undefined {
    return this.configs.get(name);
  }

  backendRef(name: string): BackendActorRef | undefined {
    return this.supervisor.getSnapshot().context.backends[name];
  }

  linkOf(name: string): BackendLink | undefined {
    return this.links.get(name);
  }

  /** Backends' refreshed lists (list_changed from a backend, or a cache refresh) go through here. */
  updateCapabilities(name: string, caps: BackendCapabilities): void {
    const config = this.configs.get(name);
    if (!config) return;
    const change = this.catalog.setBackend(this.catalogInfo(config), caps);
    this.backendRef(name)?.send({ type: 'capabilities.updated', capabilities: counts(caps) });
    this.notify(change);
  }

  private onLinkUp(name: string, link: BackendLink, caps: BackendCapabilities): void {
    this.links.set(name, link);
    // A backend that (re)connects after clients set their log levels starts at its own default.
    const level = this.logLevelFor(name);
    if (level && link.capabilities.logging) void link.client.setLoggingLevel(level).catch(() => {});
    const config = this.configs.get(name);
    if (!config) return;
    const change = this.catalog.setBackend(this.catalogInfo(config), caps);
    for (const clash of this.catalog.clashes) this.logger.warn(clash);
    this.notify(change);
  }

  private catalogInfo(config: BackendConfig) {
    return {
      name: config.name,
      namespace: config.namespace,
      priority: config.priority,
      order: [...this.configs.keys()].indexOf(config.name),
    };
  }

  private notify(change: ListChange): void {
    if (!change.tools && !change.prompts && !change.resources) return;
    for (const listener of this.listeners) listener(change);
  }

  /** Candidates for a request: the backends that offer the name, with their live state. */
  candidatesFor(
    method: string,
    name: string,
    backends: Record<string, BackendActorRef>,
    session?: string,
  ): { original: string; views: CandidateView[] } {
    let original = name;
    let names: string[] = [];
    if (method === 'tools/call') {
      const entry = this.catalog.tool(name);
      if (entry) ({ original, backends: names } = entry);
    } else if (method === 'prompts/get') {
      const entry = this.catalog.prompt(name);
      if (entry) ({ original, backends: names } = entry);
    } else if (method === 'completion/complete' && name.startsWith('prompt:')) {
      const entry = this.catalog.prompt(name.slice('prompt:'.length));
      if (entry) ({ original, backends: names } = entry);
    } else if (method.startsWith('resources/') || method === 'completion/complete') {
      names = this.catalog.resourceBackends(name);
    }
    const views: CandidateView[] = [];
    // The catalog keeps each name's backends by priority, then configuration order.
    const own = session === undefined ? undefined : this.sessions.get(session);
    for (const backend of names) {
      // A per-client backend is judged by this session's own instance of it; the strategy sees the
      // configured name, so routes and fallback_to chains read as written.
      const ref = backends[own?.get(backend) ?? backend];
      const config = this.configs.get(backend);
      if (!ref || !config) continue;
      const snapshot = ref.getSnapshot();
      if (this.draining.has(backend)) {
        views.push({
          backend,
          priority: config.priority,
          routes: config.routes,
          inFlight: this.traffic.inFlight(own?.get(backend) ?? backend),
          admission: { admit: false, reason: 'draining (being removed or replaced)' },
        });
        continue;
      }
      views.push({
        backend,
        priority: config.priority,
        routes: config.routes,
        inFlight: this.traffic.inFlight(own?.get(backend) ?? backend),
        admission: admissionOf(snapshot),
      });
    }
    return { original, views };
  }

  /**
   * How a name would be routed now, without sending anything: the candidates, their order, who is skipped
   * and why, and which strategy decided. What explain_route and `mcp-router check` show.
   */
  explainRoute(name: string): {
    name: string;
    kind: 'tool' | 'prompt' | 'resource' | 'unknown';
    original: string | null;
    strategy: string | null;
    decided_by: string | null;
    order: string[];
    would_choose: string | null;
    skipped: { backend: string; reason: string }[];
  } {
    const kind = this.catalog.tool(name)
      ? 'tool'
      : this.catalog.prompt(name)
        ? 'prompt'
        : this.catalog.resourceBackends(name).length && name.includes(':')
          ? 'resource'
          : 'unknown';
    if (kind === 'unknown')
      return {
        name,
        kind,
        original: null,
        strategy: null,
        decided_by: null,
        order: [],
        would_choose: null,
        skipped: [],
      };
    const method = kind === 'tool' ? 'tools/call' : kind === 'prompt' ? 'prompts/get' : 'resources/read';
    const { original, views } = this.candidatesFor(method, name, this.supervisor.getSnapshot().context.backends);
    const plan = planRoute({
      name: original,
      candidates: views,
      defaultStrategy: this.config.routing.defaultStrategy,
      exclude: new Set(),
      turn: this.supervisor.getSnapshot().context.dispatch.getSnapshot().context.turn,
    });
    return {
      name,
      kind,
      original,
      strategy: plan.strategy,
      decided_by: plan.decidedBy,
      order: plan.order,
      would_choose: plan.chosen?.backend ?? null,
      skipped: plan.skipped,
    };
  }

  /**
   * The dispatch actor's reducer: decides one attempt from the backends' live snapshots. A half-open circuit's
   * trial permit is taken at once (attempt.started, deferred until the decision is the actor's snapshot, so the
   * next dispatch sees it), and an inspector is shown why the request went where it went.
   */
  private decide(
    context: DispatchContext,
    event: DispatchEvent,
    scope: { defer(fn: () => void): void },
  ): DispatchContext {
    // XState hands a transition actor its own xstate.stop too (when the supervisor stops): nothing to decide.
    if (event.type !== 'request.dispatch') return context;
    const { backends } = this.supervisor.getSnapshot().context;
    const { original, views } = this.candidatesFor(
      event.target.method,
      event.target.name,
      backends,
      event.target.session,
    );
    const plan = planRoute({
      name: original,
      candidates: views,
      defaultStrategy: this.config.routing.defaultStrategy,
      exclude:
        event.exclude.length === 0 ? NOTHING_EXCLUDED : new Set(event.exclude.map((name) => this.templateOf(name))),
      turn: context.turn,
    });
    const session = event.target.session === undefined ? undefined : this.sessions.get(event.target.session);
    const chosen = plan.chosen ? (session?.get(plan.chosen.backend) ?? plan.chosen.backend) : null;
    const decision: RouteDecision = {
      requestId: event.requestId,
      strategy: plan.strategy,
      backend: chosen,
      epoch: plan.chosen?.epoch ?? -1,
      order: plan.order,
      skipped: plan.skipped,
    };
    // With a closed circuit and nobody inspecting, attempt.started would change nothing: it is not sent.
    const ref = chosen ? backends[chosen] : undefined;
    if (
      plan.chosen &&
      ref &&
      (this.options.inspect !== undefined || circuitStateOf(ref.getSnapshot()) === 'halfOpen')
    ) {
      const started = {
        type: 'attempt.started' as const,
        requestId: event.requestId,
        epoch: plan.chosen.epoch,
        why: { strategy: plan.strategy, order: plan.order, skipped: plan.skipped },
      };
      scope.defer(() => ref.send(started));
    }
    if (this.debugRouting)
      this.logger.debug('routed', {
        request: event.requestId,
        name: event.target.name,
        method: event.target.method,
        attempt: event.attempt,
        ...decision,
      });
    return { turn: context.turn + 1, last: decision };
  }
}
