/**
 * A raw JSON-RPC client over stdio: spawns the server, speaks newline-delimited JSON on its stdin/stdout and
 * matches responses to requests by id, so any number of requests can be in flight on the one pipe.
 *
 * In the 2026 era it opens with `server/discover` instead of initialize (which fixes the connection's era for a
 * server that serves both) and puts the `_meta` envelope on every request.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  answerServerRequest,
  discoverRefusal,
  initializeParams,
  isResponse,
  isServerRequest,
  LineSplitter,
  PROTOCOL_2026,
  envelopedJson,
  type Era,
  type JsonRpcId,
  type JsonRpcMessage,
} from './jsonrpc';
import { RefusedError, REQUEST_TIMEOUT_MS, TransportError, type McpSession } from './session';

interface Pending {
  resolve(message: JsonRpcMessage): void;
  reject(error: Error): void;
  timer?: NodeJS.Timeout;
}

export class StdioSession implements McpSession {
  readonly child: ChildProcess;
  protocolVersion?: string;
  private nextId = 1;
  private readonly pending = new Map<JsonRpcId, Pending>();
  private closed?: Error;
  private stderrTail = '';
  readonly era: Era;

  constructor(
    command: string,
    args: string[],
    options: { env?: Record<string, string>; cwd?: string; era?: Era } = {},
  ) {
    this.era = options.era ?? '2025';
    this.child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const lines = new LineSplitter((line) => this.onLine(line));
    this.child.stdout!.setEncoding('utf8');
    this.child.stdout!.on('data', (chunk: string) => lines.push(chunk));
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-4000);
    });
    this.child.stdin!.on('error', (error) => this.fail(new TransportError(`stdin: ${error.message}`)));
    this.child.on('error', (error) => this.fail(new TransportError(`spawn ${command}: ${error.message}`)));
    this.child.on('exit', (code, signal) =>
      this.fail(
        new TransportError(
          `process exited (code ${code}, signal ${signal})${this.stderrTail ? `; stderr: ${this.stderrTail.slice(-500)}` : ''}`,
        ),
      ),
    );
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get stderr(): string {
    return this.stderrTail;
  }

  /** Opens the conversation the era's way: initialize (2025) or server/discover (2026). */
  open(timeoutMs = REQUEST_TIMEOUT_MS): Promise<JsonRpcMessage> {
    return this.era === '2026' ? this.discover(timeoutMs) : this.initialize(timeoutMs);
  }

  /** server/discover, which must offer 2026-07-28. */
  async discover(timeoutMs = REQUEST_TIMEOUT_MS): Promise<JsonRpcMessage> {
    const response = await this.request('server/discover', {}, timeoutMs);
    const refusal = discoverRefusal(response);
    if (refusal) throw new RefusedError(refusal);
    this.protocolVersion = PROTOCOL_2026;
    return response;
  }

  /** initialize, then notifications/initialized. */
  async initialize(timeoutMs = REQUEST_TIMEOUT_MS): Promise<JsonRpcMessage> {
    const response = await this.request('initialize', initializeParams(), timeoutMs);
    if (response.error) throw new RefusedError(`initialize refused: ${response.error.message}`);
    this.protocolVersion = (response.result as { protocolVersion?: string }).protocolVersion;
    await this.notify('notifications/initialized');
    return response;
  }

  request(method: string, params?: unknown, timeoutMs = REQUEST_TIMEOUT_MS): Promise<JsonRpcMessage> {
    if (this.closed) return Promise.reject(this.closed);
    const id = this.nextId++;
    return new Promise<JsonRpcMessage>((resolve, reject) => {
      const pending: Pending = { resolve, reject };
      if (timeoutMs > 0) {
        pending.timer = setTimeout(() => {
          this.pending.delete(id);
          reject(new TransportError(`${method} timed out after ${timeoutMs} ms`));
        }, timeoutMs);
      }
      this.pending.set(id, pending);
      if (this.era === '2026') this.child.stdin!.write(`${envelopedJson(id, method, params)}\n`);
      else this.write(params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params });
    });
  }

  async notify(method: string, params?: unknown): Promise<void> {
    if (this.closed) throw this.closed;
    this.write(params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params });
  }

  /** Closes stdin (the polite stop for a stdio server), then terminates what is left. */
  async close(graceMs = 3000): Promise<void> {
    const child = this.child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.stdin!.end();
    const timer = setTimeout(() => child.kill('SIGTERM'), graceMs);
    const hard = setTimeout(() => child.kill('SIGKILL'), graceMs * 2);
    await exited;
    clearTimeout(timer);
    clearTimeout(hard);
  }

  private write(message: JsonRpcMessage): void {
    this.child.stdin!.write(JSON.stringify(message) + '\n');
  }

  private onLine(line: string): void {
    let message: JsonRpcMessage;
    try {
      message = JSON.parse(line) as JsonRpcMessage;
    } catch {
      return; // not protocol: a server that logs to stdout; ignore it
    }
    if (isResponse(message)) {
      const pending = this.pending.get(message.id as JsonRpcId);
      if (!pending) return;
      this.pending.delete(message.id as JsonRpcId);
      if (pending.timer) clearTimeout(pending.timer);
      pending.resolve(message);
    } else if (isServerRequest(message)) {
      this.write(answerServerRequest(message));
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
