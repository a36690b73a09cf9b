/**
 * One client request as the dispatcher takes it: what is asked (the target) and how (the options), and the
 * request-level rules that do not depend on any one attempt: whether it may wait for a backend, and the error
 * when no backend can serve it.
 */
import type { Progress } from '@modelcontextprotocol/client';
import type { RouteDecision } from '../../machines/supervisor.machine';
import type { Cancellation, CancelSignal } from '../cancellation';
import { RouterError } from '../errors';
import type { ClientOrigin } from '../backends/client-origins';
import { isReadOnlyMethod } from '../protocol/failure-policy';

export interface ForwardTarget {
  method: string;
  /** The name (or URI) the client used: the supervisor shows it, routing reads it. */
  name: string;
  /** The client session asking (per-client backends are routed to its own instance). */
  session?: string;
}

export interface ForwardOptions {
  /** Rewrites the client's params for the chosen backend (its own name for the tool, say). */
  paramsFor(backend: string): Record<string, unknown>;
  /** HTTP headers the request carries to that backend, if it is a 2026 one over HTTP (`Mcp-Param-*`). */
  headersFor?(backend: string): Record<string, string> | undefined;
  /** Whether this request may be sent again after it may have reached a backend. */
  retrySafe(backend: string): boolean;
  /** The client's cancellation. */
  signal?: CancelSignal;
  /**
   * Or, cheaper, the controller that ends this request: the caller aborts it to cancel, the dispatcher aborts
   * it at the deadline. One controller per request instead of two and a listener between them.
   */
  controller?: Cancellation;
  onprogress?: (progress: Progress) => void;
  /** The client session asking: a backend's sampling/elicitation/roots request during the call goes there. */
  origin?: ClientOrigin;
  /** The outcome of a result that arrived: tool results with isError count as neither success nor failure. */
  resultCounts?(result: Record<string, unknown>): 'success' | 'ignored';
}

/** A request that may run again (read-only, or a tool every candidate says is safe to repeat) may wait. */
export function mayWait(target: ForwardTarget, options: ForwardOptions, decision: RouteDecision): boolean {
  return isReadOnlyMethod(target.method) || decision.order.every((backend) => options.retrySafe(backend));
}

export function noBackendError(target: ForwardTarget, decision: RouteDecision): RouterError {
  const reasons = decision.skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ');
  return new RouterError(
    'NO_BACKEND_AVAILABLE',
    `no backend can serve ${target.name} right now${reasons ? ` (${reasons})` : ''}`,
    { skipped: decision.skipped },
  );
}
