/**
 * The request path: every attempt is decided by the supervisor's dispatch actor (request.dispatch in, the
 * decision in its snapshot), sent on the chosen backend's live link, and its outcome reported to that
 * backend's actor (so breaker and metrics stay true). Retries only where they cannot run anything twice; one
 * deadline bounds all attempts.
 */
import type { BackendActorRef } from '../../machines/backend.machine';
import { circuitStateOf } from '../../machines/backend.selectors';
import type { DispatchRoute } from '../../machines/dispatch-decision';
import type { DispatchActorRef, RouteDecision } from '../../machines/supervisor.machine';
import { sleep, type RouterClock } from '../clock';
import type { RoutingSettings } from '../config/types';
import { Cancellation, type CancelSignal } from '../cancellation';
import { RouterError } from '../errors';
import type { BackendLink } from '../backends/open-link';
import type { Logger } from '../logging/logger';
import type { ClientOrigins } from '../backends/client-origins';
import type { Traffic } from './traffic';
import type { AttemptOutcome, DispatchObserver } from '../observability/dispatch-observer';
import { nextBackendChange } from './backend-change';
import { OutcomeReports } from './outcome-reports';
import { classifyError, isReadOnlyMethod, isSessionExpired } from '../protocol/failure-policy';
import { mayWait, noBackendError, type ForwardOptions, type ForwardTarget } from './forward-request';

export type { ForwardOptions, ForwardTarget } from './forward-request';

export interface DispatcherDependencies {
  clock: RouterClock;
  logger: Logger;
  settings: () => RoutingSettings;
  /** The supervisor's dispatch actor, which decides every attempt. */
  dispatch(): DispatchActorRef;
  /** The candidates for one attempt of a request, with their live state, and the route the config selects. */
  routeFor(target: ForwardTarget): DispatchRoute;
  /**
   * An inspector is attached: every decision goes to the chosen backend (attempt.started), and every outcome
   * (attempt.succeeded too where it changes nothing), to be seen there.
   */
  announceAttempts?: boolean;
  linkOf(name: string): BackendLink | undefined;
  backendRef(name: string): BackendActorRef | undefined;
  origins?: ClientOrigins;
  traffic?: Traffic;
  observer?: DispatchObserver;
  random?: () => number;
}

export class Dispatcher {
  private nextRequestId = 1;
  private inFlight = 0;
  private retriesInFlight = 0;
  private readonly outcomes: OutcomeReports;

  /** Request lines are logged at debug level; the level is read once, not per request. */
  private readonly debug: boolean;

  constructor(private readonly deps: DispatcherDependencies) {
    this.debug = deps.logger.isDebugEnabled();
    this.outcomes = new OutcomeReports(deps.announceAttempts === true);
  }

