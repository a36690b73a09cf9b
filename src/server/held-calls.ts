/**
 * Input requests for 2026 clients. A 2026 client has no session for a backend's sampling, elicitation or roots
 * request to travel on: the router answers the client's call `input_required` with the backend's requests and
 * a signed `requestState`, keeps the backend's call running ("held"), and when the client sends the call again
 * with `inputResponses`, answers the backend and waits for what comes next: the result, or more requests.
 *
 * A held call is bounded: it expires (and the backend's call is cancelled) after `ttlMs` without the client's
 * answers, and there are at most `maxPerClient` held calls per client and `maxTotal` in all.
 */
import { randomUUID } from 'node:crypto';
import { Cancellation } from '../cancellation';
import type { RouterClock } from '../clock';
import { RouterError } from '../errors';
import { ModernError, missingCapability } from '../protocol/modern';
import { RequestStateSealer } from './request-state';

type Fields = Record<string, unknown>;

/** Which capability a client must have declared for each kind of input request. */
const REQUIRED_CAPABILITY: Record<string, string> = {
  'sampling/createMessage': 'sampling',
  'elicitation/create': 'elicitation',
  'roots/list': 'roots',
};

/** Where one round of a call is answered: the request (and its stream) the client is waiting on now. */
export interface CallRound {
  clientCapabilities: Fields;
  /** A notification on this round's stream (progress, the call's log messages). */
  notify(method: string, params: Fields | undefined): void;
  /** The client went away before this round was answered (HTTP: its stream closed): cancel the call. */
  onClientGone(listener: () => void): () => void;
}

interface PendingInput {
  method: string;
  params: Fields | undefined;
  resolve(result: Fields): void;
  reject(error: unknown): void;
  /** A 2026 backend's round, answered as a whole (askAll): the backend's key of this request. */
  round?: { key: string; answered(answers: Fields): void };
}

export type RoundOutcome =
  | { kind: 'result'; result: Fields }
  | { kind: 'error'; error: unknown }
  | {
      kind: 'input_required';
      inputRequests: Record<string, { method: string; params?: Fields }>;
      requestState: string;
    };

/** One call of a 2026 client, from its first request to its result, across any number of input rounds. */
export class ModernCall {
  private heldId: string | undefined;
  /** Ends the backend's call: the client went away mid-round, or the held call expired. */
  readonly controller = new Cancellation();
  /** The backend's requests waiting for the client, made at the first: most calls never ask. */
  private pendingInputs: Map<string, PendingInput> | undefined;
  private nextKey = 1;
  private outcome: { result: Fields } | { error: unknown } | undefined;
  private round: CallRound | undefined;
  private wake: (() => void) | undefined;
  expiry: unknown;

  constructor(
    readonly clientKey: string,
    readonly method: string,
    readonly name: string,
  ) {}

  /** The name its requestState carries, made when first needed: most calls never wait for input. */
  get id(): string {
    return (this.heldId ??= randomUUID());
  }

  /** Starts the call; its result or error ends the round waiting for it. */
  run(call: () => Promise<Fields>): void {
    call().then(
      (result) => this.settle({ result }),
      (error) => this.settle({ error }),
    );
  }

  private get pending(): Map<string, PendingInput> {
    return (this.pendingInputs ??= new Map());
  }

  private settle(outcome: { result: Fields } | { error: unknown }): void {
    if (this.outcome) return;
    this.outcome = outcome;
    if (this.pendingInputs) {
      for (const input of this.pendingInputs.values()) input.reject(new RouterError('CANCELLED', 'the call ended'));
      this.pendingInputs.clear();
    }
    this.wake?.();
  }

  get ended(): boolean {
    return this.outcome !== undefined;
  }

  /** The backend asks the client (sampling, elicitation, roots): the request waits for the client's next round. */
  ask(method: string, params: Fields | undefined, signal?: AbortSignal): Promise<Fields> {
    return new Promise<Fields>((resolve, reject) => {
      const key = `input-${this.nextKey++}`;
      const input: PendingInput = { method, params, resolve, reject };
      this.pending.set(key, input);
      signal?.addEventListener('abort', () => {
        if (this.pending.delete(key)) reject(signal.reason);
      });
      // Gather what the backend asks at the same moment into one round trip.
      setImmediate(() => this.wake?.());
    });
  }

