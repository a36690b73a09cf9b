/**
 * Per backend: requests in flight, requests sent, and their latency. Plain counters kept on the request path:
 * they change on every request, and as actor context each change would cost a snapshot. What the breaker
 * decides by (failure streaks, trial permits, failures) stays in the backend actor.
 */
const EWMA_WEIGHT = 0.2;

export interface BackendTraffic {
  inFlight: number;
  requests: number;
  lastLatencyMs: number | null;
  /** Exponentially weighted moving average of attempt latency. */
  latencyEwmaMs: number | null;
}

export class Traffic {
  private readonly byBackend = new Map<string, BackendTraffic>();
  private readonly idleWaiters = new Map<string, Set<() => void>>();

  /** The counters of a backend (zeros for one that has seen no request). */
  of(backend: string): Readonly<BackendTraffic> {
    return this.byBackend.get(backend) ?? { inFlight: 0, requests: 0, lastLatencyMs: null, latencyEwmaMs: null };
  }

  inFlight(backend: string): number {
    return this.byBackend.get(backend)?.inFlight ?? 0;
  }

  /**
   * An attempt starts on a backend; give what it returns to ended(). (The counters of the backend as it is
   * now: an attempt that outlives its backend's removal, and a new backend of the same name, do not mix.)
   */
  started(backend: string): BackendTraffic {
    let t = this.byBackend.get(backend);
    if (!t) this.byBackend.set(backend, (t = { inFlight: 0, requests: 0, lastLatencyMs: null, latencyEwmaMs: null }));
    t.inFlight++;
    t.requests++;
    return t;
  }

  ended(backend: string, counters: BackendTraffic, latencyMs: number): void {
    counters.inFlight = Math.max(0, counters.inFlight - 1);
    counters.lastLatencyMs = latencyMs;
    counters.latencyEwmaMs =
      counters.latencyEwmaMs === null
        ? latencyMs
        : counters.latencyEwmaMs + EWMA_WEIGHT * (latencyMs - counters.latencyEwmaMs);
    if (counters.inFlight === 0 && this.byBackend.get(backend) === counters) this.wake(backend);
  }

  /** Resolves when the backend has nothing in flight. */
  whenIdle(backend: string): Promise<void> {
    if (this.inFlight(backend) === 0) return Promise.resolve();
    return new Promise((resolve) => {
      let waiters = this.idleWaiters.get(backend);
      if (!waiters) this.idleWaiters.set(backend, (waiters = new Set()));
      waiters.add(resolve);
    });
  }

  /** A backend removed for good: its counters go, and whoever waits for it to be idle is let go. */
  forget(backend: string): void {
    this.byBackend.delete(backend);
    this.wake(backend);
  }

  private wake(backend: string): void {
    const waiters = this.idleWaiters.get(backend);
    if (!waiters) return;
    this.idleWaiters.delete(backend);
    for (const resolve of waiters) resolve();
  }
}
