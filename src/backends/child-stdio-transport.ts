/**
 * A stdio backend: its child process and the MCP transport over the child's pipes.
 *
 * The router spawns the child itself (the SDK's StdioClientTransport keeps it private) so that it can start it
 * in a process group of its own and end the whole group (process-group.ts), say why it failed (spawn error,
 * exit code or signal, the tail of its stderr), and fail only the one call whose answer is over the size cap
 * (line-reader.ts) instead of the whole connection.
 *
 * Windows: plain spawn does not resolve `npx` to `npx.cmd` as the SDK's cross-spawn did; a config there must
 * name `npx.cmd` (or the router should depend on cross-spawn).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { JSONRPCMessage, RequestId, Transport } from '@modelcontextprotocol/client';
import type { Logger } from '../logging/logger';
import { coalesceWrites } from '../protocol/coalesce-writes';
import { LineReader, type OversizedLine } from './line-reader';
import { OWN_GROUPS, endProcessTree, trackGroup } from './process-group';
import { StderrTail } from './stderr-tail';

export interface ChildSpec {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
}

/** A backend that could not be started or that ended: what a user needs to fix it. */
export class BackendProcessError extends Error {
  /**
   * `permanent`: retrying the same command cannot help (not found, not executable, no such directory).
   * `cause` is stable across attempts (no stderr, no pid), so that repeats of one failure can be told apart.
   */
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly failure: string,
  ) {
    super(message);
    this.name = 'BackendProcessError';
  }
}

const PERMANENT_SPAWN_ERRORS = new Set(['ENOENT', 'EACCES', 'ENOTDIR', 'EISDIR', 'ENOEXEC']);

function spawnFailure(error: NodeJS.ErrnoException, spec: ChildSpec): BackendProcessError {
  const code = error.code ?? 'unknown';
  const command = JSON.stringify(spec.command);
  let why: string;
  if (spec.cwd !== undefined && !existsSync(spec.cwd)) why = `its cwd ${JSON.stringify(spec.cwd)} does not exist`;
  else if (code === 'ENOENT')
    why = spec.command.includes('/')
      ? 'no such file'
      : 'command not found on PATH (is it installed? is it spelt right?)';
  else if (code === 'EACCES') why = 'permission denied (not an executable file?)';
  else why = error.message;
  return new BackendProcessError(
    `cannot start ${command}: ${why} (${code})`,
    PERMANENT_SPAWN_ERRORS.has(code),
    `spawn ${code}`,
  );
}

