/**
 * 2026-07-28 over stdio: one client, every request on the same pipe. Requests run concurrently; their
 * notifications (progress, the call's log messages) are lines like any other, and a client cancels a request
 * with notifications/cancelled naming it (a listen stream too: the router then forgets that subscription).
 */
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { randomUUID } from 'node:crypto';
import type { Router } from '../router/router';
import { listenEnded, openListen, type ListenStream } from './listen-stream';
import type { ModernFront, ModernRequest } from './modern-front';

type Fields = Record<string, unknown>;

export class ModernStdio {
  private readonly clientKey = `stdio:${randomUUID()}`;
  private readonly cancels = new Map<RequestId, () => void>();
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
    void this.handle(m as ModernRequest);
  }

  private cancel(id: RequestId | undefined): void {
    if (id === undefined) return;
    const listen = this.listens.get(id);
    if (listen) {
      listen.close();
      this.listens.delete(id);
      return;
    }
    this.cancels.get(id)?.();
  }

  private async handle(request: ModernRequest): Promise<void> {
    if (request.method === 'subscriptions/listen') {
      try {
        this.front.envelopeOf(request);
      } catch (error) {
        return void this.answer(request, await this.front.handle(request, this.exchange(request.id)));
      }
      const stream = openListen(
        this.router,
        this.front.operations,
        request.id,
        request.params?.notifications,
        (method, params) => this.send({ jsonrpc: '2.0', method, params } as JSONRPCMessage),
      );
      this.listens.set(request.id, stream);
      return;
    }
    const answer = await this.front.handle(request, this.exchange(request.id));
    if (!this.cancels.has(request.id)) return; // cancelled: left unanswered, as the protocol says
    this.cancels.delete(request.id);
    this.answer(request, answer);
  }

  private exchange(id: RequestId) {
    let listeners: Set<() => void> | undefined;
    this.cancels.set(id, () => {
      this.cancels.delete(id);
      if (listeners) for (const listener of listeners) listener();
    });
    return {
      clientKey: this.clientKey,
      notify: this.notify,
      onClientGone: (listener: () => void) => {
        (listeners ??= new Set()).add(listener);
        return () => listeners!.delete(listener);
      },
    };
  }

  private readonly notify = (method: string, params: Fields | undefined) =>
    this.send({ jsonrpc: '2.0', method, params } as JSONRPCMessage);

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
    for (const cancel of [...this.cancels.values()]) cancel();
    this.front.close();
  }
}
