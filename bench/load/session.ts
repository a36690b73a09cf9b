/**
 * One MCP client session, whatever carries it, and the endpoints the load generator can reach.
 */
import type { Era, JsonRpcMessage } from './jsonrpc';

/** `era` is what the client speaks: 2025 (the default: initialize, a session) or 2026 (stateless requests). */
export type Endpoint =
  | { kind: 'stdio'; command: string; args: string[]; env?: Record<string, string>; cwd?: string; era?: Era }
  | { kind: 'http'; url: string; era?: Era }
  | { kind: 'sse'; url: string };

export interface McpSession {
  /** Sends a request and resolves with its response (a result or an error); rejects when the transport fails. */
  request(method: string, params?: unknown, timeoutMs?: number): Promise<JsonRpcMessage>;
  notify(method: string, params?: unknown): Promise<void>;
  /** The negotiated protocol revision, once initialized. */
  readonly protocolVersion?: string;
  close(): Promise<void>;
}

export const REQUEST_TIMEOUT_MS = 30_000;

export class TransportError extends Error {}

/** The server answered, and said no (to initialize or server/discover): trying again will not help. */
export class RefusedError extends TransportError {}

export function eraOf(endpoint: Endpoint): Era {
  return endpoint.kind === 'sse' ? '2025' : (endpoint.era ?? '2025');
}

export function describeEndpoint(endpoint: Endpoint): string {
  const where =
    endpoint.kind === 'stdio'
      ? `stdio: ${endpoint.command} ${endpoint.args.join(' ')}`
      : `${endpoint.kind}: ${endpoint.url}`;
  return eraOf(endpoint) === '2026' ? `${where} (2026-07-28)` : where;
}
