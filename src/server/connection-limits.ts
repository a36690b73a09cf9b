/**
 * Limits every HTTP listener of the router sets, so that idle or slow sockets cannot hold it: a socket that
 * sends no complete request head within headersTimeout (one that never sends a byte included) gets 408 and
 * is closed, a request must arrive whole within requestTimeout, an idle keep-alive socket is closed after
 * keepAliveTimeout, and connections beyond maxConnections are refused at accept.
 */
import type { Server, ServerOptions } from 'node:http';

export interface ConnectionLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
  /** How often Node checks the two timeouts above (they are only as precise as this). */
  checkIntervalMs: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 120_000,
  keepAliveTimeoutMs: 15_000,
  maxConnections: 4_096,
  checkIntervalMs: 5_000,
};

/** Options for createServer (the check interval can only be given there). */
export function serverOptions(limits: Partial<ConnectionLimits> = {}): ServerOptions {
  const l = { ...DEFAULT_CONNECTION_LIMITS, ...limits };
  return {
    headersTimeout: l.headersTimeoutMs,
    requestTimeout: l.requestTimeoutMs,
    keepAliveTimeout: l.keepAliveTimeoutMs,
    connectionsCheckingInterval: l.checkIntervalMs,
  };
}

/** The limits that are properties of the server; call after createServer(serverOptions(limits), ...). */
export function applyServerLimits(server: Server, limits: Partial<ConnectionLimits> = {}): void {
  const l = { ...DEFAULT_CONNECTION_LIMITS, ...limits };
  server.headersTimeout = l.headersTimeoutMs;
  server.requestTimeout = l.requestTimeoutMs;
  server.keepAliveTimeout = l.keepAliveTimeoutMs;
  server.maxConnections = l.maxConnections;
}
