import { Traffic } from '../../src/router/traffic';

describe('Traffic: requests in flight and latency per backend', () => {
  it('counts requests and what is in flight, and averages latency', () => {
    const traffic = new Traffic();
    const a = traffic.started('b');
    const b = traffic.started('b');
    expect(traffic.of('b')).toMatchObject({ inFlight: 2, requests: 2, latencyEwmaMs: null });
    traffic.ended('b', a, 10);
    traffic.ended('b', b, 20);
    expect(traffic.of('b')).toMatchObject({ inFlight: 0, requests: 2, lastLatencyMs: 20, latencyEwmaMs: 12 });
    expect(traffic.of('never')).toMatchObject({ inFlight: 0, requests: 0 });
  });

  it('lets a drain wait until the last request in flight has ended, or the backend is forgotten', async () => {
    const traffic = new Traffic();
    await expect(traffic.whenIdle('b')).resolves.toBeUndefined();
    const first = traffic.started('b');
    const second = traffic.started('b');
    let idle = false;
    const drained = traffic.whenIdle('b').then(() => (idle = true));
    traffic.ended('b', first, 1);
    await Promise.resolve();
    expect(idle).toBe(false);
    traffic.ended('b', second, 1);
    await drained;
    expect(idle).toBe(true);

    traffic.started('c');
    const forgotten = traffic.whenIdle('c');
    traffic.forget('c');
    await expect(forgotten).resolves.toBeUndefined();
    expect(traffic.of('c').requests).toBe(0);
  });

  it("an attempt that outlives its backend's removal does not touch a new backend of the same name", () => {
    const traffic = new Traffic();
    const old = traffic.started('b');
    traffic.forget('b');
    traffic.started('b');
    traffic.ended('b', old, 5);
    expect(traffic.of('b')).toMatchObject({ inFlight: 1, requests: 1 });
  });
});
