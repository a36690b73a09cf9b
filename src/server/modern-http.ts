/**
 * 2026-07-28 over streamable HTTP: each POST is one request, with no session. The answer is JSON, unless
 * the request's stream carries notifications first (progress, the call's log messages), in which case the
 * response turns into an SSE stream at the first one and the answer is its last event. Closing the response
 * before the answer cancels the request (the backend hears notifications/cancelled). subscriptions/listen
 * keeps its SSE stream open until the client closes it or the router stops.
 */
import { paramHeaderProblem, paramHeaders } from '../protocol/param-headers';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Router } from '../router/router';
import { listenEnded, openListen, type ListenStream } from './listen-stream';
import type { ModernAnswer, ModernExchange, ModernFront, ModernRequest } from './modern-front';
import { endJsonAnswer, wireTextOf } from './written-once';

type Fields = Record<string, unknown>;

const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
};

/** Values of the standard headers, as the front read them. */
export interface ModernHeaders {
  protocolVersion?: string;
  method?: string;
  name?: string;
}

const BASE64_PREFIX = '=?base64?';
const BASE64_SUFFIX = '?=';

/** An Mcp-Name value as sent: plain, or base64 between sentinels for values a header cannot carry. */
function decodeHeaderValue(value: string): string | undefined {
  if (!(value.startsWith(BASE64_PREFIX) && value.endsWith(BASE64_SUFFIX))) return value;
  const b64 = value.slice(BASE64_PREFIX.length, -BASE64_SUFFIX.length);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) return undefined;
  return Buffer.from(b64, 'base64').toString('utf8');
}

/**
 * The standard headers a 2026 request POST must carry, checked against its body (-32020 when one is missing
 * or disagrees). The protocol version and Mcp-Method disagreeing with the body were refused by the
 * classifier already; this is the presence half and Mcp-Name.
 */
export function headerProblem(headers: ModernHeaders, request: ModernRequest): string | undefined {
  if (headers.protocolVersion === undefined) return 'the required MCP-Protocol-Version header is absent';
  if (headers.method === undefined) return 'the required Mcp-Method header is absent';
  const field =
    request.method === 'tools/call' || request.method === 'prompts/get'
      ? 'name'
      : request.method === 'resources/read'
        ? 'uri'
        : undefined;
  if (!field) return undefined;
  const body = request.params?.[field];
  if (typeof body !== 'string') return undefined;
  if (headers.name === undefined) return `the body carries params.${field} but the required Mcp-Name header is absent`;
  if (decodeHeaderValue(headers.name) !== body) return `the Mcp-Name header does not match params.${field} in the body`;
  return undefined;
}

/**
 * One request's stream over HTTP: the answer is JSON unless a notification comes first, which turns the
 * response into an SSE stream (when the client accepts one). The client closing it before the answer is the
 * request cancelled. A class, not an object of closures: one is made for every request.
 */
class HttpExchange implements ModernExchange {
  readonly clientKey: string;
  streaming = false;
  private readonly acceptsStream: boolean;

  constructor(
    req: IncomingMessage,
    private readonly res: ServerResponse,
  ) {
    this.clientKey = req.socket.remoteAddress ?? 'unknown';
    this.acceptsStream = (req.headers.accept ?? '').includes('text/event-stream');
  }

  notify(method: string, params: Fields | undefined): void {
    const { res } = this;
    if (!this.acceptsStream || res.writableEnded || res.destroyed) return;
    if (!this.streaming) {
      this.streaming = true;
      res.writeHead(200, SSE_HEADERS);
    }
    res.write(event({ jsonrpc: '2.0', method, params }));
  }

  onClientGone(listener: () => void): () => void {
    const { res } = this;
    const onClose = () => {
      if (!res.writableFinished) listener();
    };
    res.once('close', onClose);
    return () => res.off('close', onClose);
  }
}

export class ModernHttp {
  private readonly listens = new Map<ListenStream, { res: ServerResponse; id: string | number }>();

  constructor(
    private readonly front: ModernFront,
    private readonly router: Router,
  ) {}

  async serve(request: ModernRequest, headers: ModernHeaders, req: IncomingMessage, res: ServerResponse) {
    const problem = headerProblem(headers, request) ?? this.paramHeaderProblem(request, req);
    if (problem)
      return this.write(res, request.id, {
        error: { code: -32020, message: `Header mismatch: ${problem}` },
        httpStatus: 400,
      });
    if (request.method === 'subscriptions/listen') return this.listen(request, res);

    const exchange = new HttpExchange(req, res);
    const answer = await this.front.handle(request, exchange);
    if (exchange.streaming) {
      if (!res.writableEnded) res.end(event(responseOf(request.id, answer)));
      return;
    }
    this.write(res, request.id, answer);
  }

  /** A tools/call's `Mcp-Param-*` headers against its arguments, for the tool's `x-mcp-header` declarations. */
  private paramHeaderProblem(request: ModernRequest, req: IncomingMessage): string | undefined {
    if (request.method !== 'tools/call' || typeof request.params?.name !== 'string') return undefined;
    const declared = paramHeaders(this.router.catalog.tool(request.params.name)?.definition.inputSchema);
    if (declared.length === 0) return undefined;
    return paramHeaderProblem(declared, request.params.arguments, (name) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    });
  }

  private write(res: ServerResponse, id: string | number, answer: ModernAnswer): void {
    if (res.headersSent || res.destroyed) return void res.end();
    const status = 'error' in answer ? answer.httpStatus : 200;
    // An answer always has a text: one that cannot be serialized becomes an error (serializeForClient).
    endJsonAnswer(res, status, wireTextOf(responseOf(id, answer) as JSONRPCMessage)!);
  }

  private listen(request: ModernRequest, res: ServerResponse): void {
    res.writeHead(200, SSE_HEADERS);
    // Headers now, so the client knows the stream is open before the first notification.
    res.flushHeaders();
    const stream = openListen(
      this.router,
      this.front.operations,
      request.id,
      request.params?.notifications,
      (method, params) => {
        if (!res.writableEnded) res.write(event({ jsonrpc: '2.0', method, params }));
      },
    );
    this.listens.set(stream, { res, id: request.id });
    res.once('close', () => {
      stream.close();
      this.listens.delete(stream);
    });
  }

  /** Router stop: each listen stream ends with its result, as the protocol says a graceful end does. */
  close(): void {
    for (const [stream, { res, id }] of this.listens) {
      stream.close();
      if (!res.writableEnded) res.end(event({ jsonrpc: '2.0', id, result: listenEnded(id) }));
    }
    this.listens.clear();
    this.front.close();
  }
}

function responseOf(id: string | number, answer: ModernAnswer): Fields {
  return 'result' in answer
    ? { jsonrpc: '2.0', id, result: answer.result }
    : { jsonrpc: '2.0', id, error: answer.error };
}

function event(message: Fields): string {
  return `event: message\ndata: ${JSON.stringify(message)}\n\n`;
}
