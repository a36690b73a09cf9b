/**
 * Prometheus metrics (prom-client), one registry per router. Label values are bounded: backend names and
 * MCP method names, never tool arguments. Loaded and made by RouterMetrics (metrics.ts) when first needed.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { BackendSnapshot } from '../../machines/backend.machine';
import { circuitStateOf, connectionStateOf, healthStateOf } from '../../machines/backend.selectors';
import type { AttemptOutcome, DispatchObserver } from './dispatch-observer';
import { DeferredCounter, DurationHistogram, type CountedSeries, type DurationSeries } from './request-metrics';

const CIRCUIT_STATES = ['closed', 'halfOpen', 'open'] as const;
const CONNECTION_STATES = ['idle', 'connecting', 'connected', 'reconnecting', 'stopped'] as const;
const HEALTH_STATES = ['unknown', 'healthy', 'unhealthy'] as const;

export class PromMetrics implements DispatchObserver {
  readonly registry = new Registry();
  private readonly requests: DeferredCounter;
  private readonly latency: DurationHistogram;
  private readonly retries: Counter<'method' | 'kind'>;
  private readonly rejections: Counter<'method' | 'reason'>;
  private readonly timeouts: Counter<'backend' | 'method'>;
  private readonly circuit: Gauge<'backend' | 'state'>;
  private readonly connection: Gauge<'backend' | 'state'>;
  private readonly health: Gauge<'backend' | 'state'>;

  constructor(options: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    // The two metrics of every call: cheaper than prom-client's own on the request path (see request-metrics.ts).
    this.requests = new DeferredCounter({
      name: 'mcp_router_requests_total',
      help: 'Attempts sent to backends, by outcome.',
      labelNames: ['backend', 'method', 'outcome'],
      registry: this.registry,
    });
    this.latency = new DurationHistogram(
      'mcp_router_request_duration_seconds',
      'Time from sending an attempt to a backend until its answer.',
      [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      this.registry,
    );
    this.retries = new Counter({
      name: 'mcp_router_retries_total',
      help: 'Attempts after the first: failover to another backend, or a retry on the same one.',
      labelNames: ['method', 'kind'],
      registers,
    });
    this.rejections = new Counter({
      name: 'mcp_router_rejections_total',
      help: 'Requests no backend could take, by the reason the first candidate was skipped.',
      labelNames: ['method', 'reason'],
      registers,
    });
    this.timeouts = new Counter({
      name: 'mcp_router_timeouts_total',
      help: 'Attempts cut off by the request timeout.',
      labelNames: ['backend', 'method'],
      registers,
    });
    // Counted in a plain number and read at scrape time: two prom-client updates per request cost more.
    const requestsInFlight = () => this.requestsInFlight;
    new Gauge({
      name: 'mcp_router_requests_in_flight',
      help: 'Client requests being served now.',
      registers,
      collect() {
        this.set(requestsInFlight());
      },
    });
    this.circuit = new Gauge({
      name: 'mcp_router_backend_circuit_state',
      help: '1 for the circuit state each backend is in.',
      labelNames: ['backend', 'state'],
      registers,
    });
    this.connection = new Gauge({
      name: 'mcp_router_backend_connection_state',
      help: '1 for the connection state each backend is in.',
      labelNames: ['backend', 'state'],
      registers,
    });
    this.health = new Gauge({
      name: 'mcp_router_backend_health_state',
      help: '1 for the health state each backend is in.',
      labelNames: ['backend', 'state'],
      registers,
    });
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'mcp_router_' });
  }

  /** The series of each backend, method and outcome, looked up once. */
  private readonly children = new Map<string, { count: CountedSeries; latency: DurationSeries }>();

  attempt(backend: string, method: string, outcome: AttemptOutcome, durationMs: number): void {
    const key = `${backend}\u0000${method}\u0000${outcome}`;
    let child = this.children.get(key);
    if (!child) {
      child = {
        count: this.requests.seriesFor({ backend, method, outcome }),
        latency: this.latency.seriesFor({ backend, method }),
      };
      this.children.set(key, child);
    }
    child.count.pending++;
    child.latency.observe(durationMs / 1000);
    if (outcome === 'timeout') this.timeouts.inc({ backend, method });
  }

  retry(method: string, sameBackend: boolean): void {
    this.retries.inc({ method, kind: sameBackend ? 'retry' : 'failover' });
  }

  rejected(method: string, skipped: { backend: string; reason: string }[]): void {
    const reason = skipped[0]?.reason.replace(/:.*/, '') ?? 'no backend offers it';
    this.rejections.inc({ method, reason });
  }

  private requestsInFlight = 0;

  inFlight(delta: number): void {
    this.requestsInFlight += delta;
  }

  /** Called on every backend snapshot change: state gauges are one-hot over the known states. */
  backendState(backend: string, snapshot: BackendSnapshot): void {
    const circuit = circuitStateOf(snapshot);
    const connection = connectionStateOf(snapshot);
    const health = healthStateOf(snapshot);
    for (const s of CIRCUIT_STATES)
      this.circuit.set({ backend, state: s === 'halfOpen' ? 'half_open' : s }, s === circuit ? 1 : 0);
    for (const s of CONNECTION_STATES) this.connection.set({ backend, state: s }, s === connection ? 1 : 0);
    for (const s of HEALTH_STATES) this.health.set({ backend, state: s }, s === health ? 1 : 0);
  }

  removeBackend(backend: string): void {
    for (const key of this.children.keys()) if (key.startsWith(`${backend}\u0000`)) this.children.delete(key);
    // Its attempts and their durations stay in the metrics, as before: counters and histograms only grow.
    // (Attempts are labelled by configured backend, so per-client instances add no series.)
    this.requests.forget({ backend });
    for (const s of CIRCUIT_STATES) this.circuit.remove({ backend, state: s === 'halfOpen' ? 'half_open' : s });
    for (const s of CONNECTION_STATES) this.connection.remove({ backend, state: s });
    for (const s of HEALTH_STATES) this.health.remove({ backend, state: s });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
