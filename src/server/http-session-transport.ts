/**
 * The streamable HTTP transport for one client session, written for the router's request path.
 *
 * A POST's answer starts undecided: when the response is the first thing the server sends for it, it goes
 * back as plain `application/json` (the common case, and the cheap one); when a notification or request
 * related to it comes first (progress, logging, sampling, elicitation), the answer turns into an SSE stream
 * that carries those and then the response. A GET opens the session's standalone SSE stream for messages
 * related to no request (list_changed, resource updates).
 *
 * The SDK's own transport converts every Node request into a web Request and answers every call over SSE;
 * on a router that sits on every tool call that cost is most of the request path.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { duplicateIdMessage } from '../protocol/wire-error';
import { endJsonAnswer, joinWireTexts, wireTextOf, writeWireText, type WireText } from './written-once';

interface PendingPost {
  res: ServerResponse;
  /** Request ids of this POST still waiting for their response. */
  waiting: Set<RequestId>;
  batch: boolean;
  mode: 'json' | 'sse';
  /** Responses collected while the answer is still plain JSON, as JSON text (or its parts). */
  responses: WireText[];
}

function isResponse(message: JSONRPCMessage): message is JSONRPCMessage & { id: RequestId } {
  return 'id' in message && ('result' in message || 'error' in message) && !('method' in message);
}

function isRequest(message: JSONRPCMessage): message is JSONRPCMessage & { id: RequestId; method: string } {
  return 'method' in message && 'id' in message;
}

function isCancel(message: JSONRPCMessage): message is JSONRPCMessage & { params: { requestId: RequestId } } {
  const m = message as { method?: unknown; params?: { requestId?: unknown } };
  return (
    m.method === 'notifications/cancelled' &&
    (typeof m.params?.requestId === 'string' || typeof m.params?.requestId === 'number')
  );
}

/** One SSE event carrying a message, written to the response. */
function writeSseEvent(res: ServerResponse, text: WireText): void {
  if (typeof text === 'string') {
    res.write(`event: message\ndata: ${text}\n\n`);
    return;
  }
  res.cork();
  res.write('event: message\ndata: ');
  writeWireText(res, text);
  res.write('\n\n');
  res.uncork();
}

