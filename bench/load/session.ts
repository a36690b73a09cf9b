/**
 * One MCP client session, whatever carries it, and the endpoints the load generator can reach.
 */
import type { JsonRpcMessage } from './jsonrpc';

export type Endpoint =
  | { kind: 'stdio'; command: string; args: string[]; env?: Record<string, string>; cwd?: string }
  | { kind: 'http'; url: string }
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

export function describeEndpoint(endpoint: Endpoint): string {
  return endpoint.kind === 'stdio'
    ? `stdio: ${endpoint.command} ${endpoint.args.join(' ')}`
    : `${endpoint.kind}: ${endpoint.url}`;
}
