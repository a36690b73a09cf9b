/**
 * A raw JSON-RPC client over streamable HTTP (one keep-alive connection per session; the raw HTTP/1.1 client by
 * default, node:http with BENCH_HTTP_CLIENT=node):
 * POST initialize, keep the mcp-session-id it answers with, send notifications/initialized, then POST each
 * request and read its answer as application/json or as a text/event-stream, whichever the server picks.
 */
import { Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import {
  answerServerRequest,
  initializeParams,
  isResponse,
  isServerRequest,
  SseParser,
  type JsonRpcId,
  type JsonRpcMessage,
} from './jsonrpc';
import { RawHttpConnection } from './raw-http';
import { RefusedError, REQUEST_TIMEOUT_MS, TransportError, type McpSession } from './session';

export interface PostOutcome {
  status: number;
  headers: IncomingMessage['headers'];
  messages: JsonRpcMessage[];
  body: string;
}

/** POSTs one JSON body and collects the JSON-RPC messages of the answer (JSON or SSE). */
export function postJson(
  url: URL,
  agent: Agent,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
  waitFor?: JsonRpcId,
): Promise<PostOutcome> {
  return new Promise<PostOutcome>((resolve, reject) => {
    let settled = false;
    let linger: NodeJS.Timeout | undefined;
    const done = (error: Error | undefined, outcome?: PostOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (linger) clearTimeout(linger);
      if (error) reject(error);
      else resolve(outcome!);
    };
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: 'POST',
        agent,
        headers: {
          ...headers,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        const type = String(res.headers['content-type'] ?? '');
        const messages: JsonRpcMessage[] = [];
        let text = '';
        res.setEncoding('utf8');
        const outcome = () => ({ status, headers: res.headers, messages, body: text });
        if (type.includes('text/event-stream')) {
          const parser = new SseParser((_event, data) => {
            try {
              const message = JSON.parse(data) as JsonRpcMessage;
              messages.push(message);
              // A server should end the stream once it has answered; one that keeps it open gets a moment,
              // then the answer is taken and the stream dropped.
              if (waitFor !== undefined && isResponse(message) && message.id === waitFor && !linger) {
                linger = setTimeout(() => {
                  res.destroy();
                  done(undefined, outcome());
                }, 1000);
              }
            } catch {
              // an event that is not JSON (a priming event with an empty data line, say): not ours
            }
          });
          res.on('data', (chunk: string) => parser.push(chunk));
          res.on('end', () => {
            parser.end();
            done(undefined, outcome());
          });
        } else {
          res.on('data', (chunk: string) => {
            text += chunk;
          });
          res.on('end', () => {
            if (type.includes('application/json') && text.length > 0) {
              try {
                const parsed = JSON.parse(text) as JsonRpcMessage | JsonRpcMessage[];
                if (Array.isArray(parsed)) messages.push(...parsed);
                else messages.push(parsed);
              } catch {
                // leave messages empty: the caller reports the status and the body
              }
            }
            done(undefined, outcome());
          });
        }
        res.on('error', (error) => done(new TransportError(`response: ${error.message}`)));
        res.on('aborted', () => done(new TransportError('response aborted')));
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      done(new TransportError(`POST timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('error', (error) => done(new TransportError(`POST ${url.href}: ${error.message}`)));
    req.end(body);
  });
}

/** How a session POSTs: over node:http, or over the raw HTTP/1.1 client (the default: it costs less CPU). */
export interface Poster {
  post(headers: Record<string, string>, body: string, timeoutMs: number, waitFor?: JsonRpcId): Promise<PostOutcome>;
  /** An extra request on the same connection(s), for DELETE. */
  send(method: string, headers: Record<string, string>, timeoutMs: number): Promise<number>;
  close(): void;
}

export type HttpClientKind = 'raw' | 'node';

export function httpClientKind(): HttpClientKind {
  return process.env.BENCH_HTTP_CLIENT === 'node' ? 'node' : 'raw';
}

/** `localAddress`: the source address to connect from (the raw client only). */
export function createPoster(url: URL, kind: HttpClientKind = httpClientKind(), localAddress?: string): Poster {
  return kind === 'node' ? new NodePoster(url) : new RawPoster(url, localAddress);
}

class NodePoster implements Poster {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 4 });

  constructor(private readonly url: URL) {}

  post(headers: Record<string, string>, body: string, timeoutMs: number, waitFor?: JsonRpcId): Promise<PostOutcome> {
    return postJson(this.url, this.agent, headers, body, timeoutMs, waitFor);
  }

  send(method: string, headers: Record<string, string>, timeoutMs: number): Promise<number> {
    return new Promise<number>((resolve) => {
      const req = httpRequest(
        {
          host: this.url.hostname,
          port: this.url.port,
          path: this.url.pathname + this.url.search,
          method,
          agent: this.agent,
          headers,
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', () => resolve(0));
        },
      );
      req.setTimeout(timeoutMs, () => {
        req.destroy();
        resolve(0);
      });
      req.on('error', () => resolve(0));
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

class RawPoster implements Poster {
  private readonly connection: RawHttpConnection;
  private readonly path: string;
  /** Requests wait their turn: one exchange at a time on the connection. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(url: URL, localAddress?: string) {
    this.connection = new RawHttpConnection(url.hostname, Number(url.port || 80), localAddress);
    this.path = url.pathname + url.search;
  }

  post(headers: Record<string, string>, body: string, timeoutMs: number, waitFor?: JsonRpcId): Promise<PostOutcome> {
    const run = () => this.exchange(headers, body, timeoutMs, waitFor);
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => {});
    return next;
  }

  send(method: string, headers: Record<string, string>, timeoutMs: number): Promise<number> {
    const run = () =>
      withTimeout(this.connection.request(method, this.path, headers, ''), timeoutMs, () =>
        this.connection.close(),
      ).then(
        (r) => r.status,
        () => 0,
      );
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => {});
    return next;
  }

  close(): void {
    this.connection.close();
  }

  private async exchange(
    headers: Record<string, string>,
    body: string,
    timeoutMs: number,
    waitFor?: JsonRpcId,
  ): Promise<PostOutcome> {
    const messages: JsonRpcMessage[] = [];
    let parser: SseParser | undefined;
    let answered: (() => void) | undefined;
    const early = new Promise<void>((resolve) => (answered = resolve));
    let linger: NodeJS.Timeout | undefined;
    let headersSeen: Record<string, string> = {};
    const request = this.connection.request(
      'POST',
      this.path,
      { ...headers, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body,
      {
        onText: (text, responseHeaders) => {
          headersSeen = responseHeaders;
          if (!parser) {
            if (!String(responseHeaders['content-type'] ?? '').includes('text/event-stream')) return;
            parser = new SseParser((_event, data) => {
              try {
                const message = JSON.parse(data) as JsonRpcMessage;
                messages.push(message);
                // A server should end the stream once it has answered; one that keeps it open gets a moment.
                if (waitFor !== undefined && isResponse(message) && message.id === waitFor && !linger)
                  linger = setTimeout(() => answered!(), 1000);
              } catch {
                // not JSON (a priming event with empty data): not ours
              }
            });
          }
          parser.push(text);
        },
      },
    );
    try {
      const response = await withTimeout(Promise.race([request, early.then(() => undefined)]), timeoutMs, () =>
        this.connection.close(),
      );
      if (response === undefined) {
        // The stream stayed open after the answer: take the answer and drop the connection.
        this.connection.close();
        request.catch(() => {});
        return { status: 200, headers: headersSeen, messages, body: '' };
      }
      const type = String(response.headers['content-type'] ?? '');
      if (parser) parser.end();
      else if (type.includes('application/json') && response.body.length > 0) {
        try {
          const parsed = JSON.parse(response.body) as JsonRpcMessage | JsonRpcMessage[];
          if (Array.isArray(parsed)) messages.push(...parsed);
          else messages.push(parsed);
        } catch {
          // leave it empty: the caller reports status and body
        }
      }
      return { status: response.status, headers: response.headers, messages, body: parser ? '' : response.body };
    } finally {
      if (linger) clearTimeout(linger);
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new TransportError(`no answer within ${ms} ms`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class StreamableHttpSession implements McpSession {
  sessionId?: string;
  protocolVersion?: string;
  private readonly poster: Poster;
  private nextId = 1;

  constructor(url: string, kind: HttpClientKind = httpClientKind(), localAddress?: string) {
    this.poster = createPoster(new URL(url), kind, localAddress);
  }

  /** initialize (capturing mcp-session-id), then notifications/initialized. */
  async initialize(timeoutMs = REQUEST_TIMEOUT_MS): Promise<JsonRpcMessage> {
    const response = await this.request('initialize', initializeParams(), timeoutMs);
    if (response.error) throw new RefusedError(`initialize refused: ${response.error.message}`);
    this.protocolVersion = (response.result as { protocolVersion?: string }).protocolVersion;
    await this.notify('notifications/initialized');
    return response;
  }

  async request(method: string, params?: unknown, timeoutMs = REQUEST_TIMEOUT_MS): Promise<JsonRpcMessage> {
    const id = this.nextId++;
    const body = JSON.stringify(
      params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params },
    );
    const outcome = await this.poster.post(this.headers(), body, timeoutMs, id);
    if (method === 'initialize') {
      const session = outcome.headers['mcp-session-id'];
      if (typeof session === 'string') this.sessionId = session;
    }
    for (const message of outcome.messages) {
      if (isServerRequest(message)) void this.answer(message);
    }
    const response = outcome.messages.find((m) => isResponse(m) && m.id === id);
    if (response) return response;
    throw new TransportError(
      `HTTP ${outcome.status} without an answer to ${method}${outcome.body ? `: ${outcome.body.slice(0, 200)}` : ''}`,
    );
  }

  async notify(method: string, params?: unknown): Promise<void> {
    const body = JSON.stringify(params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params });
    const outcome = await this.poster.post(this.headers(), body, REQUEST_TIMEOUT_MS);
    if (outcome.status >= 300)
      throw new TransportError(`HTTP ${outcome.status} to ${method}: ${outcome.body.slice(0, 200)}`);
  }

  /** DELETE the session (servers may refuse; that is fine), then drop the connection. */
  async close(): Promise<void> {
    if (this.sessionId) await this.poster.send('DELETE', this.headers(), 2000);
    this.poster.close();
  }

  private headers(): Record<string, string> {
    const headers: Record<string, string> = {};
    if (this.sessionId) headers['mcp-session-id'] = this.sessionId;
    if (this.protocolVersion) headers['mcp-protocol-version'] = this.protocolVersion;
    return headers;
  }

  private async answer(message: JsonRpcMessage): Promise<void> {
    try {
      await this.poster.post(this.headers(), JSON.stringify(answerServerRequest(message)), 5000);
    } catch {
      // best effort
    }
  }
}
