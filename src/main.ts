/**
 * The one place that wires the router together: config → router core → front (stdio or HTTP) → signals.
 */
import type { LoadedConfig, RouterSettings } from './config/types';
import type { Logger } from './logging/logger';
import { Router } from './router/router';
import { createClientSession } from './server/client-session';
import { HttpFront } from './server/http-front';
import { serveStdio } from './server/stdio-front';
import { VERSION } from './version';

export interface RunningRouter {
  router: Router;
  /** The HTTP endpoint, in HTTP mode. */
  url?: string;
  stop(): Promise<void>;
}

export async function startRouter(settings: RouterSettings, config: LoadedConfig, logger: Logger, onStopRequested: () => void): Promise<RunningRouter> {
  const router = new Router({ config, logger, serverName: settings.serverName, version: VERSION });
  router.start();
  // Sessions advertise what the aggregate can do: let the backends connect first (bounded).
  await router.whenSettled();
  const session = () => createClientSession({ router, logger, serverName: settings.serverName, version: VERSION });

  if (settings.transport === 'stdio') {
    const close = await serveStdio(session(), onStopRequested);
    logger.info(`serving ${config.backends.length} backend(s) over stdio`, { config: config.path });
    return {
      router,
      async stop() {
        await close().catch(() => {});
        await router.stop();
      },
    };
  }

  const front = new HttpFront({ host: settings.host, port: settings.port, logger, createSession: session });
  const url = await front.listen();
  logger.info(`listening on ${url}`, { config: config.path, backends: config.backends.length });
  return {
    router,
    url,
    async stop() {
      await front.close();
      await router.stop();
    },
  };
}
