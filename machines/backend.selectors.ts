/**
 * Reading a backend snapshot the way routing needs it: plain values, no XState types past this point.
 */
import type { BackendSnapshot, CircuitState, ConnectionState, HealthState } from './backend.machine';

export function connectionStateOf(snapshot: BackendSnapshot): ConnectionState {
  const value = (snapshot.value as { connection: string | { online: string } }).connection;
  return typeof value === 'string' ? (value as ConnectionState) : (value.online as ConnectionState);
}

export function healthStateOf(snapshot: BackendSnapshot): HealthState {
  return (snapshot.value as { health: { status: HealthState } }).health.status;
}

export function circuitStateOf(snapshot: BackendSnapshot): CircuitState {
  return (snapshot.value as { circuit: CircuitState }).circuit;
}

/** Failures in a row on a closed circuit, since the last success (what the breaker's threshold counts). */
export function failureStreakOf(snapshot: BackendSnapshot): number {
  return snapshot.context.circuit.consecutiveFailures;
}

export type SkipReason = 'not connected' | 'circuit open' | 'half-open: no trial permit free' | 'unhealthy';

/**
 * Whether a new attempt may go to this backend now, and if so in which circuit epoch (echoed on the
 * attempt's outcome so a late answer from an earlier half-open round does not count for the current one).
 */
export function admissionOf(
  snapshot: BackendSnapshot,
): { admit: true; epoch: number } | { admit: false; reason: SkipReason } {
  if (connectionStateOf(snapshot) !== 'connected') return { admit: false, reason: 'not connected' };
  if (healthStateOf(snapshot) === 'unhealthy') return { admit: false, reason: 'unhealthy' };
  const { context } = snapshot;
  switch (circuitStateOf(snapshot)) {
    case 'open':
      return { admit: false, reason: 'circuit open' };
    case 'halfOpen':
      return context.circuit.trialsInFlight < context.settings.circuitBreaker.halfOpenAttempts
        ? { admit: true, epoch: context.circuit.epoch }
        : { admit: false, reason: 'half-open: no trial permit free' };
    default:
      return { admit: true, epoch: context.circuit.epoch };
  }
}
