/**
 * The router served over streamable HTTP at /mcp: one SDK transport and one client session per MCP session
 * id. Bodies are read here (with a size cap) so that a bad request gets a clear answer before the SDK.
 */
import { randomUUID } from 'node:crypto';
import { applyServerLimits, serverOptions, type ConnectionLimits } from './connection-limits';
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { SUPPORTED_PROTOCOL_VERSIONS, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { isJsonRpcMessage } from '../protocol/jsonrpc-message';
import { HttpSessionTransport } from './http-session-transport';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Logger } from '../logging/logger';
import type { HostPolicy } from './host-policy';
import { admit } from './request-gate';
import { jsonRpcError, readJsonBody } from './http-answers';
import { EraClassifier } from './era-classifier';
import { hasEnvelopeClaim, isModernVersion } from '../protocol/modern';
import type { ModernHttp } from './modern-http';

export { jsonRpcError } from './http-answers';

export interface HttpFrontOptions {
  host: string;
  port: number;
  logger: Logger;
  createSession: () => Server | Promise<Server>;
  /** Largest accepted request body, bytes. */
  maxBodyBytes?: number;
  hostPolicy?: Partial<HostPolicy>;
  /** Extra routes (/healthz, /metrics, ...) tried before /mcp. */
  extraRoutes?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** Concurrent sessions beyond this get 503. */
  maxSessions?: number;
  /** Sessions with no request for this long are closed and their resources freed. */
  sessionIdleMs?: number;
  /** Sessions that make no request after initialize are closed after this long (a flood of them is a lock-out). */
  unusedSessionMs?: number;
  /** Most sessions one peer (remote address) may hold; default half of maxSessions. */
  maxSessionsPerPeer?: number;
  /** Socket timeouts and the connection cap (see connection-limits.ts). */
  connectionLimits?: Partial<ConnectionLimits>;
  /** When set, every request must carry `Authorization: Bearer <token>`. */
  authToken?: string;
  /** Serves 2026-07-28 requests (stateless, enveloped) beside the 2025 sessions. */
  modern?: ModernHttp;
}

interface Session {
  transport: HttpSessionTransport;
  server: Server;
  peer: string;
}

const DEFAULT_MAX_BODY = 4 * 1024 * 1024;
const DEFAULT_MAX_SESSIONS = 1000;
const DEFAULT_SESSION_IDLE_MS = 30 * 60 * 1000;
const DEFAULT_UNUSED_SESSION_MS = 60 * 1000;

function idOf(m: unknown): string | number | null {
  const id = (m as { id?: unknown } | null)?.id;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}

/** Protocol versions that removed JSON-RPC batching. */
function refusesBatches(version: string | undefined): boolean {
  return version === undefined || version >= '2025-06-18';
}

/** A client of the legacy HTTP+SSE transport (protocol 2024-11-05): a GET stream and POSTs beside it. */
interface LegacySession {
  transport: SSEServerTransport;
  server: Server;
  peer: string;
}

