/**
 * A raw JSON-RPC client for MCP 2026-07-28 over streamable HTTP: stateless, as the SDK v2 client is on a modern
 * connection. No initialize and no session id; every request carries the `_meta` envelope (protocol version,
 * client info, client capabilities) and the standard headers that mirror the body (`MCP-Protocol-Version`,
 * `Mcp-Method`, `Mcp-Name`). It opens with one `server/discover`, which must offer 2026-07-28. One keep-alive
 * connection per client, like the 2025 sessions, so the two paths differ only in what the protocol asks.
 */
import { createPoster, httpClientKind, type HttpClientKind, type Poster } from './http-client';
import {
  discoverRefusal,
  isResponse,
  PROTOCOL_2026,
  standardHeaders,
  envelopedJson,
  type JsonRpcMessage,
} from './jsonrpc';
import { RefusedError, REQUEST_TIMEOUT_MS, TransportError, type McpSession } from './session';

export class StatelessHttpSession implements McpSession {
  protocolVersion?: string;
  private readonly poster: Poster;
  private nextId = 1;

  constructor(url: string, kind: HttpClientKind = httpClientKind()) {
    this.poster = createPoster(new URL(url), kind);
  }

  /** server/discover: the server must answer it (not refuse it with a status) and offer 2026-07-28. */
  async open(timeoutMs = REQUEST_TIMEOUT_MS): Promise<JsonRpcMessage> {
    const { status, response, body } = await this.exchange('server/discover', {}, timeoutMs);
    const refusal = response
      ? discoverRefusal(response)
      : `server/discover answered HTTP ${status} without a JSON-RPC answer${body ? `: ${body.slice(0, 200)}` : ''}`;
    if (refusal) throw new RefusedError(status >= 300 ? `HTTP ${status}: ${refusal}` : refusal);
    this.protocolVersion = PROTOCOL_2026;
    return response!;
  }

  async request(method: string, params?: unknown, timeoutMs = REQUEST_TIMEOUT_MS): Promise<JsonRpcMessage> {
    const { status, response, body } = await this.exchange(method, params, timeoutMs);
    if (response) return response;
    throw new TransportError(`HTTP ${status} without an answer to ${method}${body ? `: ${body.slice(0, 200)}` : ''}`);
  }

  /** 2026-07-28 defines no client-to-server notifications over HTTP that the bench needs; sent as given. */
  async notify(method: string, params?: unknown): Promise<void> {
    const body = envelopedJson(undefined, method, params);
    const outcome = await this.poster.post({ 'mcp-protocol-version': PROTOCOL_2026 }, body, REQUEST_TIMEOUT_MS);
    if (outcome.status >= 300)
      throw new TransportError(`HTTP ${outcome.status} to ${method}: ${outcome.body.slice(0, 200)}`);
  }

  /** Nothing to end on the server: no session. Drops the connection. */
  async close(): Promise<void> {
    this.poster.close();
  }

  private async exchange(
    method: string,
    params: unknown,
    timeoutMs: number,
  ): Promise<{ status: number; response?: JsonRpcMessage; body: string }> {
    const id = this.nextId++;
    const body = envelopedJson(id, method, params);
    const outcome = await this.poster.post(standardHeaders(method, params), body, timeoutMs, id);
    // An error the server could not address to the request (id null: it refused the POST as a whole) is its answer.
    const response =
      outcome.messages.find((m) => isResponse(m) && m.id === id) ??
      outcome.messages.find((m) => m.error !== undefined && m.id === null);
    return { status: outcome.status, response, body: outcome.body };
  }
}
