/**
 * The one place that wires the router together: config → router core (`wireRouter`, src/wiring.ts) → front
 * (stdio or HTTP) → signals.
 */
import type { BackendConfig, LoadedConfig, RouterSettings } from './config/types';
import { ConfigReloader } from './router/config-reloader';
import type { Logger } from './logging/logger';
import type { Router } from './router/router';
import { MANAGEMENT_TOOL_NAMES } from './management/tool-names';
import { createClientSession } from './server/client-session';
import { HttpFront } from './server/http-front';
import { serveStdio } from './server/stdio-front';
import { ModernFront } from './server/modern-front';
import { ModernHttp } from './server/modern-http';
import { ModernStdio } from './server/modern-stdio';
import { VERSION } from './version';
import { wireRouter } from './wiring';
import { RouterMetrics } from './observability/metrics';
import { startInspector } from './observability/inspector';
import { observabilityRoutes } from './server/http-routes';
import { startSideListener } from './server/side-listener';

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
  const metrics = new RouterMetrics();
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
  const routes = observabilityRoutes(router, metrics);
  const session = () => createClientSession({ router, logger, serverName: settings.serverName, version: VERSION });
  // 2026-07-28 clients: stateless requests, answered by one ModernFront beside the 2025 sessions.
  const modern = new ModernFront({ router, serverName: settings.serverName, version: VERSION, clock: router.clock });
  // Sessions advertise what the aggregate can do: they wait until the backends have connected (bounded).
  let backendsSettled: Promise<void> | undefined;
  const settledSession = async () => {
    await backendsSettled;
    return session();
  };

  // Bind before spawning: a port that is taken fails the start here, before any backend process exists.
  const front =
    settings.transport === 'stdio'
      ? undefined
      : new HttpFront({
          host: settings.host,
          port: settings.port,
          logger,
          createSession: settledSession,
          modern: new ModernHttp(modern, router),
          extraRoutes: routes,
          authToken: settings.authToken,
          maxBodyBytes: settings.maxBodyBytes,
          hostPolicy: { allowedHosts: settings.allowedHosts, allowedOrigins: settings.allowedOrigins },
        });
  const url = front ? await front.listen() : undefined;
  // With stdio, /healthz, /readyz, /metrics and /status get a port of their own when asked for.
  const side =
    settings.transport === 'stdio' && settings.metricsPort !== undefined
      ? await startSideListener({ ...settings, port: settings.metricsPort, routes, logger })
      : undefined;

  router.start();
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
