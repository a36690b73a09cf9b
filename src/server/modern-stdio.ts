/**
 * 2026-07-28 over stdio: one client, every request on the same pipe. Requests run concurrently; their
 * notifications (progress, the call's log messages) are lines like any other, and a client cancels a request
 * with notifications/cancelled naming it (a listen stream too: the router then forgets that subscription).
 */
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { randomUUID } from 'node:crypto';
import type { Router } from '../router/router';
import { listenEnded, openListen, type ListenStream } from './listen-stream';
import type { ModernExchange, ModernFront, ModernRequest } from './modern-front';

type Fields = Record<string, unknown>;

/**
 * One request's stream over stdio: its notifications are lines like any other, and notifications/cancelled
 * naming it ends it. A class, not an object of closures: one is made for every request.
 */
class StdioExchange implements ModernExchange {
  private listeners: Set<() => void> | undefined;

  constructor(
    readonly clientKey: string,
    private readonly send: (message: JSONRPCMessage) => void,
  ) {}

  notify(method: string, params: Fields | undefined): void {
    this.send({ jsonrpc: '2.0', method, params } as JSONRPCMessage);
  }

  onClientGone(listener: () => void): () => void {
    (this.listeners ??= new Set()).add(listener);
    return () => this.listeners!.delete(listener);
  }

  /** The client cancelled the request. */
  gone(): void {
    if (this.listeners) for (const listener of this.listeners) listener();
  }
}

export class ModernStdio {
  private readonly clientKey = `stdio:${randomUUID()}`;
  /** The requests being answered, by id: a cancel names one. */
  private readonly cancels = new Map<RequestId, StdioExchange>();
  private readonly listens = new Map<RequestId, ListenStream>();

  constructor(
    private readonly front: ModernFront,
    private readonly router: Router,
    private readonly send: (message: JSONRPCMessage) => void,
  ) {}

  receive(message: JSONRPCMessage): void {
    const m = message as { id?: RequestId; method?: string; params?: Fields };
    if (m.method === undefined) return; // a response: the router sends 2026 clients no requests
    if (m.id === undefined) {
      if (m.method === 'notifications/cancelled') this.cancel((m.params as { requestId?: RequestId })?.requestId);
      return;
    }
    if (m.method === 'subscriptions/listen') return void this.listen(m as ModernRequest);
    const request = m as ModernRequest;
    const exchange = new StdioExchange(this.clientKey, this.send);
    this.cancels.set(request.id, exchange);
    void this.front.handle(request, exchange).then((answer) => {
      if (this.cancels.get(request.id) !== exchange) return; // cancelled: left unanswered, as the protocol says
      this.cancels.delete(request.id);
      this.answer(request, answer);
    });
  }

  private cancel(id: RequestId | undefined): void {
    if (id === undefined) return;
    const listen = this.listens.get(id);
    if (listen) {
      listen.close();
      this.listens.delete(id);
      return;
    }
    const exchange = this.cancels.get(id);
    if (!exchange) return;
    this.cancels.delete(id);
    exchange.gone();
  }

  private async listen(request: ModernRequest): Promise<void> {
    try {
      this.front.envelopeOf(request);
    } catch {
      // The front's answer to a bad envelope, as for any request; nothing to cancel.
      return void this.answer(request, await this.front.handle(request, new StdioExchange(this.clientKey, this.send)));
    }
    const stream = openListen(
      this.router,
      this.front.operations,
      request.id,
      request.params?.notifications,
      (method, params) => this.send({ jsonrpc: '2.0', method, params } as JSONRPCMessage),
    );
    this.listens.set(request.id, stream);
  }

  private answer(request: ModernRequest, answer: Awaited<ReturnType<ModernFront['handle']>>): void {
    this.send(
      ('result' in answer
        ? { jsonrpc: '2.0', id: request.id, result: answer.result }
        : { jsonrpc: '2.0', id: request.id, error: answer.error }) as JSONRPCMessage,
    );
  }

  /** The client is gone or the router stops: listen streams end with their result, held calls are cancelled. */
  close(): void {
    for (const [id, stream] of this.listens) {
      stream.close();
      this.send({ jsonrpc: '2.0', id, result: listenEnded(id) } as JSONRPCMessage);
    }
    this.listens.clear();
    const running = [...this.cancels.values()];
    this.cancels.clear();
    for (const exchange of running) exchange.gone();
    this.front.close();
  }
}