export class HttpSessionTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;
  /** Milliseconds since the epoch of the last request on this session (idle sessions are closed). */
  lastActive = Date.now();
  /** When the session was opened; one never used after initialize is closed soon after (lock-out). */
  readonly createdAt = this.lastActive;
  /** Whether the client has made a request other than initialize, or opened its stream. */
  used = false;
  /** The protocol version the client asked for at initialize (batches are refused from 2025-06-18 on). */
  protocolVersion: string | undefined;

  private readonly byRequest = new Map<RequestId, PendingPost>();
  private standalone: ServerResponse | undefined;
  private closed = false;

  constructor(readonly sessionId: string) {}

  async start(): Promise<void> {}

  /** One POST: a single message or (for older protocol versions) a batch. */
  handlePost(req: IncomingMessage, res: ServerResponse, body: JSONRPCMessage | JSONRPCMessage[]): void {
    this.lastActive = Date.now();
    const messages = Array.isArray(body) ? body : [body];
    const requests = messages.filter(isRequest);
    if (requests.some((r) => r.method !== 'initialize')) this.used = true;
    const extra: MessageExtraInfo = { requestInfo: { headers: req.headers } };
    for (const message of messages) if (isCancel(message)) this.release(message.params.requestId);
    if (requests.length === 0) {
      res.writeHead(202, { 'mcp-session-id': this.sessionId }).end();
      for (const message of messages) this.onmessage?.(message, extra);
      return;
    }
    const post: PendingPost = { res, waiting: new Set(), batch: Array.isArray(body), mode: 'json', responses: [] };
    let refused: Set<JSONRPCMessage> | undefined;
    for (const r of requests) {
      // An id still in flight on this session (the client may not reuse it): its answer could not be told
      // from the first one's, so this request is refused rather than taking the first one's place.
      if (this.byRequest.has(r.id) || post.waiting.has(r.id)) {
        (refused ??= new Set()).add(r);
        post.responses.push(
          JSON.stringify({ jsonrpc: '2.0', id: r.id, error: { code: -32600, message: duplicateIdMessage(r.id) } }),
        );
        continue;
      }
      post.waiting.add(r.id);
      // Kept until the request is answered or cancelled, even if its client goes away meanwhile: its id is in
      // use as long as something may still answer it.
      this.byRequest.set(r.id, post);
    }
    if (post.waiting.size === 0) this.finish(post);
    for (const message of messages) if (!refused?.has(message)) this.onmessage?.(message, extra);
  }

  /** GET: the standalone SSE stream. One at a time, as the spec says. */
  handleGet(res: ServerResponse): void {
    this.lastActive = Date.now();
    this.used = true;
    if (this.standalone && !this.standalone.writableEnded) {
      res.writeHead(409, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          jsonrpc: '2.0',
          error: { code: -32000, message: 'Conflict: an SSE stream is already open for this session' },
          id: null,
        }),
      );
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'mcp-session-id': this.sessionId,
    });
    res.flushHeaders();
    this.standalone = res;
    res.on('close', () => {
      if (this.standalone === res) this.standalone = undefined;
    });
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (this.closed) return;
    const text = wireTextOf(message);
    if (text === undefined) return;
    if (isResponse(message)) {
      const post = this.byRequest.get(message.id);
      if (!post) return; // its client is gone
      this.byRequest.delete(message.id);
      post.waiting.delete(message.id);
      if (post.mode === 'sse') {
        // The response goes in a later write than the notifications before it: a client that reads both from
        // one chunk (the SDK's does) drops a progress handler as soon as it sees the response, and with it
        // the last progress notification.
        setImmediate(() => {
          if (!post.res.writableEnded) writeSseEvent(post.res, text);
          if (post.waiting.size === 0) this.finish(post);
        });
        return;
      }
      post.responses.push(text);
      if (post.waiting.size === 0) this.finish(post);
      return;
    }
    const related = options?.relatedRequestId !== undefined ? this.byRequest.get(options.relatedRequestId) : undefined;
    if (related) {
      if (related.res.destroyed) return; // its client is gone
      this.toSse(related);
      writeSseEvent(related.res, text);
      return;
    }
    if (this.standalone && !this.standalone.writableEnded) writeSseEvent(this.standalone, text);
    // With no stream open, an unrelated notification has nowhere to go (the spec lets servers drop it).
  }

  private toSse(post: PendingPost): void {
    if (post.mode === 'sse') return;
    post.mode = 'sse';
    post.res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'mcp-session-id': this.sessionId,
    });
    for (const r of post.responses) writeSseEvent(post.res, r);
    post.responses = [];
  }

  /** The client cancelled a request: no answer will come, and its POST ends when nothing else is awaited on it. */
  private release(id: RequestId): void {
    const post = this.byRequest.get(id);
    if (!post) return;
    this.byRequest.delete(id);
    post.waiting.delete(id);
    if (post.waiting.size === 0) this.finish(post);
  }

  private finish(post: PendingPost): void {
    if (post.res.writableEnded || post.res.destroyed) return;
    if (post.mode === 'sse') {
      post.res.end();
      return;
    }
    if (post.responses.length === 0) {
      // Every request on it was cancelled: an event stream with nothing in it, closed.
      post.res
        .writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-cache',
          'mcp-session-id': this.sessionId,
        })
        .end();
      return;
    }
    endJsonAnswer(
      post.res,
      200,
      post.batch ? joinWireTexts(post.responses, '[', ',', ']') : (post.responses[0] ?? ''),
      this.sessionId,
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const post of new Set(this.byRequest.values())) {
      if (post.res.writableEnded) continue;
      if (!post.res.headersSent) post.res.writeHead(200, { 'mcp-session-id': this.sessionId });
      post.res.end();
    }
    this.byRequest.clear();
    this.standalone?.end();
    this.onclose?.();
  }
}
