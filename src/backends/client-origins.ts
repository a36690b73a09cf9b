/**
 * Which client sessions have calls in flight on which backend, so that a backend's request to "its client"
 * (sampling, elicitation, roots) reaches the session whose call made it, and never another client.
 *
 * A backend's request carries no reference to the call that caused it (not over stdio, not in MCP), so the
 * router infers it: when one session has calls running on that backend, it is that session's. When several
 * have, the request waits: the call that made it cannot end before it is answered, so once the other sessions'
 * calls have ended, the one left is its origin. When none is left, when the backend gives up, when every session
 * running calls there may be waiting the same way (as many requests waiting as sessions, and nothing ending for
 * a moment), or after a bounded wait, the backend gets an error that says why, rather than another client's
 * answer. A backend's log message during a call goes the same way when one session is
 * running calls there.
 */
import type { ClientCapabilities, McpError } from '@modelcontextprotocol/sdk/types.js';
import { ErrorCode, mcpError } from '../protocol/mcp-error';
import { realClock, type RouterClock } from '../clock';

/** What the router needs from a client session to pass a backend's request to it. */
export interface ClientOrigin {
  /** The client session's id: several calls of one session are one origin. */
  readonly id: string;
  /** What the client declared at initialize: a backend's request it did not declare is refused, not sent. */
  capabilities?(): ClientCapabilities | undefined;
  request(
    method: string,
    params: Record<string, unknown> | undefined,
    signal?: AbortSignal,
  ): Promise<Record<string, unknown>>;
  /**
   * Sends a notification related to this call (over HTTP, on the call's own stream, as the backend sent it on
   * its own). A session that does not provide it gets the backend's log messages by broadcast.
   */
  notify?(method: string, params: Record<string, unknown> | undefined): void;
  /** A 2026-07-28 client's call: it answers a 2026 backend's input requests itself, as the backend asked them. */
  modern?: ModernOrigin;
}

/** A round of input requests, by the backend's own keys. */
export type InputRequests = Record<string, { method: string; params?: Record<string, unknown> }>;

export interface ModernOrigin {
  /** What the client declared in its request's envelope: a 2026 backend is told the same, so it asks no more. */
  readonly capabilities: Record<string, unknown>;
  /**
   * Hands the client a whole round at once (one `input_required` with the backend's keys) and resolves with the
   * answers the client sent back, under the same keys; those it left out are the backend's to ask again.
   */
  requestAll(requests: InputRequests, signal?: AbortSignal): Promise<Record<string, unknown>>;
}

interface Entry {
  /** The origins of this session's calls on the backend, oldest first (those given up on until they expire). */
  origins: ClientOrigin[];
}

interface Waiter {
  /** Resolves or rejects if the waiter can be decided now; true when it was. */
  settle(): boolean;
  fail(): void;
}

/** How long a backend's request may wait for the other sessions' calls to end, by default. */
export const ATTRIBUTION_WAIT_MS = 10_000;
/** With as many requests waiting as sessions running calls, all may be stuck: how long to wait for a call to end. */
export const ATTRIBUTION_STALL_MS = 1_000;

export interface ClientOriginsOptions {
  /**
   * Longest wait of a backend's request for the other sessions' calls to end; also how long a call given up
   * on (cancelled, timed out) still counts as running there.
   */
  waitMs?: number;
  /** With as many requests waiting as sessions running calls: how long a call has to end before all give up. */
  stallMs?: number;
  /** The router's clock (tests step a simulated one). */
  clock?: RouterClock;
}

/** A timer that must not keep the process alive on its own (real timers; a simulated clock's ids have no unref). */
function unref(timer: unknown): void {
  (timer as { unref?: () => void } | undefined)?.unref?.();
}

export class ClientOrigins {
  private readonly waitMs: number;
  private readonly stallMs: number;
  private readonly byBackend = new Map<string, Map<string, Entry>>();
  private readonly waiting = new Map<string, Set<Waiter>>();
  private readonly stalls = new Map<string, unknown>();
  private readonly clock: RouterClock;

  constructor(options: ClientOriginsOptions = {}) {
    this.clock = options.clock ?? realClock;
    this.waitMs = options.waitMs ?? ATTRIBUTION_WAIT_MS;
    this.stallMs = options.stallMs ?? ATTRIBUTION_STALL_MS;
  }

