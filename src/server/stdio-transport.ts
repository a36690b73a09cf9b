/**
 * The router's stdio server transport: newline-delimited JSON-RPC on stdin/stdout, parsed once.
 *
 * Unlike the SDK's, it answers a line it cannot use: not JSON gets -32700 (parse error), JSON that is not a
 * JSON-RPC message the SDK recognizes gets -32600 (invalid request). The SDK would drop such a line without
 * a word and a client waiting on it would hang.
 */
import type { Readable, Writable } from 'node:stream';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { isJsonRpcMessage } from '../protocol/jsonrpc-message';
import { duplicateIdMessage } from '../protocol/wire-error';
import { wireTextOf, writeWireText } from './written-once';

/** A line longer than this is refused rather than buffered without end. */
const MAX_LINE_CHARS = 4 * 1024 * 1024;

export class LineTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private pending = '';
  /** Ids of the client's requests not yet answered or cancelled: a new request may not reuse one. */
  private readonly inFlight = new Set<RequestId>();
  /** Those of them that are subscriptions/listen streams: open until the client goes, answered by no result. */
  private readonly listens = new Set<RequestId>();
  private closed = false;
  private started = false;

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
  ) {}

  /** The client's requests not yet answered or cancelled, its open subscriptions/listen streams left out. */
  get requestsInFlight(): number {
    return this.inFlight.size - this.listens.size;
  }

  /** Idempotent: the stdio front starts reading before it knows which era's server will take the messages. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.input.setEncoding('utf8');
    this.input.on('data', this.onData);
    this.input.once('end', () => void this.close());
    this.input.once('error', (error) => this.onerror?.(error));
  }

  private readonly onData = (chunk: string) => {
    this.pending += chunk;
    let nl: number;
    while ((nl = this.pending.indexOf('\n')) >= 0) {
      const line = this.pending.slice(0, nl);
      this.pending = this.pending.slice(nl + 1);
      this.receive(line);
    }
    if (this.pending.length > MAX_LINE_CHARS) {
      this.pending = '';
      this.reply(-32600, `Invalid Request: message longer than ${MAX_LINE_CHARS} characters`, null);
    }
  };

  private receive(line: string): void {
    if (!line.trim()) return;
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      return this.reply(-32700, 'Parse error: not valid JSON', null);
    }
    if (isJsonRpcMessage(message)) {
      const m = message as { id?: RequestId; method?: string; params?: { requestId?: RequestId } };
      if (m.method !== undefined && m.id !== undefined) {
        if (this.inFlight.has(m.id)) return this.reply(-32600, duplicateIdMessage(m.id), m.id);
        this.inFlight.add(m.id);
        if (m.method === 'subscriptions/listen') this.listens.add(m.id);
      } else if (m.method === 'notifications/cancelled' && m.params?.requestId !== undefined) {
        this.inFlight.delete(m.params.requestId);
        this.listens.delete(m.params.requestId);
      }
      return this.onmessage?.(message);
    }
    const id = (message as { id?: unknown } | null)?.id;
    this.reply(
      -32600,
      Array.isArray(message)
        ? 'Invalid Request: batches are not accepted over stdio'
        : 'Invalid Request: not a JSON-RPC 2.0 message',
      id,
    );
  }

  private reply(code: number, message: string, id: unknown): void {
    const validId = typeof id === 'string' || typeof id === 'number' ? id : null;
    this.output.write(`${JSON.stringify({ jsonrpc: '2.0', id: validId, error: { code, message } })}\n`);
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.closed) return;
    const m = message as { id?: RequestId; method?: string };
    if (m.id !== undefined && m.method === undefined) {
      this.inFlight.delete(m.id);
      this.listens.delete(m.id);
    }
    const text = wireTextOf(message);
    if (text === undefined) return;
    if (typeof text === 'string') {
      this.output.write(`${text}\n`);
      return;
    }
    // A shared result's bytes and the response's own around them: one line, corked so that its parts leave
    // together (to a busy client the text after the bytes may wait for the turn's joined write, in order).
    this.output.cork();
    writeWireText(this.output, text);
    this.output.write('\n');
    this.output.uncork();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.input.off('data', this.onData);
    this.onclose?.();
  }
}
