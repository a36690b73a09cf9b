import { RouterMetrics } from '../../src/observability/metrics';
import { startBackend } from '../machines/backend-harness';

/** The backends' state gauges, as /metrics renders them. */
async function stateGauges(metrics: RouterMetrics): Promise<string[]> {
  const { body } = await metrics.render();
  return body.split('\n').filter((line) => line.startsWith('mcp_router_backend_'));
}

describe('router metrics: states reported before prom-client is loaded', () => {
  it('renders the same state gauges as metrics whose registry was made first', async () => {
    const a = startBackend({ name: 'alpha', namespace: 'alpha' });
    const b = startBackend({ name: 'beta', namespace: 'beta' });
    const c = startBackend({ name: 'gamma', namespace: 'gamma' });
    const early = new RouterMetrics({ processMetrics: false });
    const loaded = new RouterMetrics({ processMetrics: false });
    loaded.load();
    const report = (name: string, snapshot: ReturnType<typeof a.actor.getSnapshot>) => {
      early.backendState(name, snapshot);
      loaded.backendState(name, snapshot);
    };
    report('alpha', a.actor.getSnapshot());
    report('beta', b.actor.getSnapshot());
    report('gamma', c.actor.getSnapshot());
    a.connect();
    report('alpha', a.actor.getSnapshot());
    b.connect();
    for (let i = 0; i < 3; i++) b.fail();
    report('beta', b.actor.getSnapshot());
    early.removeBackend('gamma');
    loaded.removeBackend('gamma');

    const gauges = await stateGauges(early);
    expect(gauges).toEqual(await stateGauges(loaded));
    expect(gauges).toContain('mcp_router_backend_connection_state{backend="alpha",state="connected"} 1');
    expect(gauges).toContain('mcp_router_backend_circuit_state{backend="beta",state="open"} 1');
    expect(gauges.some((line) => line.includes('gamma'))).toBe(false);

    // Once made, the registry follows every report, as before.
    a.actor.send({ type: 'link.lost', at: a.clock.now(), error: 'gone' });
    report('alpha', a.actor.getSnapshot());
    const after = await stateGauges(early);
    expect(after).toEqual(await stateGauges(loaded));
    expect(after).toContain('mcp_router_backend_connection_state{backend="alpha",state="reconnecting"} 1');
  });
});
