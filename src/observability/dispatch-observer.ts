/**
 * Hooks on the request path, for metrics and request logs. The dispatcher calls them; they must be cheap.
 */
export type AttemptOutcome = 'success' | 'failure' | 'ignored' | 'timeout' | 'cancelled';

export interface DispatchObserver {
  attempt(backend: string, method: string, outcome: AttemptOutcome, durationMs: number): void;
  retry(method: string, sameBackend: boolean): void;
  /** No backend could take the request; `skipped` says why each was passed over. */
  rejected(method: string, skipped: { backend: string; reason: string }[]): void;
  inFlight(delta: number): void;
}