  notify(method: string, params: Fields | undefined): void {
    this.round?.notify(method, params);
  }

  /** The first input request this client cannot answer, having not declared its capability. */
  private lackingCapability(capabilities: Fields): { method: string; capability: string } | undefined {
    for (const { method } of this.pending.values()) {
      const capability = REQUIRED_CAPABILITY[method];
      if (capability && capabilities[capability] === undefined) return { method, capability };
    }
    return undefined;
  }

  /**
   * A 2026 backend's round of input requests, put to the client under the backend's own keys; resolves with the
   * client's answers, as it sent them, when it sends the call again.
   */
  askAll(requests: Record<string, { method: string; params?: Fields }>, signal?: AbortSignal): Promise<Fields> {
    return new Promise<Fields>((resolve, reject) => {
      const keys: string[] = [];
      const answered = (answers: Fields) => {
        for (const key of keys) this.pending.delete(key);
        resolve(answers);
      };
      const clash = Object.keys(requests).find((key) => this.pending.has(key));
      if (clash)
        return reject(new RouterError('BACKEND_UNAVAILABLE', `two input requests of one call share the key ${clash}`));
      for (const [key, request] of Object.entries(requests)) {
        keys.push(key);
        this.pending.set(key, {
          method: request.method,
          params: request.params,
          resolve,
          reject,
          round: { key, answered },
        });
      }
      signal?.addEventListener('abort', () => {
        for (const key of keys) this.pending.delete(key);
        reject(signal.reason);
      });
      setImmediate(() => this.wake?.());
    });
  }

  /**
   * The client's answers to the requests of the last round. A request of the router's own that it left out is
   * asked again; a 2026 backend's round goes back with what the client sent, for the backend to judge.
   */
  answer(responses: Fields | undefined): void {
    const rounds = new Map<(answers: Fields) => void, Fields>();
    for (const [key, input] of [...this.pending]) {
      const response = responses?.[key];
      if (input.round) {
        const answers = rounds.get(input.round.answered) ?? {};
        if (response !== undefined) answers[input.round.key] = response;
        rounds.set(input.round.answered, answers);
        continue;
      }
      if (response === undefined || typeof response !== 'object' || response === null) continue;
      this.pending.delete(key);
      input.resolve(response as Fields);
    }
    for (const [answered, answers] of rounds) answered(answers);
  }

  /** Serves one round: waits for the result, or for the backend's requests to the client. */
  async serve(round: CallRound, seal: () => string): Promise<RoundOutcome> {
    this.round = round;
    const stop = round.onClientGone(() =>
      this.controller.abort(new RouterError('CANCELLED', 'the client closed the request')),
    );
    try {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        if (this.outcome || (this.pendingInputs?.size ?? 0) > 0) resolve();
      });
    } finally {
      this.wake = undefined;
      stop();
    }
    if (this.outcome) {
      this.round = undefined;
      return 'result' in this.outcome
        ? { kind: 'result', result: this.outcome.result }
        : { kind: 'error', error: this.outcome.error };
    }
    this.round = undefined;
    const lacking = this.lackingCapability(round.clientCapabilities);
    if (lacking) {
      // The client cannot answer it: the call fails now with -32021, and the backend hears "not supported".
      const error = missingCapability(
        { [lacking.capability]: {} },
        `${lacking.method} needs the "${lacking.capability}" capability`,
      );
      this.controller.abort(new RouterError('CANCELLED', 'the client lacks a capability the call needs'));
      this.settle({ error });
      return { kind: 'error', error };
    }
    const inputRequests: Record<string, { method: string; params?: Fields }> = {};
    for (const [key, input] of this.pending)
      inputRequests[key] =
        input.params === undefined ? { method: input.method } : { method: input.method, params: input.params };
    return { kind: 'input_required', inputRequests, requestState: seal() };
  }
}