function peerOf(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

export class HttpFront {
  private readonly sessions = new Map<string, Session>();
  private readonly legacy = new Map<string, LegacySession>();
  private readonly eras = new EraClassifier();
  private http: HttpServer | undefined;
  private policy: HostPolicy | undefined;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly options: HttpFrontOptions) {}

  get url(): string {
    const address = this.http?.address() as AddressInfo | null;
    const host = this.options.host.includes(':') ? `[${this.options.host}]` : this.options.host;
    return `http://${host}:${address?.port ?? this.options.port}/mcp`;
  }

  get sessionCount(): number {
    return this.sessions.size + this.legacy.size;
  }

  private get maxSessions(): number {
    return this.options.maxSessions ?? DEFAULT_MAX_SESSIONS;
  }

  /** Every session slot is taken: new clients would get 503, so /readyz says so too. */
  get saturated(): boolean {
    return this.sessionCount >= this.maxSessions;
  }

  private sessionsOf(peer: string): number {
    let n = 0;
    for (const s of this.sessions.values()) if (s.peer === peer) n++;
    for (const s of this.legacy.values()) if (s.peer === peer) n++;
    return n;
  }

  /** Why a new session for this peer is refused (503), or undefined when it may open. */
  private refuseNewSession(req: IncomingMessage): string | undefined {
    if (this.saturated) return 'Service Unavailable: too many sessions; try again later';
    const share = this.options.maxSessionsPerPeer ?? Math.max(1, Math.floor(this.maxSessions / 2));
    if (this.sessionsOf(peerOf(req)) >= share)
      return `Service Unavailable: this address holds ${share} sessions, its most; close some (DELETE /mcp) or try again later`;
    return undefined;
  }

  async listen(): Promise<string> {
    this.http = createServer(serverOptions(this.options.connectionLimits), (req, res) => {
      this.handle(req, res).catch((error) => {
        this.options.logger.error('HTTP request failed', { error: String(error) });
        if (!res.headersSent) jsonRpcError(res, 500, -32603, 'internal error');
        else res.end();
      });
    });
    applyServerLimits(this.http, this.options.connectionLimits);
    const idleMs = this.options.sessionIdleMs ?? DEFAULT_SESSION_IDLE_MS;
    const unusedMs = this.options.unusedSessionMs ?? DEFAULT_UNUSED_SESSION_MS;
    this.sweeper = setInterval(
      () => this.sweepIdleSessions(),
      Math.max(1000, Math.min(idleMs / 2, unusedMs / 2, 60_000)),
    );
    this.sweeper.unref();
    await new Promise<void>((resolve, reject) => {
      this.http!.once('error', reject);
      this.http!.listen(this.options.port, this.options.host, () => resolve());
    });
    const port = (this.http.address() as AddressInfo).port;
    this.policy = { host: this.options.host, port, allowedHosts: [], allowedOrigins: [], ...this.options.hostPolicy };
    return this.url;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!admit(req, res, { policy: this.policy!, authToken: this.options.authToken })) return;
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/readyz' && this.saturated) {
      res
        .writeHead(503, { 'content-type': 'application/json', 'cache-control': 'no-store' })
        .end(JSON.stringify({ ready: false, reason: `all ${this.maxSessions} session slots are taken` }));
      return;
    }
    if (this.options.extraRoutes?.(req, res)) return;
    if (path === '/sse' || path === '/messages') return this.handleLegacy(path, req, res);
    if (path !== '/mcp') return jsonRpcError(res, 404, -32000, `not found: ${path} (the MCP endpoint is /mcp)`);

    const sessionId = header(req, 'mcp-session-id');
    const version = header(req, 'mcp-protocol-version');
    if (req.method === 'POST')
      return readJsonBody(req, res, this.options.maxBodyBytes ?? DEFAULT_MAX_BODY, (body) =>
        this.servePost(req, res, body, sessionId, version),
      );
    if (version && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) return unsupportedVersion(res, version);
    if (req.method === 'GET' || req.method === 'DELETE') {
      if (!sessionId) return jsonRpcError(res, 400, -32000, 'Bad Request: mcp-session-id header required');
      const session = this.sessions.get(sessionId);
      if (!session) return jsonRpcError(res, 404, -32001, 'Session not found');
      if (req.method === 'GET') return session.transport.handleGet(res);
      await this.closeSession(sessionId);
      res.writeHead(200).end();
      return;
    }
    res.writeHead(405, { allow: 'GET, POST, DELETE' }).end();
  }

  /**
   * One POST to /mcp, its body read: called in the turn its last byte arrived, and synchronous up to the
   * session's transport on the common path (a request on an open session).
   */
  private servePost(
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
    sessionId: string | undefined,
    version: string | undefined,
  ): void | Promise<void> {
    // Each POST is classified by its body: a 2026 request says so in its envelope. The 2025 path does not pay
    // for the classifier unless the body or the header mentions the 2026 era (or it is a batch).
    const { modern } = this.options;
    if (modern && (Array.isArray(body) || hasEnvelopeClaim(body) || isModernVersion(version))) {
      const route = this.eras.classify({
        protocolVersionHeader: version,
        mcpMethodHeader: header(req, 'mcp-method'),
        mcpNameHeader: header(req, 'mcp-name'),
        body,
      });
      if (route.kind === 'reject')
        return jsonRpcError(res, route.httpStatus, route.code, route.message, idOf(body), route.data);
      if (route.kind === 'modern') {
        if (route.messageKind === 'notification') return void res.writeHead(202).end();
        return modern.serve(
          route.message as never,
          { protocolVersion: version, method: header(req, 'mcp-method'), name: header(req, 'mcp-name') },
          req,
          res,
        );
      }
    }
    if (version && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) return unsupportedVersion(res, version);
    const messages = Array.isArray(body) ? body : [body];
    if (messages.length === 0 || !messages.every(isJsonRpcMessage)) {
      const bad = messages.find((m) => !isJsonRpcMessage(m));
      return jsonRpcError(res, 400, -32600, 'Invalid Request: not a JSON-RPC 2.0 message', idOf(bad));
    }
    const isInitialize = messages.some((m) => (m as { method?: string }).method === 'initialize');
    if (sessionId) {
      const session = this.sessions.get(sessionId);
      if (!session) return jsonRpcError(res, 404, -32001, 'Session not found', idOf(body));
      if (Array.isArray(body) && refusesBatches(session.transport.protocolVersion)) {
        return jsonRpcError(
          res,
          400,
          -32600,
          `Invalid Request: protocol version ${session.transport.protocolVersion} does not allow JSON-RPC batches`,
        );
      }
      if (isInitialize)
        return jsonRpcError(res, 400, -32600, 'Invalid Request: this session is already initialized', idOf(body));
      return session.transport.handlePost(req, res, body as JSONRPCMessage);
    }
    if (!isInitialize || Array.isArray(body)) {
      return jsonRpcError(
        res,
        400,
        -32000,
        'Bad Request: no valid session id; the first request must be a single initialize',
        idOf(body),
      );
    }
    const refused = this.refuseNewSession(req);
    if (refused) return jsonRpcError(res, 503, -32000, refused, idOf(body));
    return this.initialize(req, res, body as JSONRPCMessage);
  }

  /** A new session: its first request, initialize. */
  private async initialize(req: IncomingMessage, res: ServerResponse, message: JSONRPCMessage): Promise<void> {
    const session = await this.openSession(peerOf(req));
    session.transport.protocolVersion = (message as { params?: { protocolVersion?: string } }).params?.protocolVersion;
    session.transport.handlePost(req, res, message);
  }

  /**
   * The legacy HTTP+SSE transport, for clients that predate streamable HTTP: GET /sse opens the session's
   * stream (its first event names the POST endpoint), POST /messages?sessionId=… carries the client's
   * messages, and every answer goes back on the stream. Same checks, limits and session cap as /mcp.
   */
  private async handleLegacy(path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (path === '/sse') {
      if (req.method !== 'GET') return void res.writeHead(405, { allow: 'GET' }).end();
      const refused = this.refuseNewSession(req);
      if (refused) return jsonRpcError(res, 503, -32000, refused);
      const transport = new SSEServerTransport('/messages', res);
      const server = await this.options.createSession();
      this.legacy.set(transport.sessionId, { transport, server, peer: peerOf(req) });
      transport.onclose = () => this.legacy.delete(transport.sessionId);
      res.on('close', () => {
        if (this.legacy.delete(transport.sessionId)) void server.close().catch(() => {});
      });
      await server.connect(transport);
      return;
    }
    if (req.method !== 'POST') return void res.writeHead(405, { allow: 'POST' }).end();
    const id = new URL(req.url ?? '', 'http://router').searchParams.get('sessionId') ?? '';
    const session = this.legacy.get(id);
    if (!session) return jsonRpcError(res, 404, -32001, 'Session not found');
    return readJsonBody(req, res, this.options.maxBodyBytes ?? DEFAULT_MAX_BODY, (body) => {
      if (!isJsonRpcMessage(body))
        return jsonRpcError(res, 400, -32600, 'Invalid Request: not a JSON-RPC 2.0 message', idOf(body));
      return session.transport.handlePostMessage(req, res, body);
    });
  }

  private async openSession(peer: string): Promise<Session> {
    const server = await this.options.createSession();
    const transport = new HttpSessionTransport(randomUUID());
    const session: Session = { transport, server, peer };
    this.sessions.set(transport.sessionId, session);
    transport.onclose = () => {
      this.sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    return session;
  }

  private async closeSession(id: string): Promise<void> {
    const session = this.sessions.get(id);
    this.sessions.delete(id);
    await session?.server.close().catch(() => {});
  }

  /**
   * Closes sessions idle for longer than the idle timeout (their server, subscriptions, listeners), and those
   * that made no request after initialize within unusedSessionMs.
   */
  sweepIdleSessions(now = Date.now()): number {
    const idleMs = this.options.sessionIdleMs ?? DEFAULT_SESSION_IDLE_MS;
    const unusedMs = this.options.unusedSessionMs ?? DEFAULT_UNUSED_SESSION_MS;
    let closed = 0;
    for (const [id, session] of this.sessions) {
      const t = session.transport;
      if (now - t.lastActive > idleMs || (!t.used && now - t.createdAt > unusedMs)) {
        void this.closeSession(id);
        closed++;
      }
    }
    return closed;
  }

  /** Stops taking new connections; open sessions keep being served until close(). */
  stopAccepting(): void {
    this.http?.close();
    this.http?.closeIdleConnections();
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.options.modern?.close();
    const sessions = [...this.sessions.values(), ...this.legacy.values()];
    this.sessions.clear();
    this.legacy.clear();
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

function unsupportedVersion(res: ServerResponse, version: string): void {
  jsonRpcError(
    res,
    400,
    -32000,
    `Bad Request: unsupported protocol version ${version} (supported: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`,
  );
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