  /**
   * A call of `origin`'s session starts on `backend`; call the result when it ends. A call given up on
   * (`abandoned`: the client cancelled, or the router timed out) may still be running on the backend, and what
   * it asks for then is still its session's: it counts for `waitMs` more, and the requests that waited while it
   * did are refused when it expires, never handed to the session left.
   */
  enter(backend: string, origin: ClientOrigin): (abandoned?: boolean) => void {
    let sessions = this.byBackend.get(backend);
    if (!sessions) this.byBackend.set(backend, (sessions = new Map()));
    let entry = sessions.get(origin.id);
    if (!entry) sessions.set(origin.id, (entry = { origins: [] }));
    entry.origins.push(origin);
    if (entry.origins.length === 1 && this.waiting.size > 0) this.review(backend);
    const release = (expired: boolean) => {
      const at = entry!.origins.indexOf(origin);
      if (at >= 0) entry!.origins.splice(at, 1);
      if (entry!.origins.length > 0 || sessions!.get(origin.id) !== entry) return;
      sessions!.delete(origin.id);
      if (sessions!.size === 0 && this.byBackend.get(backend) === sessions) this.byBackend.delete(backend);
      if (!this.waiting.has(backend)) return;
      if (expired) this.failWaiters(backend);
      else this.review(backend);
    };
    return (abandoned = false) => {
      if (!abandoned) return release(false);
      unref(this.clock.setTimeout(() => release(true), this.waitMs));
    };
  }

  /** The one session with calls running on a backend (its newest call's origin), or undefined when there are none or several. */
  soleOrigin(backend: string): ClientOrigin | undefined {
    const sessions = this.byBackend.get(backend);
    if (sessions?.size !== 1) return undefined;
    const { origins } = sessions.values().next().value as Entry;
    return origins[origins.length - 1];
  }

  /**
   * The session a backend's server→client request belongs to: at once when one session has calls running there,
   * else once the other sessions' calls have ended (see above). Rejects when no session is left, when `signal`
   * aborts (the backend cancelled its request) or after `maxMs`.
   */
  attribute(
    backend: string,
    method: string,
    options: { signal?: AbortSignal; maxMs?: number } = {},
  ): Promise<ClientOrigin> {
    const now = this.soleOrigin(backend);
    if (now) return Promise.resolve(now);
    const running = this.byBackend.get(backend)?.size ?? 0;
    if (running === 0) return Promise.reject(unattributable(method, 0));
    const { signal, maxMs = this.waitMs } = options;
    if (signal?.aborted) return Promise.reject(unattributable(method, running));
    return new Promise((resolve, reject) => {
      let waiters = this.waiting.get(backend);
      if (!waiters) this.waiting.set(backend, (waiters = new Set()));
      let decided = false;
      const done = () => {
        decided = true;
        this.clock.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        waiters!.delete(waiter);
        if (waiters!.size === 0 && this.waiting.get(backend) === waiters) this.waiting.delete(backend);
      };
      const fail = () => {
        if (decided) return;
        done();
        reject(unattributable(method, this.byBackend.get(backend)?.size ?? 0));
      };
      // Its own time is up, or the backend withdrew it: one fewer waiting, so the others may no longer be stalled.
      const giveUp = () => {
        fail();
        this.review(backend);
      };
      const onAbort = () => giveUp();
      const waiter: Waiter = {
        fail,
        settle: () => {
          if (decided) return true;
          const origin = this.soleOrigin(backend);
          if (origin) {
            done();
            resolve(origin);
            return true;
          }
          if ((this.byBackend.get(backend)?.size ?? 0) === 0) {
            fail();
            return true;
          }
          return false;
        },
      };
      const timer = this.clock.setTimeout(giveUp, maxMs);
      unref(timer);
      signal?.addEventListener('abort', onAbort, { once: true });
      waiters.add(waiter);
      this.review(backend);
    });
  }

  private failWaiters(backend: string): void {
    for (const waiter of [...(this.waiting.get(backend) ?? [])]) waiter.fail();
  }

  /** After a change on a backend: decide the waiters that can be, and watch for a stall. */
  private review(backend: string): void {
    if (this.stalls.has(backend)) this.clock.clearTimeout(this.stalls.get(backend));
    this.stalls.delete(backend);
    const waiters = this.waiting.get(backend);
    if (!waiters) return;
    for (const waiter of [...waiters]) waiter.settle();
    const running = this.byBackend.get(backend)?.size ?? 0;
    if (waiters.size === 0 || waiters.size < running) return;
    // Every session running calls here may be one of those waiting: unless a call ends soon, none will.
    const stall = this.clock.setTimeout(() => {
      this.stalls.delete(backend);
      this.failWaiters(backend);
    }, this.stallMs);
    unref(stall);
    this.stalls.set(backend, stall);
  }
}

function unattributable(method: string, sessions: number): McpError {
  return mcpError(
    ErrorCode.InvalidRequest,
    sessions === 0
      ? `mcp-router: ${method} arrived while no client call is running on this server, so there is no client to ask`
      : `mcp-router: ${method} cannot be attributed: ${sessions} clients have calls running on this server`,
  );
}
