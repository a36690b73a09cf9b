/**
 * A raw JSON-RPC client over the legacy HTTP+SSE transport (2024-11-05), for servers that speak nothing newer:
 * GET the SSE URL, wait for the `endpoint` event, POST each message to that endpoint (202 Accepted), and read
 * the answers as `message` events on the stream, matched by id. The stream is node:http; the POSTs go through
 * the same client as streamable HTTP's.
 */
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import {
  answerServerRequest,
  initializeParams,
  isResponse,
  isServerRequest,
  SseParser,
  type JsonRpcId,
  type JsonRpcMessage,
} from './jsonrpc';
import { createPoster, type Poster } from './http-client';
import { RefusedError, REQUEST_TIMEOUT_MS, TransportError, type McpSession } from './session';

interface Pending {
  resolve(message: JsonRpcMessage): void;
  reject(error: Error): void;
  timer?: NodeJS.Timeout;
}

export class LegacySseSession implements McpSession {
  protocolVersion?: string;
  private readonly url: URL;
  private endpoint?: URL;
  /** The POSTs' own keep-alive connection; the stream holds another. */
  private poster?: Poster;
  private streamReq?: ClientRequest;
  private stream?: IncomingMessage;
  private nextId = 1;
  private readonly pending = new Map<JsonRpcId, Pending>();
  private closed?: Error;

  constructor(url: string) {
    this.url = new URL(url);
  }

  /** Opens the stream and waits for the endpoint event. */
  connect(timeoutMs = REQUEST_TIMEOUT_MS): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.streamReq?.destroy();
        reject(new TransportError(`no endpoint event within ${timeoutMs} ms`));
      }, timeoutMs);
      const req = httpRequest(
        {
          host: this.url.hostname,
          port: this.url.port,
          path: this.url.pathname + this.url.search,
          method: 'GET',
          agent: false,
          headers: { accept: 'text/event-stream' },
        },
        (res) => {
          this.stream = res;
          if ((res.statusCode ?? 0) !== 200) {
            clearTimeout(timer);
            res.resume();
            reject(new TransportError(`GET ${this.url.href}: HTTP ${res.statusCode}`));
            return;
          }
          res.setEncoding('utf8');
          const parser = new SseParser((event, data) => {
            if (event === 'endpoint') {
              this.endpoint = new URL(data, this.url);
              this.poster = createPoster(this.endpoint);
              clearTimeout(timer);
              resolve();
            } else if (event === 'message') {
              this.onMessage(data);
            }
          });
          res.on('data', (chunk: string) => parser.push(chunk));
          res.on('end', () => this.fail(new TransportError('SSE stream ended')));
          res.on('error', (error) => this.fail(new TransportError(`SSE stream: ${error.message}`)));
        },
      );
      req.on('error', (error) => {
        clearTimeout(timer);
        this.fail(new TransportError(`GET ${this.url.href}: ${error.message}`));
        reject(new TransportError(`GET ${this.url.href}: ${error.message}`));
      });
      req.end();
      this.streamReq = req;
    });
  }

  async initialize(timeoutMs = REQUEST_TIMEOUT_MS): Promise<JsonRpcMessage> {
    await this.connect(timeoutMs);
    const response = await this.request('initialize', initializeParams(), timeoutMs);
    if (response.error) throw new RefusedError(`initialize refused: ${response.error.message}`);
    this.protocolVersion = (response.result as { protocolVersion?: string }).protocolVersion;
    await this.notify('notifications/initialized');
    return response;
  }

  request(method: string, params?: unknown, timeoutMs = REQUEST_TIMEOUT_MS): Promise<JsonRpcMessage> {
    if (this.closed) return Promise.reject(this.closed);
    const id = this.nextId++;
    const body = JSON.stringify(
      params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params },
    );
    return new Promise<JsonRpcMessage>((resolve, reject) => {
      const pending: Pending = { resolve, reject };
      pending.timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new TransportError(`${method} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, pending);
      this.post(body, timeoutMs).catch((error: Error) => {
        if (!this.pending.has(id)) return;
        this.pending.delete(id);
        clearTimeout(pending.timer);
        reject(error);
      });
    });
  }

  async notify(method: string, params?: unknown): Promise<void> {
    await this.post(
      JSON.stringify(params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params }),
      REQUEST_TIMEOUT_MS,
    );
  }

  async close(): Promise<void> {
    this.fail(new TransportError('closed'));
    this.stream?.destroy();
    this.streamReq?.destroy();
    this.poster?.close();
  }

  private async post(body: string, timeoutMs: number): Promise<void> {
    if (!this.endpoint || !this.poster) throw new TransportError('not connected');
    const outcome = await this.poster.post({}, body, timeoutMs);
    if (outcome.status >= 300)
      throw new TransportError(`POST ${this.endpoint.pathname}: HTTP ${outcome.status} ${outcome.body.slice(0, 200)}`);
  }

  private onMessage(data: string): void {
    let message: JsonRpcMessage;
    try {
      message = JSON.parse(data) as JsonRpcMessage;
    } catch {
      return;
    }
    if (isResponse(message)) {
      const pending = this.pending.get(message.id as JsonRpcId);
      if (!pending) return;
      this.pending.delete(message.id as JsonRpcId);
      if (pending.timer) clearTimeout(pending.timer);
      pending.resolve(message);
    } else if (isServerRequest(message)) {
      void this.post(JSON.stringify(answerServerRequest(message)), 5000).catch(() => {});
    }
  }

  private fail(error: Error): void {
    if (this.closed) return;
    this.closed = error;
    for (const pending of this.pending.values()) {
      if (pending.timer) clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.pending.clear();
  }
}