export class ChildStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private child: ChildProcess | undefined;
  private closing: Promise<void> | undefined;
  private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly reader: LineReader;
  private readonly stderrTail: StderrTail;
  /** Until the first message that is not the era probe: whether the probe (server/discover) went out. */
  private opening = true;
  private probeSent = false;
  /** The spawn, once launched; `started` once the SDK's start() has come (its handlers are set then). */
  private launched: Promise<void> | undefined;
  private started = false;
  /** What the process sent between launch() and start(): delivered, in order, by start(). */
  private held: ({ message: JSONRPCMessage } | { error: Error } | { closed: true })[] = [];
  /** Ids of our requests the process has not answered (nor been told were cancelled). */
  private readonly unanswered = new Set<RequestId>();

  constructor(
    private readonly spec: ChildSpec,
    private readonly logger: Logger,
    /** Hides the config's secrets in what the backend's stderr says. */
    private readonly redact: (text: string) => string = (t) => t,
    maxMessageChars?: number,
  ) {
    this.stderrTail = new StderrTail(logger, redact);
    this.reader = new LineReader((line) => this.oversized(line), maxMessageChars);
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /**
   * The SDK tells a stdio transport by its `pid` and `stderr`: on stdio a silent probe means a 2025 server (it
   * falls back to initialize), where on HTTP it means an outage. The tail is ours; the SDK only looks.
   */
  get stderr(): null {
    return null;
  }

  /** Our requests the process has not answered yet, nor been told were cancelled. */
  get unansweredRequests(): number {
    return this.unanswered.size;
  }

  /** Whether the era probe was sent before anything else (an exit then is a 2025 server refusing it). */
  probed(): boolean {
    return this.probeSent;
  }

  /**
   * The SDK client's start, when it connects: spawns the process, unless launch() already did, and from now on
   * delivers what the process sends (first what it sent since launch(), in order).
   */
  start(): Promise<void> {
    if (this.started) throw new Error('ChildStdioTransport already started');
    this.started = true;
    const launched = this.launch();
    for (const event of this.held.splice(0)) {
      if ('message' in event) this.onmessage?.(event.message);
      else if ('error' in event) this.onerror?.(event.error);
      else this.onclose?.();
    }
    return launched;
  }

  /**
   * Spawns the process (once) before any client is made: open-link.ts does so, so that at start-up every
   * backend is spawned before the SDK client package is loaded. What the process sends waits for start().
   */
  launch(): Promise<void> {
    return (this.launched ??= this.spawnChild());
  }

  private spawnChild(): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.spec.command, this.spec.args, {
        env: this.spec.env,
        cwd: this.spec.cwd,
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: OWN_GROUPS,
        windowsHide: true,
      });
      this.child = child;
      let spawned = false;
      child.on('error', (error: NodeJS.ErrnoException) => {
        if (spawned) return this.error(error);
        reject(spawnFailure(error, this.spec));
      });
      child.once('spawn', () => {
        spawned = true;
        if (child.pid !== undefined) trackGroup(child.pid);
        resolve();
      });
      child.on('close', (code, signal) => {
        this.exit = { code, signal };
        // What it started may outlive it: a backend that ends by itself has its group ended too.
        // close() waits for this too, so a stop still leaves nothing behind.
        if (spawned && !this.closing) this.closing = endProcessTree(child);
        this.child = undefined;
        if (this.started) this.onclose?.();
        else this.held.push({ closed: true });
      });
      child.stdout!.on('data', (chunk: Buffer) => this.read(chunk));
      child.stderr!.on('data', (chunk: Buffer) => this.stderrTail.write(chunk));
      // EPIPE when it has exited: 'close' says so, with its exit status.
      child.stdin!.on('error', (error) => this.logger.debug('backend stdin', { error: String(error) }));
      // With no other request of ours before it, the process waits for this write alone: it goes at once.
      coalesceWrites(child.stdin!, () => this.unansweredRequests <= 1);
    });
  }

  private read(chunk: Buffer): void {
    try {
      this.reader.append(chunk);
    } catch (error) {
      this.error(error as Error);
      return;
    }
    for (;;) {
      let message: JSONRPCMessage | null;
      try {
        message = this.reader.readMessage();
      } catch (error) {
        this.error(error as Error);
        continue;
      }
      if (message === null) return;
      this.noteAnswered(message);
      if (this.started) this.onmessage?.(message);
      else this.held.push({ message });
    }
  }

  private error(error: Error): void {
    if (this.started) this.onerror?.(error);
    else this.held.push({ error });
  }

  private oversized(line: OversizedLine): void {
    this.logger.warn(
      line.id === undefined
        ? `dropped a message of ${line.chars}+ characters from the backend: over the limit of ${this.reader.maxChars}; it was no answer to a call, so no call failed`
        : `the answer to call ${line.id} was ${line.chars}+ characters, over the limit of ${this.reader.maxChars}: that call failed, the connection stays up`,
    );
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (this.opening) this.noteOpening(message);
    const stdin = this.child?.stdin;
    if (!stdin || !stdin.writable) return Promise.reject(new Error('Not connected'));
    // Inside the executor: JSON.stringify's RangeError (params nested too deep) becomes a rejection, and a
    // request that could not be written is not counted as owed.
    return new Promise((resolve) => {
      const line = JSON.stringify(message) + '\n';
      this.noteSent(message);
      if (stdin.write(line)) resolve();
      else stdin.once('drain', resolve);
    });
  }

  /**
   * Counts what the process owes us. A subscriptions/listen stream is never answered while it is open: it is
   * no request the process is working on, and counting it would keep the process "busy" for good.
   */
  private noteSent(message: JSONRPCMessage): void {
    const m = message as { id?: RequestId; method?: unknown };
    if (m.method === undefined || m.method === 'subscriptions/listen') return;
    if (m.id !== undefined) this.unanswered.add(m.id);
    else this.noteCancelled(message);
  }

  /** A response settles our request; so does the process telling us it cancelled it (a 2026 server may). */
  private noteAnswered(message: JSONRPCMessage): void {
    const m = message as { id?: RequestId; method?: unknown };
    if (m.id !== undefined && m.method === undefined) this.unanswered.delete(m.id);
    else this.noteCancelled(message);
  }

  /** A notifications/cancelled, whichever side sent it, ends the request it names. */
  private noteCancelled(message: JSONRPCMessage): void {
    const m = message as { method?: unknown; params?: { requestId?: RequestId } };
    if (m.method === 'notifications/cancelled' && m.params?.requestId !== undefined)
      this.unanswered.delete(m.params.requestId);
  }

  private noteOpening(message: JSONRPCMessage): void {
    if ((message as { method?: unknown }).method === 'server/discover') this.probeSent = true;
    else this.opening = false;
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    const child = this.child;
    if (!child) return Promise.resolve();
    this.closing = endProcessTree(child).finally(() => this.reader.clear());
    return this.closing;
  }

  /**
   * Why the process is gone (or, before it has gone, undefined): exit code or signal and its stderr's tail.
   * Same-failure repeats share `failure`.
   */
  ended(): BackendProcessError | undefined {
    if (!this.exit) return undefined;
    const { code, signal } = this.exit;
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const tail = this.stderrTail.text();
    return new BackendProcessError(
      `the backend process ${how}${tail ? `; its stderr ends with:\n${tail}` : ' (nothing on stderr)'}`,
      false,
      signal ? `signal ${signal}` : `exit ${code}`,
    );
  }
}
