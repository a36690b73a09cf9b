/**
 * The request path's own JSON-RPC requests to a backend, on the transport the SDK client also uses.
 *
 * The SDK's Client.request costs a timer, an abort listener, a progress-handler entry and a schema parse of
 * the result on every call. A relayed call needs none of that: the dispatcher bounds the call with its own
 * deadline, and the result goes back untouched to a client that validates it itself. Our ids are strings
 * ("mcp-router-N"), the SDK's are numbers, so the two never collide; responses and progress for our ids are
 * taken off the transport before the SDK sees them, in the order they arrive.
 */
import type { JSONRPCMessage, Progress, Transport } from '@modelcontextprotocol/client';
import type { McpError } from '@modelcontextprotocol/sdk/types.js';
import { ErrorCode, loadMcpError, mcpError } from '../protocol/mcp-error';
import { sdkClient } from '../protocol/sdk-client';
import type { CancelSignal } from '../cancellation';
import type { ClientOrigin } from './client-origins';

export interface CallOptions {
  signal?: CancelSignal;
  onprogress?: (progress: Progress) => void;
  /** The client session whose call this is: a 2026 backend's input requests are put to it. */
  origin?: ClientOrigin;
  /** 2026 backends: the capabilities this request's envelope declares (the calling client's), not the router's. */
  clientCapabilities?: Record<string, unknown>;
  /** 2026 backends over HTTP: headers this request carries (SEP-2243 `Mcp-Param-*`). */
  headers?: Record<string, string>;
}

/** How a 2026-07-28 connection differs on the wire (a 2025 one takes neither). */
export interface ModernWire {
  /** The `_meta` envelope every request carries: protocol version, client info and capabilities, log level. */
  envelope(): Record<string, unknown>;
  /** Streamable HTTP: a request is cancelled by closing its own response stream. */
  perRequestStream: boolean;
}

interface Pending {
  resolve(result: Record<string, unknown>): void;
  reject(error: unknown): void;
  onprogress?: (progress: Progress) => void;
  /** The caller's signal and our listener on it, removed when the call ends. */
  signal?: CancelSignal;
  onAbort?: () => void;
}

interface ModernSend {
  requestSignal?: AbortSignal;
  headers?: Record<string, string>;
}

type Fields = Record<string, unknown>;

export class BackendCalls {
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();
  private closed = false;

  /** Call once the SDK client is connected: it wraps the handlers the client installed. */
  constructor(
    private readonly transport: Transport,
    /** Set on a 2026-07-28 connection. */
    readonly modern?: ModernWire,
  ) {
    loadMcpError();
    const deliver = transport.onmessage;
    transport.onmessage = (message, extra) => {
      if (!this.take(message)) deliver?.(message, extra);
    };
    const closed = transport.onclose;
    transport.onclose = () => {
      this.failAll(mcpError(ErrorCode.ConnectionClosed, 'Connection closed'));
      closed?.();
    };
  }

  call(method: string, params: Fields, options: CallOptions = {}): Promise<Record<string, unknown>> {
    const { signal, onprogress } = options;
    if (this.closed) return Promise.reject(mcpError(ErrorCode.ConnectionClosed, 'Not connected'));
    if (signal?.aborted) return Promise.reject(signal.reason);
    const id = `mcp-router-${this.nextId++}`;
    const modern = this.modern;
    // Progress comes back under our token; the caller's own token is restored by its onprogress.
    const sent = modern
      ? {
          ...params,
          _meta: {
            ...(params._meta as Fields | undefined),
            ...modern.envelope(),
            ...(options.clientCapabilities && {
              [sdkClient().CLIENT_CAPABILITIES_META_KEY]: options.clientCapabilities,
            }),
            ...(onprogress && { progressToken: id }),
          },
        }
      : onprogress
        ? { ...params, _meta: { ...(params._meta as Fields | undefined), progressToken: id } }
        : params;
    // Over streamable HTTP a 2026 request is cancelled by closing its response stream.
    const stream = modern?.perRequestStream && signal ? new AbortController() : undefined;
    const headers = modern?.perRequestStream ? options.headers : undefined;
    const sendOptions: ModernSend | undefined =
      stream || headers ? { ...(stream && { requestSignal: stream.signal }), ...(headers && { headers }) } : undefined;
    return new Promise((resolve, reject) => {
      const entry: Pending = { resolve, reject, onprogress };
      if (signal) {
        entry.signal = signal;
        entry.onAbort = () => {
          if (!this.pending.delete(id)) return;
          if (stream) stream.abort(signal.reason);
          else {
            const cancelled: Fields = { requestId: id, reason: String(signal.reason) };
            if (modern) cancelled._meta = modern.envelope();
            void this.transport
              .send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: cancelled } as JSONRPCMessage)
              .catch(() => {});
          }
          reject(signal.reason);
        };
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      this.pending.set(id, entry);
      this.transport
        .send({ jsonrpc: '2.0', id, method, params: sent } as JSONRPCMessage, sendOptions)
        .catch((error) => {
          if (this.end(id)) reject(unsendable(error) ?? error);
        });
    });
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** Handles a message meant for one of our calls; false for everything else (the SDK's business). */
  private take(message: JSONRPCMessage): boolean {
    const m = message as Fields;
    if (typeof m.id === 'string' && m.method === undefined) {
      const entry = this.end(m.id);
      if (!entry) return false;
      if (m.error !== undefined) {
        const error = m.error as { code: number; message: string; data?: unknown };
        entry.reject(mcpError(error.code, error.message, error.data));
      } else {
        entry.resolve(m.result as Record<string, unknown>);
      }
      return true;
    }
    if (m.method === 'notifications/progress') {
      const params = m.params as Fields | undefined;
      const token = params?.progressToken;
      if (typeof token !== 'string') return false;
      const entry = this.pending.get(token);
      if (!entry) return false;
      const { progressToken: _token, ...progress } = params!;
      entry.onprogress?.(progress as Progress);
      return true;
    }
    return false;
  }

  /** Takes a call off the books (and its abort listener off the caller's signal); undefined if it had ended. */
  private end(id: string): Pending | undefined {
    const entry = this.pending.get(id);
    if (!entry) return undefined;
    this.pending.delete(id);
    if (entry.onAbort) entry.signal!.removeEventListener('abort', entry.onAbort);
    return entry;
  }

  private failAll(error: Error): void {
    this.closed = true;
    for (const id of [...this.pending.keys()]) this.end(id)?.reject(error);
  }
}

/**
 * JSON.parse accepts nesting that JSON.stringify overflows the stack on: such params came from the caller and
 * never left the router. They are the caller's invalid params, not the backend's failure (nor worth a retry).
 */
function unsendable(error: unknown): McpError | undefined {
  if (!(error instanceof RangeError)) return undefined;
  return mcpError(ErrorCode.InvalidParams, 'mcp-router: the request cannot be sent: its params are nested too deep');
}
