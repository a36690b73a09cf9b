import { Counter, Histogram, Registry } from 'prom-client';
import { DeferredCounter, DurationHistogram } from '../../src/observability/request-metrics';
import { RouterMetrics } from '../../src/observability/metrics';

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const DURATIONS = [0.0001, 0.0005, 0.0007, 0.001, 0.003, 0.02, 0.02, 0.4, 1, 7, 29.9, 30, 31, 120];

describe('request metrics: the per-call counter and histogram', () => {
  it('renders the histogram exactly as prom-client renders its own for the same observations', async () => {
    const theirs = new Registry();
    const reference = new Histogram({
      name: 'd_seconds',
      help: 'Durations.',
      labelNames: ['backend', 'method'],
      buckets: BUCKETS,
      registers: [theirs],
    });
    const ours = new Registry();
    const histogram = new DurationHistogram('d_seconds', 'Durations.', BUCKETS, ours);
    for (const [backend, method] of [
      ['alpha', 'tools/call'],
      ['beta', 'prompts/get'],
    ]) {
      const series = histogram.seriesFor({ backend: backend!, method: method! });
      for (const d of DURATIONS) {
        reference.observe({ backend, method }, d);
        series.observe(d);
      }
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());

    theirs.resetMetrics();
    ours.resetMetrics();
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });

  it('counts every call in the counter by the time the registry is read', async () => {
    const theirs = new Registry();
    const reference = new Counter({
      name: 'n_total',
      help: 'Calls.',
      labelNames: ['backend', 'outcome'],
      registers: [theirs],
    });
    const ours = new Registry();
    const counter = new DeferredCounter({
      name: 'n_total',
      help: 'Calls.',
      labelNames: ['backend', 'outcome'],
      registry: ours,
    });
    const ok = counter.seriesFor({ backend: 'alpha', outcome: 'success' });
    const failed = counter.seriesFor({ backend: 'alpha', outcome: 'failure' });
    for (let i = 0; i < 7; i++) ok.pending++;
    failed.pending += 2;
    reference.inc({ backend: 'alpha', outcome: 'success' }, 7);
    reference.inc({ backend: 'alpha', outcome: 'failure' }, 2);
    expect(await ours.metrics()).toBe(await theirs.metrics());
    // Read twice: nothing is counted twice.
    ok.pending++;
    reference.inc({ backend: 'alpha', outcome: 'success' });
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());
    // A reset forgets what was counted and not yet read, as prom-client's own counter does.
    ok.pending += 4;
    reference.inc({ backend: 'alpha', outcome: 'success' }, 4);
    ours.resetMetrics();
    theirs.resetMetrics();
    ok.pending++;
    reference.inc({ backend: 'alpha', outcome: 'success' });
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });

  it('keeps a removed backend’s counts, and counts it again under the same labels when it comes back', async () => {
    const metrics = new RouterMetrics({ processMetrics: false });
    metrics.attempt('alpha', 'tools/call', 'success', 3);
    metrics.attempt('alpha', 'tools/call', 'success', 4);
    metrics.removeBackend('alpha');
    metrics.attempt('alpha', 'tools/call', 'success', 5);
    metrics.attempt('alpha', 'tools/call', 'failure', 6);
    const { body } = await metrics.render();
    expect(body).toContain('mcp_router_requests_total{backend="alpha",method="tools/call",outcome="success"} 3');
    expect(body).toContain('mcp_router_requests_total{backend="alpha",method="tools/call",outcome="failure"} 1');
    expect(body).toContain('mcp_router_request_duration_seconds_count{backend="alpha",method="tools/call"} 4');
    expect(body).toContain(
      'mcp_router_request_duration_seconds_bucket{le="0.005",backend="alpha",method="tools/call"} 3',
    );
  });
});
