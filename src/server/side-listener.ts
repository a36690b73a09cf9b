/**
 * In stdio mode, /healthz, /readyz, /metrics and /status get a port of their own (--metrics-port): with the
 * same Host/Origin policy and token as the HTTP front, so a foreign page cannot read /status.json through it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logging/logger';
import { applyServerLimits, serverOptions } from './connection-limits';
import { admit } from './request-gate';

export interface SideListenerOptions {
  host: string;
  port: number;
  routes: (req: IncomingMessage, res: ServerResponse) => boolean;
  authToken?: string;
  allowedHosts: string[];
  allowedOrigins: string[];
  logger: Logger;
}

export interface SideListener {
  url: string;
  close(): void;
}

export async function startSideListener(options: SideListenerOptions): Promise<SideListener> {
  let gate: Parameters<typeof admit>[2] | undefined;
  const server = createServer(serverOptions(), (req, res) => {
    if (!gate || !admit(req, res, gate)) return;
    if (!options.routes(req, res)) res.writeHead(404).end();
  });
  applyServerLimits(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  gate = {
    policy: {
      host: options.host,
      port,
      allowedHosts: options.allowedHosts,
      allowedOrigins: options.allowedOrigins,
    },
    authToken: options.authToken,
  };
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${host}:${port}/status`;
  options.logger.info(`metrics and status on ${url}`);
  return {
    url,
    close() {
      server.close();
      server.closeAllConnections();
    },
  };
}
