/**
 * Where the router core's modules are made and connected, and nowhere else: `wireRouter` builds each part once,
 * hands each the others it works with, and returns the Router facade over them. main calls it, and so do
 * `mcp-router check` and the tests, so every router in the code is built the same way. The request path runs
 * on the closures made here: each calls its module directly, with nothing between.
 */
import type { InspectionEvent, Observer } from 'xstate';
import { ClientOrigins } from './backends/client-origins';
import { Catalog } from './catalog/catalog';
import { realClock, type RouterClock } from './clock';
import type { LoadedConfig } from './config/types';
import type { Logger } from './logging/logger';
import type { DispatchObserver } from './observability/dispatch-observer';
import { BackendBroadcasts } from './router/backend-broadcasts';
import { BackendLogLevels } from './router/backend-log-levels';
import { BackendPool } from './router/backend-pool';
import { BackendWatch, type BackendStateObserver } from './router/backend-watch';
import { CapabilityRefresh } from './router/capability-refresh';
import { ClientInstances } from './router/client-instances';
import { Dispatcher } from './router/dispatcher';
import { Reconfiguration } from './router/reconfiguration';
import { RouteCandidates } from './router/route-candidates';
import { Router } from './router/router';
import { Subscriptions } from './router/subscriptions';
import { Traffic } from './router/traffic';

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

/** The router core, built and connected; not started (`router.start()` spawns the backends). */
export function wireRouter(options: RouterOptions): Router {
  const { logger } = options;
  const clock = options.clock ?? realClock;
  // The configuration in force: the reconfiguration replaces it on a reload, the others read it when they need it.
  let config = options.config;
  const currentConfig = () => config;

  const origins = new ClientOrigins({ clock });
  const catalog = new Catalog(config.routing.enableNamespaces);
  catalog.reserve(options.reservedToolNames ?? []);
  const traffic = new Traffic();
  const subscriptions = new Subscriptions();
  const instances = new ClientInstances();
  const broadcasts = new BackendBroadcasts(instances);

  // The pool's callbacks reach the parts made after it; none of them runs before the router starts.
  const pool = new BackendPool({
    clock,
    logger,
    clientInfo: { name: options.serverName ?? 'mcp-router', version: options.version ?? '0.0.0' },
    inspect: options.inspect,
    origins,
    instanceConfig: (name) => instances.config(name),
    events: {
      listChanged: (backend) => void capabilities.refresh(backend),
      logMessage: (backend, params) => broadcasts.logMessage(backend, params),
      resourceUpdated: (backend, uri) => broadcasts.resourceUpdated(backend, uri),
    },
    linkUp: (name, link, caps) => {
      logLevels.linkUp(name, link);
      capabilities.linkUp(name, caps);
    },
  });
  pool.remember(config.backends);
  const supervisor = pool.supervisor;

  const logLevels = new BackendLogLevels(
    (name) => instances.ownerOf(name),
    () => pool.liveLinks(),
  );
  const capabilities = new CapabilityRefresh(catalog, pool, clock, logger, () => config.routing.cacheTtlSeconds * 1000);
  const reconfiguration = new Reconfiguration({
    pool,
    instances,
    catalog,
    traffic,
    clock,
    logger,
    config: currentConfig,
    setConfig: (next) => (config = next),
    // Through the facade: backends a reload adds get an instance for each open client session too.
    addBackends: (backends) => router.addBackends(backends),
    notify: (change) => capabilities.notify(change),
  });
  const candidates = new RouteCandidates({
    catalog,
    pool,
    instances,
    traffic,
    isDraining: (name) => reconfiguration.isDraining(name),
    defaultStrategy: () => config.routing.defaultStrategy,
    turn: () => supervisor.getSnapshot().context.dispatch.getSnapshot().context.turn,
  });
  const dispatcher = new Dispatcher({
    clock,
    logger,
    settings: () => config.routing,
    dispatch: () => supervisor.getSnapshot().context.dispatch,
    routeFor: (target) => candidates.routeFor(target.method, target.name, target.session),
    announceAttempts: options.inspect !== undefined,
    linkOf: (name) => pool.link(name),
    backendRef: (name) => pool.ref(name),
    origins,
    traffic,
    observer: options.observer && byConfiguredName(options.observer, instances),
  });
  const watch = new BackendWatch(supervisor, logger, options.observer);

  const router = new Router({
    config: currentConfig,
    clock,
    catalog,
    origins,
    traffic,
    subscriptions,
    pool,
    instances,
    logLevels,
    capabilities,
    reconfiguration,
    candidates,
    dispatcher,
    watch,
    broadcasts,
  });
  return router;
}

/**
 * The observer as the dispatcher sees it, with attempts labelled by configured backend: the instances of a
 * per-client backend ("memory#3") come and go with sessions, and a metric label per instance would grow
 * without end.
 */
function byConfiguredName(observer: DispatchObserver, instances: ClientInstances): DispatchObserver {
  return {
    attempt: (backend, method, outcome, durationMs) =>
      observer.attempt(instances.templateOf(backend), method, outcome, durationMs),
    retry: (method, sameBackend) => observer.retry(method, sameBackend),
    rejected: (method, skipped) => observer.rejected(method, skipped),
    inFlight: (delta) => observer.inFlight(delta),
  };
}
