/**
 * The one place that wires the router together: config → router core (`wireRouter`, src/wiring.ts) → front
 * (stdio or HTTP) → signals.
 */
import type { BackendConfig, LoadedConfig, RouterSettings } from './config/types';
import { ConfigReloader } from './router/config-reloader';
import { loadLogging, type Logger } from './logging/logger';
import type { Router } from './router/router';
import { MANAGEMENT_TOOL_NAMES } from './management/tool-names';
import type * as FrontModules from './server/fronts';
import type * as HttpFrontModules from './server/http-fronts';
import { VERSION } from './version';
import { wireRouter } from './wiring';
import { RouterMetrics } from './observability/metrics';
import { startInspector } from './observability/inspector';

/*
 * The fronts' modules are loaded when first needed rather than with this file: over stdio that is after
 * `router.start()` has spawned the backends, whose processes then boot while the router loads the rest; the
 * HTTP ones only when there is an HTTP front or a side listener.
 */
let fronts: typeof FrontModules | undefined;
function loadFronts(): typeof FrontModules {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a deferred load, for the reason above
  return (fronts ??= require('./server/fronts') as typeof FrontModules);
}
let httpFronts: typeof HttpFrontModules | undefined;
function loadHttpFronts(): typeof HttpFrontModules {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a deferred load, for the reason above
  return (httpFronts ??= require('./server/http-fronts') as typeof HttpFrontModules);
}

/** How long in-flight requests get to finish after SIGINT/SIGTERM. */
export const STOP_GRACE_MS = 10_000;

export interface RunningRouter {
  router: Router;
  /** The HTTP endpoint, in HTTP mode. */
  url?: string;
  stop(): Promise<void>;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

export interface ConfigSource {
  /** Loads the config file again (throws ConfigError when it is refused). */
  load(): LoadedConfig | Promise<LoadedConfig>;
  /** Validates one backend in the file's format; `others` are the running backends' names. */
  parseBackend(raw: unknown, others: string[]): BackendConfig;
}

export async function startRouter(
  settings: RouterSettings,
  config: LoadedConfig,
  logger: Logger,
  onStopRequested: () => void,
  source?: ConfigSource,
): Promise<RunningRouter> {
  const stdio = settings.transport === 'stdio';
  // Over stdio without a side listener nothing can read the metrics: none are kept (nor prom-client loaded).
  const metrics = stdio && settings.metricsPort === undefined ? undefined : new RouterMetrics();
  const inspector =
    settings.inspectPort === undefined
      ? undefined
      : await startInspector(settings.inspectPort, settings.inspectPayloads ?? false, logger);
  const router = wireRouter({
    config,
    logger,
    serverName: settings.serverName,
    version: VERSION,
    observer: metrics,
    inspect: inspector?.inspect,
    reservedToolNames: MANAGEMENT_TOOL_NAMES,
  });
  // Sessions advertise what the aggregate can do: they wait until the backends have connected (bounded).
  let backendsSettled: Promise<void> | undefined;
  const sessions = () => {
    const f = loadFronts();
    const session = () => f.createClientSession({ router, logger, serverName: settings.serverName, version: VERSION });
    // 2026-07-28 clients: stateless requests, answered by one ModernFront beside the 2025 sessions.
    const modern = new f.ModernFront({
      router,
      serverName: settings.serverName,
      version: VERSION,
      clock: router.clock,
    });
    return { session, modern };
  };

  // Bind before spawning: a port that is taken fails the start here, before any backend process exists.
  let front: InstanceType<typeof HttpFrontModules.HttpFront> | undefined;
  let url: string | undefined;
  let side: HttpFrontModules.SideListener | undefined;
  if (!stdio) {
    const h = loadHttpFronts();
    const { session, modern } = sessions();
    front = new h.HttpFront({
      host: settings.host,
      port: settings.port,
      logger,
      createSession: async () => {
        await backendsSettled;
        return session();
      },
      modern: new h.ModernHttp(modern, router),
      extraRoutes: h.observabilityRoutes(router, metrics),
      authToken: settings.authToken,
      maxBodyBytes: settings.maxBodyBytes,
      hostPolicy: { allowedHosts: settings.allowedHosts, allowedOrigins: settings.allowedOrigins },
    });
    url = await front.listen();
  } else if (settings.metricsPort !== undefined) {
    // With stdio, /healthz, /readyz, /metrics and /status get a port of their own when asked for.
    const h = loadHttpFronts();
    side = await h.startSideListener({
      ...settings,
      port: settings.metricsPort,
      routes: h.observabilityRoutes(router, metrics),
      logger,
    });
  }

  router.start();
  // What the spawns did not need loads now, while the backends' processes boot (the first answer waits for them
  // below anyway): prom-client, over stdio the fronts' modules, and winston (else the first line, a backend's
  // "connected", would load it in the middle of the backends' handshakes).
  metrics?.load();
  const stdioSessions = stdio ? sessions() : undefined;
  loadLogging();
  const reloader = source ? new ConfigReloader(router, () => source.load(), logger, router.clock) : undefined;
  if (source && reloader) {
    router.managementHooks = {
      reload: () => reloader.reload('reload_backends_config'),
      parseBackend: (raw) => source.parseBackend(raw, router.backendNames()),
    };
    reloader.watch(config.path);
    process.on('SIGHUP', () => void reloader.reload('SIGHUP'));
  }
  backendsSettled = router.whenSettled();
  await backendsSettled;

  if (!front || !url) {
    const { session, modern } = stdioSessions ?? sessions();
    const { serveStdio, ModernStdio } = loadFronts();
    const close = await serveStdio(
      { createSession: session, createModern: (send) => new ModernStdio(modern, router, send) },
      onStopRequested,
    );
    logger.info(`serving ${config.backends.length} backend(s) over stdio`, { config: config.path });
    return {
      router,
      async stop() {
        side?.close();
        reloader?.close();
        await router.dispatcher.idle(STOP_GRACE_MS);
        await close().catch(() => {});
        await router.stop();
        inspector?.stop();
      },
    };
  }

  if (!isLoopback(settings.host) && !settings.authToken) {
    logger.warn(
      `listening on ${settings.host}, which is not loopback, with no auth token: anyone who can reach it can call every tool. Set MCP_AUTH_TOKEN or --auth-token-file.`,
    );
  }
  logger.info(`listening on ${url}`, { config: config.path, backends: config.backends.length });
  logger.info(`status page on ${url.replace(/\/mcp$/, '/status')}`);
  return {
    router,
    url,
    async stop() {
      front.stopAccepting();
      reloader?.close();
      await router.dispatcher.idle(STOP_GRACE_MS);
      await front.close();
      await router.stop();
      inspector?.stop();
    },
  };
}
