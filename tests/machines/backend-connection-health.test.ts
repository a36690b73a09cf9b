import { connectionStateOf, healthStateOf, circuitStateOf, admissionOf } from '../../machines/backend.selectors';
import { SAME_FAILURES_TO_GIVE_UP } from '../../machines/backend.machine';
import { startBackend } from './backend-harness';

describe('backend connection region', () => {
  it('goes idle → connecting → connected', () => {
    const b = startBackend();
    expect(connectionStateOf(b.actor.getSnapshot())).toBe('idle');
    b.actor.send({ type: 'backend.start' });
    expect(connectionStateOf(b.actor.getSnapshot())).toBe('connecting');
    expect(b.links()).toBe(1);
    b.actor.send({
      type: 'link.connected',
      at: 0,
      capabilities: { tools: 2, resources: 0, resourceTemplates: 0, prompts: 0 },
    });
    expect(connectionStateOf(b.actor.getSnapshot())).toBe('connected');
    expect(b.actor.getSnapshot().context.link.capabilities?.tools).toBe(2);
  });

  it('reconnects after a lost connection with exponential backoff from 0.5 s, capped at 30 s', () => {
    const b = startBackend();
    b.connect();
    const delays: number[] = [];
    b.actor.send({ type: 'link.lost', at: 0, error: 'child exited' });
    for (let i = 0; i < 8; i++) {
      expect(connectionStateOf(b.actor.getSnapshot())).toBe('reconnecting');
      const delay = b.actor.getSnapshot().context.link.reconnectDelayMs;
      delays.push(delay);
      b.clock.increment(delay - 1);
      expect(connectionStateOf(b.actor.getSnapshot())).toBe('reconnecting');
      b.clock.increment(1);
      expect(connectionStateOf(b.actor.getSnapshot())).toBe('connecting');
      // A different failure each time: the same one again and again is told apart (below).
      b.actor.send({ type: 'link.failed', at: b.clock.now(), error: `timed out ${i}` });
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    expect(b.links()).toBe(9);
  });

  // Issue 18.2: a failure that will not heal by retrying is told apart, and said, instead of retried every few
  // seconds in silence.
  it('a permanent failure (command not found) says it will not heal, and is retried only at the longest delay', () => {
    const b = startBackend();
    b.actor.send({ type: 'backend.start' });
    const error = 'cannot start "nodee": command not found on PATH (ENOENT)';
    b.actor.send({ type: 'link.failed', at: 0, error, permanent: true, failure: 'spawn ENOENT' });
    const c = b.actor.getSnapshot().context;
    expect(c.link.hopeless).toBe(true);
    expect(c.link.reconnectDelayMs).toBe(30_000);
    expect(c.lastError?.message).toBe(
      `${error} [this will not heal by retrying: fix the backend's config; retrying every 30 s]`,
    );
  });

  it(`the same failure ${SAME_FAILURES_TO_GIVE_UP} times in a row is said to be unlikely to heal, and slows the retries; a connection resets it`, () => {
    const b = startBackend();
    b.actor.send({ type: 'backend.start' });
    const delays: number[] = [];
    const failOnce = (stderr: string) => {
      b.actor.send({
        type: 'link.failed',
        at: b.clock.now(),
        error: `the backend process exited with code 1; its stderr ends with:\n${stderr}`,
        failure: 'exit 1',
      });
      delays.push(b.actor.getSnapshot().context.link.reconnectDelayMs);
      b.clock.increment(b.actor.getSnapshot().context.link.reconnectDelayMs);
    };
    // The stderr differs (a timestamp, a pid): the failure is the same.
    for (let i = 0; i < SAME_FAILURES_TO_GIVE_UP + 1; i++)
      failOnce(`pid ${i}: None of the specified directories are accessible`);
    expect(delays).toEqual([500, 1000, 30_000, 30_000]);
    const c = b.actor.getSnapshot().context;
    expect(c.link.hopeless).toBe(true);
    expect(c.lastError?.message).toMatch(
      new RegExp(
        `None of the specified directories are accessible \\[the same failure ${SAME_FAILURES_TO_GIVE_UP + 1} times in a row: it will likely not heal by retrying; retrying every 30 s\\]$`,
      ),
    );
    b.actor.send({
      type: 'link.connected',
      at: b.clock.now(),
      capabilities: { tools: 1, resources: 0, resourceTemplates: 0, prompts: 0 },
    });
    expect(b.actor.getSnapshot().context.link).toMatchObject({ hopeless: false, sameFailures: 0 });
    b.actor.send({ type: 'link.lost', at: b.clock.now(), error: 'x' });
    expect(b.actor.getSnapshot().context.link.reconnectDelayMs).toBe(500);
  });

  it('resets the backoff once connected again', () => {
    const b = startBackend();
    b.connect();
    b.actor.send({ type: 'link.lost', at: 0, error: 'x' });
    b.clock.increment(500);
    b.actor.send({ type: 'link.failed', at: 0, error: 'x' });
    b.clock.increment(1000);
    b.actor.send({
      type: 'link.connected',
      at: 0,
      capabilities: { tools: 1, resources: 0, resourceTemplates: 0, prompts: 0 },
    });
    b.actor.send({ type: 'link.lost', at: 0, error: 'x' });
    expect(b.actor.getSnapshot().context.link.reconnectDelayMs).toBe(500);
  });

  it('a disconnected backend is not admitted', () => {
    const b = startBackend();
    b.connect();
    b.actor.send({ type: 'link.lost', at: 0, error: 'x' });
    expect(admissionOf(b.actor.getSnapshot())).toEqual({ admit: false, reason: 'not connected' });
  });
});

describe('backend health region', () => {
  it('probes every interval once connected', () => {
    const b = startBackend({ healthCheck: { enabled: true, intervalMs: 10_000, timeoutMs: 1000 } });
    b.connect();
    b.clock.increment(9_999);
    expect(b.pings).toEqual([]);
    b.clock.increment(1);
    expect(b.pings).toEqual([10_000]);
  });

  it('turns unhealthy after 2 consecutive failed probes and healthy again after 1 success', () => {
    const b = startBackend({ healthCheck: { enabled: true, intervalMs: 10_000, timeoutMs: 1000 } });
    b.connect();
    expect(healthStateOf(b.actor.getSnapshot())).toBe('healthy');
    const probe = (ok: boolean) => {
      b.clock.increment(10_000);
      b.actor.send(
        ok
          ? { type: 'probe.succeeded', at: b.clock.now(), latencyMs: 3 }
          : { type: 'probe.failed', at: b.clock.now(), error: 'timeout' },
      );
    };
    probe(false);
    expect(healthStateOf(b.actor.getSnapshot())).toBe('healthy');
    probe(false);
    expect(healthStateOf(b.actor.getSnapshot())).toBe('unhealthy');
    expect(admissionOf(b.actor.getSnapshot())).toEqual({ admit: false, reason: 'unhealthy' });
    probe(true);
    expect(healthStateOf(b.actor.getSnapshot())).toBe('healthy');
    expect(b.actor.getSnapshot().context.probe.last).toEqual({ at: 30_000, ok: true, latencyMs: 3 });
  });

  it('does not probe when health_check.enabled is false', () => {
    const b = startBackend({ healthCheck: { enabled: false, intervalMs: 10_000, timeoutMs: 1000 } });
    b.connect();
    b.clock.increment(100_000);
    expect(b.pings).toEqual([]);
  });

  it('a probe in half-open is a trial: its success closes the circuit', () => {
    const b = startBackend({
      healthCheck: { enabled: true, intervalMs: 10_000, timeoutMs: 1000 },
      circuitBreaker: { failureThreshold: 1, openMs: 5_000, halfOpenAttempts: 1 },
    });
    b.connect();
    b.fail();
    b.clock.increment(5_000);
    expect(circuitStateOf(b.actor.getSnapshot())).toBe('halfOpen');
    b.clock.increment(5_000); // the probe fires and takes the one permit
    expect(admissionOf(b.actor.getSnapshot()).admit).toBe(false);
    b.actor.send({ type: 'probe.succeeded', at: b.clock.now(), latencyMs: 1 });
    expect(circuitStateOf(b.actor.getSnapshot())).toBe('closed');
  });

  it('a failed probe in half-open opens the circuit again', () => {
    const b = startBackend({
      healthCheck: { enabled: true, intervalMs: 10_000, timeoutMs: 1000 },
      circuitBreaker: { failureThreshold: 1, openMs: 5_000, halfOpenAttempts: 1 },
    });
    b.connect();
    b.fail();
    b.clock.increment(10_000);
    b.actor.send({ type: 'probe.failed', at: b.clock.now(), error: 'timeout' });
    expect(circuitStateOf(b.actor.getSnapshot())).toBe('open');
    expect(b.actor.getSnapshot().context.circuit.openMs).toBe(10_000);
  });

  it('names its three regions as the design says', () => {
    const b = startBackend();
    const root = b.actor.getSnapshot().machine.root;
    expect(root.type).toBe('parallel');
    expect(Object.keys(root.states)).toEqual(['connection', 'health', 'circuit']);
  });
});
