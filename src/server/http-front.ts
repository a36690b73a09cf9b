/**
 * The router served over streamable HTTP at /mcp: one SDK transport and one client session per MCP session
 * id. Bodies are read here (with a size cap) so that a bad request gets a clear answer before the SDK.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Logger } from '../logging/logger';
import { checkHostAndOrigin, type HostPolicy } from './host-policy';

export interface HttpFrontOptions {
  host: string;
  port: number;
  logger: Logger;
  createSession: () => Server;
  /** Largest accepted request body, bytes. */
  maxBodyBytes?: number;
  hostPolicy?: Partial<HostPolicy>;
  /** Extra routes (/healthz, /metrics, ...) tried before /mcp. */
  extraRoutes?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

interface Session {
  transport: StreamableHTTPServerTransport;
  server: Server;
}

const DEFAULT_MAX_BODY = 4 * 1024 * 1024;

export class HttpFront {
  private readonly sessions = new Map<string, Session>();
  private http: HttpServer | undefined;
  private policy: HostPolicy | undefined;

  constructor(private readonly options: HttpFrontOptions) {}

  get url(): string {
    const address = this.http?.address() as AddressInfo | null;
    const host = this.options.host.includes(':') ? `[${this.options.host}]` : this.options.host;
    return `http://${host}:${address?.port ?? this.options.port}/mcp`;
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  async listen(): Promise<string> {
    this.http = createServer((req, res) => {
      this.handle(req, res).catch((error) => {
        this.options.logger.error('HTTP request failed', { error: String(error) });
        if (!res.headersSent) jsonRpcError(res, 500, -32603, 'internal error');
        else res.end();
      });
    });
    this.http.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      this.http!.once('error', reject);
      this.http!.listen(this.options.port, this.options.host, () => resolve());
    });
    const port = (this.http.address() as AddressInfo).port;
    this.policy = { host: this.options.host, port, allowedHosts: [], allowedOrigins: [], ...this.options.hostPolicy };
    return this.url;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refusal = checkHostAndOrigin(req, this.policy!);
    if (refusal) return jsonRpcError(res, 403, -32000, refusal);
    if (this.options.extraRoutes?.(req, res)) return;
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/mcp') return jsonRpcError(res, 404, -32000, `not found: ${path} (the MCP endpoint is /mcp)`);

    const sessionId = header(req, 'mcp-session-id');
    if (req.method === 'POST') {
      const body = await readJsonBody(req, res, this.options.maxBodyBytes ?? DEFAULT_MAX_BODY);
      if (body === undefined) return;
      if (sessionId) {
        const session = this.sessions.get(sessionId);
        if (!session) return jsonRpcError(res, 404, -32001, 'session not found');
        return session.transport.handleRequest(req, res, body);
      }
      if (!isInitializeRequest(body)) {
        return jsonRpcError(res, 400, -32000, 'Bad Request: no valid session id; the first request must be initialize');
      }
      const session = this.openSession();
      return session.transport.handleRequest(req, res, body);
    }
    if (req.method === 'GET' || req.method === 'DELETE') {
      const session = sessionId ? this.sessions.get(sessionId) : undefined;
      if (!sessionId) return jsonRpcError(res, 400, -32000, 'Bad Request: mcp-session-id header required');
      if (!session) return jsonRpcError(res, 404, -32001, 'session not found');
      return session.transport.handleRequest(req, res);
    }
    res.writeHead(405, { allow: 'GET, POST, DELETE' }).end();
  }

  private openSession(): Session {
    const server = this.options.createSession();
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        this.sessions.set(id, session);
      },
      onsessionclosed: (id) => {
        this.sessions.delete(id);
      },
    });
    const session: Session = { transport, server };
    transport.onclose = () => {
      if (transport.sessionId) this.sessions.delete(transport.sessionId);
      void server.close().catch(() => {});
    };
    void server.connect(transport);
    return session;
  }

  /** Stops taking new connections; open sessions keep being served until close(). */
  stopAccepting(): void {
    this.http?.close();
    this.http?.closeIdleConnections();
  }

  async close(): Promise<void> {
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(sessions.map((s) => s.server.close().catch(() => {})));
    if (this.http) {
      const http = this.http;
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeIdleConnections();
        setTimeout(() => http.closeAllConnections(), 2000).unref();
      });
    }
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function jsonRpcError(res: ServerResponse, status: number, code: number, message: string): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

/** Reads and parses a JSON body; answers 413 / 400 itself and returns undefined when it did. */
async function readJsonBody(req: IncomingMessage, res: ServerResponse, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    jsonRpcError(res, 413, -32600, `request body larger than ${maxBytes} bytes`);
    req.resume();
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      jsonRpcError(res, 413, -32600, `request body larger than ${maxBytes} bytes`);
      req.resume();
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    jsonRpcError(res, 400, -32700, 'Parse error: the body is not valid JSON');
    return undefined;
  }
}