export interface HeldCallsOptions {
  clock: RouterClock;
  /** How long a held call waits for the client's answers. */
  ttlMs?: number;
  maxPerClient?: number;
  maxTotal?: number;
  sealer?: RequestStateSealer;
}

export const HELD_CALL_TTL_MS = 5 * 60_000;
export const MAX_HELD_CALLS_PER_CLIENT = 64;
export const MAX_HELD_CALLS = 1024;

function invalidState(why: string): ModernError {
  return new ModernError(-32602, `Invalid requestState: ${why}`);
}

export class HeldCalls {
  private readonly held = new Map<string, ModernCall>();
  private readonly perClient = new Map<string, number>();
  private readonly sealer: RequestStateSealer;
  private readonly ttlMs: number;

  constructor(private readonly options: HeldCallsOptions) {
    this.sealer = options.sealer ?? new RequestStateSealer();
    this.ttlMs = options.ttlMs ?? HELD_CALL_TTL_MS;
  }

  get size(): number {
    return this.held.size;
  }

  /**
   * Serves a round of `call` and holds it if it ends waiting for the client's input. Over either cap, the call
   * is cancelled and the client told why.
   */
  async serve(call: ModernCall, round: CallRound): Promise<RoundOutcome> {
    const outcome = await call.serve(round, () =>
      this.sealer.seal({
        call: call.id,
        method: call.method,
        name: call.name,
        expires: this.options.clock.now() + this.ttlMs,
      }),
    );
    if (outcome.kind !== 'input_required') return outcome;
    const mine = this.perClient.get(call.clientKey) ?? 0;
    const full =
      mine >= (this.options.maxPerClient ?? MAX_HELD_CALLS_PER_CLIENT)
        ? `this client already has ${mine} calls waiting for its input`
        : this.held.size >= (this.options.maxTotal ?? MAX_HELD_CALLS)
          ? `the router already holds ${this.held.size} calls waiting for input`
          : undefined;
    if (full) {
      call.controller.abort(new RouterError('CANCELLED', 'too many calls waiting for input'));
      return {
        kind: 'error',
        error: new RouterError('BACKEND_UNAVAILABLE', `cannot wait for input: ${full}; answer or drop those first`),
      };
    }
    this.hold(call);
    return outcome;
  }

  private hold(call: ModernCall): void {
    this.held.set(call.id, call);
    this.perClient.set(call.clientKey, (this.perClient.get(call.clientKey) ?? 0) + 1);
    call.expiry = this.options.clock.setTimeout(() => {
      if (!this.release(call)) return;
      call.controller.abort(new RouterError('TIMEOUT', 'the client did not answer the input requests in time'));
    }, this.ttlMs);
    (call.expiry as { unref?: () => void } | undefined)?.unref?.();
  }

  private release(call: ModernCall): boolean {
    if (!this.held.delete(call.id)) return false;
    this.options.clock.clearTimeout(call.expiry);
    const left = (this.perClient.get(call.clientKey) ?? 1) - 1;
    if (left > 0) this.perClient.set(call.clientKey, left);
    else this.perClient.delete(call.clientKey);
    return true;
  }

  /** The held call a client's `requestState` names, taken out of holding, or the error the client gets. */
  resume(state: unknown, method: string, name: string): ModernCall {
    const opened = this.sealer.open(state);
    if ('problem' in opened) throw invalidState(opened.problem);
    const { claim } = opened;
    if (claim.method !== method || claim.name !== name)
      throw invalidState(`it was issued for ${claim.method} ${claim.name}, not ${method} ${name}`);
    const call = this.held.get(claim.call);
    if (!call || this.options.clock.now() > claim.expires)
      throw invalidState('the call it names has expired or was already answered; send the request again without it');
    this.release(call);
    return call;
  }

  /** Router stop: every held call is cancelled. */
  close(): void {
    for (const call of [...this.held.values()]) {
      this.release(call);
      call.controller.abort(new RouterError('CANCELLED', 'the router is stopping'));
    }
  }
}