  /** Resolves when no request is in flight (or after maxMs, on the router's clock): a graceful stop lets them finish. */
  idle(maxMs: number): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    const { clock } = this.deps;
    return new Promise((resolve) => {
      const done = () => {
        clock.clearTimeout(timer);
        this.idleWaiters.delete(done);
        // The last request's answer is written by its caller after forward() returns: a timer of 0 lets that
        // happen before a stop goes on to close the front.
        clock.setTimeout(resolve, 0);
      };
      const timer = clock.setTimeout(done, maxMs);
      this.idleWaiters.add(done);
    });
  }

  /** Those waiting for the last request in flight to end (a graceful stop). */
  private readonly idleWaiters = new Set<() => void>();

  get requestsInFlight(): number {
    return this.inFlight;
  }

  /**
   * Asks the dispatch actor for the next attempt's backend; synchronous (the actor processes send() in place).
   * Then does what follows from the decision: a half-open circuit's trial permit is taken at once
   * (attempt.started, so the next dispatch sees it), and an inspector is shown why the request went there.
   */
  route(requestId: string, target: ForwardTarget, exclude: string[], attempt: number): RouteDecision {
    const dispatch = this.deps.dispatch();
    const before = dispatch.getSnapshot();
    const route = this.deps.routeFor(target);
    dispatch.send({ type: 'request.dispatch', requestId, target, exclude, attempt, route });
    const after = dispatch.getSnapshot();
    // Each decision is a new snapshot: the same one means the actor decided nothing (it was stopped), and its
    // last decision may be this request's previous attempt.
    const decision = after === before ? null : after.context.last;
    if (decision?.requestId !== requestId)
      throw new RouterError('INTERNAL', `no routing decision for request ${requestId}`);
    if (decision.backend !== null) this.announce(decision);
    if (this.debug)
      this.deps.logger.debug('routed', {
        request: requestId,
        name: target.name,
        method: target.method,
        attempt,
        ...decision,
      });
    return decision;
  }

  /** With a closed circuit and nobody inspecting, attempt.started would change nothing: it is not sent. */
  private announce(decision: RouteDecision): void {
    const ref = this.deps.backendRef(decision.backend!);
    if (!ref || (!this.deps.announceAttempts && circuitStateOf(ref.getSnapshot()) !== 'halfOpen')) return;
    ref.send({
      type: 'attempt.started',
      requestId: decision.requestId,
      epoch: decision.epoch,
      why: { strategy: decision.strategy, order: decision.order, skipped: decision.skipped },
    });
  }

  async forward(target: ForwardTarget, options: ForwardOptions): Promise<Record<string, unknown>> {
    const settings = this.deps.settings();
    const { clock } = this.deps;
    const requestId = `r${this.nextRequestId++}`;
    const deadline = options.controller ?? new Cancellation();
    const timeoutMs = settings.requestTimeoutSeconds * 1000;
    const timer = clock.setTimeout(
      () => deadline.abort(new RouterError('TIMEOUT', `no answer within ${settings.requestTimeoutSeconds} s`)),
      timeoutMs,
    );
    // Only a caller's own signal needs a listener (the tool-call lane hands its controller in instead).
    const clientSignal = options.signal;
    const onClientAbort = clientSignal
      ? () => deadline.abort(new RouterError('CANCELLED', 'cancelled by the client'))
      : undefined;
    if (clientSignal && onClientAbort) {
      if (clientSignal.aborted) onClientAbort();
      else clientSignal.addEventListener('abort', onClientAbort, { once: true });
    }
    this.inFlight++;
    this.deps.observer?.inFlight(1);
    const tried: string[] = [];
    let lastError: RouterError | undefined;
    let lastFailoverOnly = false;
    let lastConnectionLost = false;
    try {
      for (let attempt = 0; attempt <= settings.maxRetries; attempt++) {
        let decision = this.route(requestId, target, tried, attempt);
        const sameBackend = !decision.backend && tried.length > 0;
        // An answer such as "not found" may be another backend's to give, but the same backend would say it again.
        if (sameBackend && lastFailoverOnly) throw lastError!;
        if (sameBackend) {
          // Every other candidate is out: the same backend again, after a backoff and only within the retry
          // budget, so a dying backend is not hammered. (Failing over to another backend needs no budget, nor
          // does a backend whose connection was lost: the retry waits below for it to be back.)
          if (!lastConnectionLost && !this.takeRetryBudget()) throw lastError ?? noBackendError(target, decision);
          const ceiling =
            Math.min(settings.maxBackoffSeconds, settings.retryBaseSeconds * settings.retryBackoff ** (attempt - 1)) *
            1000;
          await sleep(clock, (this.deps.random ?? Math.random)() * ceiling, deadline.signal);
          tried.length = 0;
          decision = this.route(requestId, target, tried, attempt);
        }
        // Every candidate is down for a moment (reconnecting, or half-open with no trial permit free): a call
        // that may run again waits for one, within its deadline, instead of failing.
        while (!decision.backend && decision.waitFor && mayWait(target, options, decision)) {
          await nextBackendChange(this.refsOf(decision.waitFor), deadline.signal);
          decision = this.route(requestId, target, tried, attempt);
        }
        if (!decision.backend) {
          if (lastError) throw lastError;
          this.deps.observer?.rejected(target.method, decision.skipped);
          throw noBackendError(target, decision);
        }
        const backend = decision.backend;
        if (attempt > 0) this.deps.observer?.retry(target.method, sameBackend);
        let outcome: Awaited<ReturnType<Dispatcher['attempt']>>;
        if (sameBackend) this.retriesInFlight++;
        try {
          outcome = await this.attempt(requestId, backend, decision.epoch, target, options, deadline.signal);
        } finally {
          if (sameBackend) this.retriesInFlight--;
        }
        if (outcome.ok) return outcome.result;
        lastError = outcome.error;
        lastFailoverOnly = outcome.failoverOnly === true;
        lastConnectionLost = outcome.connectionLost === true;
        if (deadline.signal.aborted || !outcome.retry) throw outcome.error;
        if (attempt === settings.maxRetries) throw outcome.error;
        tried.push(backend);
      }
      throw lastError ?? new RouterError('INTERNAL', 'no attempt was made');
    } catch (error) {
      if (deadline.signal.aborted && deadline.signal.reason instanceof RouterError) throw deadline.signal.reason;
      throw error;
    } finally {
      this.inFlight--;
      if (this.inFlight === 0 && this.idleWaiters.size > 0) for (const done of [...this.idleWaiters]) done();
      this.deps.observer?.inFlight(-1);
      clock.clearTimeout(timer);
      if (clientSignal && onClientAbort) clientSignal.removeEventListener('abort', onClientAbort);
    }
  }

  private refsOf(names: readonly string[]): BackendActorRef[] {
    const refs: BackendActorRef[] = [];
    for (const name of names) {
      const ref = this.deps.backendRef(name);
      if (ref) refs.push(ref);
    }
    return refs;
  }

  /** Same-backend retries are capped at about a fifth of the requests in flight (at least 3). */
  private takeRetryBudget(): boolean {
    const budget = Math.max(3, Math.floor(this.inFlight * 0.2));
    return this.retriesInFlight < budget;
  }

  private async attempt(
    requestId: string,
    backend: string,
    epoch: number,
    target: ForwardTarget,
    options: ForwardOptions,
    signal: CancelSignal,
  ): Promise<
    | { ok: true; result: Record<string, unknown> }
    | { ok: false; error: RouterError; retry: boolean; failoverOnly?: boolean; connectionLost?: boolean }
  > {
    const { clock, traffic } = this.deps;
    const ref = this.deps.backendRef(backend);
    const started = clock.now();
    const counters = traffic?.started(backend);
    let reported = false;
    // Once per attempt, whatever path it ends on: the counters and the backend actor hear of it exactly once.
    const report = (
      type: 'attempt.succeeded' | 'attempt.ignored' | 'attempt.failed',
      error?: string,
      outcome?: AttemptOutcome,
    ) => {
      if (reported) return;
      reported = true;
      const at = clock.now();
      if (counters) traffic!.ended(backend, counters, at - started);
      this.deps.observer?.attempt(backend, target.method, outcome ?? OUTCOME_OF[type], at - started);
      if (this.debug)
        this.deps.logger.debug('request', {
          requestId,
          backend,
          method: target.method,
          name: target.name,
          outcome: outcome ?? OUTCOME_OF[type],
          durationMs: at - started,
          ...(error ? { error } : {}),
        });
      if (!ref) return;
      if (type === 'attempt.failed')
        this.outcomes.report(ref, { type, epoch, at, latencyMs: at - started, error: error ?? 'failed' });
      else this.outcomes.report(ref, { type, epoch, at, latencyMs: at - started });
    };
    const link = this.deps.linkOf(backend);
    if (!link) {
      report('attempt.ignored');
      return {
        ok: false,
        retry: true,
        error: new RouterError('BACKEND_UNAVAILABLE', `backend ${backend} is not connected`, { backend }),
      };
    }
    const leave = options.origin ? this.deps.origins?.enter(backend, options.origin) : undefined;
    const send = () =>
      link.call(target.method, options.paramsFor(backend), {
        signal,
        onprogress: options.onprogress,
        origin: options.origin,
        headers: options.headersFor?.(backend),
      });
    try {
      let result: Record<string, unknown>;
      try {
        result = await send();
      } catch (error) {
        if (!isSessionExpired(error) || signal.aborted) throw error;
        // The server forgot our session, so it never processed the request: a new session, and one replay.
        this.deps.logger.info('backend lost our session: re-initializing and replaying once', { backend });
        await link.reinitialize();
        result = await send();
      }
      report(options.resultCounts?.(result) === 'ignored' ? 'attempt.ignored' : 'attempt.succeeded');
      return { ok: true, result };
    } catch (error) {
      if (signal.aborted) {
        const reason = signal.reason instanceof RouterError ? signal.reason : new RouterError('CANCELLED', 'cancelled');
        // A timeout is the backend's failure; a client's cancel is not.
        if (reason.code === 'TIMEOUT') report('attempt.failed', reason.message, 'timeout');
        else report('attempt.ignored', undefined, 'cancelled');
        return { ok: false, retry: false, error: reason };
      }
      const classified = classifyError(error);
      report(classified.kind === 'failure' ? 'attempt.failed' : 'attempt.ignored', classified.message);
      const routerError = new RouterError(
        'BACKEND_ERROR',
        classified.message,
        { backend, code: classified.code },
        { cause: error },
      );
      // A resource one backend does not have may be another's (templates and resource lists overlap).
      const notFoundHere = classified.code === RESOURCE_NOT_FOUND && target.method === 'resources/read';
      const retry =
        notFoundHere ||
        (classified.kind === 'failure' &&
          (classified.notReached || isReadOnlyMethod(target.method) || options.retrySafe(backend)));
      this.deps.logger.debug('attempt failed', {
        requestId,
        backend,
        method: target.method,
        error: classified.message,
        retry,
      });
      // The link went down under the call ("Connection closed"): the backend is reconnecting, not refusing.
      const connectionLost = this.deps.linkOf(backend) !== link || /connection closed/i.test(classified.message);
      return { ok: false, retry, failoverOnly: notFoundHere, connectionLost, error: routerError };
    } finally {
      // A call given up on (cancelled, timed out) may still be running on the backend.
      leave?.(signal.aborted);
    }
  }
}

/** MCP's "resource not found". */
const RESOURCE_NOT_FOUND = -32002;

const OUTCOME_OF = {
  'attempt.succeeded': 'success',
  'attempt.failed': 'failure',
  'attempt.ignored': 'ignored',
} as const;
