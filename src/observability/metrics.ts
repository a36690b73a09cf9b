/**
 * The router's metrics: what the router core reports to (a DispatchObserver, and every backend's state), and
 * what /metrics renders. The Prometheus side (prom-client and its registry, prom-metrics.ts) is loaded and made
 * when first needed, or when `load()` is called: loading prom-client is a tenth of the router's own start-up,
 * and `main.ts` calls `load()` once the backends' processes are spawned. Until then the backends' states are
 * kept here (the last one of each), and handed over when the registry is made: the gauges read the same.
 */
import type { Registry } from 'prom-client';
import type { BackendSnapshot } from '../../machines/backend.machine';
import type { AttemptOutcome, DispatchObserver } from './dispatch-observer';
import type * as PromMetricsModule from './prom-metrics';

export class RouterMetrics implements DispatchObserver {
  private prom: PromMetricsModule.PromMetrics | undefined;
  /** Each backend's last state before the registry exists, in the order the backends first reported. */
  private readonly early = new Map<string, BackendSnapshot>();

  constructor(private readonly options: { processMetrics?: boolean } = {}) {}

  /** Loads prom-client and makes the registry now (once), so that process metrics count from here on. */
  load(): PromMetricsModule.PromMetrics {
    if (this.prom) return this.prom;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a deferred load: see the top of the file
    const { PromMetrics } = require('./prom-metrics') as typeof PromMetricsModule;
    const prom = new PromMetrics(this.options);
    for (const [backend, snapshot] of this.early) prom.backendState(backend, snapshot);
    this.early.clear();
    return (this.prom = prom);
  }

  get registry(): Registry {
    return this.load().registry;
  }

  attempt(backend: string, method: string, outcome: AttemptOutcome, durationMs: number): void {
    (this.prom ?? this.load()).attempt(backend, method, outcome, durationMs);
  }

  retry(method: string, sameBackend: boolean): void {
    (this.prom ?? this.load()).retry(method, sameBackend);
  }

  rejected(method: string, skipped: { backend: string; reason: string }[]): void {
    (this.prom ?? this.load()).rejected(method, skipped);
  }

  inFlight(delta: number): void {
    (this.prom ?? this.load()).inFlight(delta);
  }

  /** Called on every backend snapshot change: state gauges are one-hot over the known states. */
  backendState(backend: string, snapshot: BackendSnapshot): void {
    if (this.prom) this.prom.backendState(backend, snapshot);
    else this.early.set(backend, snapshot);
  }

  removeBackend(backend: string): void {
    if (this.prom) this.prom.removeBackend(backend);
    else this.early.delete(backend);
  }

  render(): Promise<{ contentType: string; body: string }> {
    return this.load().render();
  }
}
