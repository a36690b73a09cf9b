import { admissionOf, circuitStateOf } from '../../machines/backend.selectors';
import { startBackend } from './backend-harness';

describe('backend circuit breaker', () => {
  it('stays closed at threshold - 1 consecutive failures and opens at the threshold', () => {
    const b = startBackend();
    b.connect();
    b.fail();
    b.fail();
    expect(circuitStateOf(b.actor.getSnapshot())).toBe('closed');
    b.fail();
    expect(circuitStateOf(b.actor.getSnapshot())).toBe('open');
    expect(admissionOf(b.actor.getSnapshot())).toEqual({ admit: false, reason: 'circuit open' });
  });

  it('a success resets the consecutive failure count', () => {
    const b = startBackend();
    b.connect();
    b.fail();
    b.fail();
    b.succeed();
    b.fail();
    b.fail();
    expect(circuitStateOf(b.actor.getSnapshot())).toBe('closed');
  });

  it('is still open one millisecond before the open time and half-open at it', () => {
    const b = startBackend();
    b.connect();
    b.fail();
    b.fail();
    b.fail();
    b.clock.increment(59_999);
    expect(circuitStateOf(b.actor.getSnapshot())).toBe('open');
    b.clock.increment(1);
    expect(circuitStateOf(b.actor.getSnapshot())).toBe('halfOpen');
  });

  it('half-open admits exactly half_open_attempts trials at once', () => {
    const b = startBackend();
    b.connect();
    for (let i = 0; i < 3; i++) b.fail();
    b.clock.increment(60_000);
    const admitted: boolean[] = [];
    for (let i = 0; i < 3; i++) {
      const a = admissionOf(b.actor.getSnapshot());
      admitted.push(a.admit);
      if (a.admit) b.actor.send({ type: 'attempt.started', requestId: `t${i}`, epoch: a.epoch });
    }
    expect(admitted).toEqual([true, true, false]);
  });

  it('closes after half_open_attempts trial successes and resets the counters', () => {
    const b = startBackend();
    b.connect();
    for (let i = 0; i < 3; i++) b.fail();
    b.clock.increment(60_000);
    b.succeed();
    expect(circuitStateOf(b.actor.getSnapshot())).toBe('halfOpen');
    b.succeed();
    expect(circuitStateOf(b.actor.getSnapshot())).toBe('closed');
    expect(b.actor.getSnapshot().context.circuit.consecutiveFailures).toBe(0);
  });

  it('any trial failure opens it again, doubling the open time up to ten times the base', () => {
    const b = startBackend();
    b.connect();
    for (let i = 0; i < 3; i++) b.fail();
    const openTimes: number[] = [b.actor.getSnapshot().context.circuit.openMs];
    for (let trip = 0; trip < 5; trip++) {
      b.clock.increment(b.actor.getSnapshot().context.circuit.openMs);
      expect(circuitStateOf(b.actor.getSnapshot())).toBe('halfOpen');
      b.fail();
      expect(circuitStateOf(b.actor.getSnapshot())).toBe('open');
      openTimes.push(b.actor.getSnapshot().context.circuit.openMs);
    }
    expect(openTimes).toEqual([60_000, 120_000, 240_000, 480_000, 600_000, 600_000]);
  });

  it('ignored outcomes change nothing but give back a half-open permit', () => {
    const b = startBackend();
    b.connect();
    b.fail();
    b.fail();
    const e = b.epoch();
    b.actor.send({ type: 'attempt.started', requestId: 'x', epoch: e });
    b.actor.send({ type: 'attempt.ignored', epoch: e, at: 0, latencyMs: 1 });
    expect(b.actor.getSnapshot().context.circuit.consecutiveFailures).toBe(2);
    b.fail();
    b.clock.increment(60_000);
    const first = admissionOf(b.actor.getSnapshot());
    if (!first.admit) throw new Error('expected a permit');
    b.actor.send({ type: 'attempt.started', requestId: 'a', epoch: first.epoch });
    b.actor.send({ type: 'attempt.started', requestId: 'b', epoch: first.epoch });
    expect(admissionOf(b.actor.getSnapshot()).admit).toBe(false);
    b.actor.send({ type: 'attempt.ignored', epoch: first.epoch, at: 0, latencyMs: 1 });
    expect(admissionOf(b.actor.getSnapshot()).admit).toBe(true);
    expect(circuitStateOf(b.actor.getSnapshot())).toBe('halfOpen');
  });

  it('a late outcome from an earlier half-open round does not count for the current one', () => {
    const b = startBackend({ circuitBreaker: { failureThreshold: 1, openMs: 1000, halfOpenAttempts: 2 } });
    b.connect();
    b.fail();
    b.clock.increment(1000);
    const stale = b.epoch();
    b.actor.send({ type: 'attempt.started', requestId: 'slow', epoch: stale });
    b.fail(); // the other trial fails: open again
    expect(circuitStateOf(b.actor.getSnapshot())).toBe('open');
    b.clock.increment(2000);
    expect(circuitStateOf(b.actor.getSnapshot())).toBe('halfOpen');
    b.actor.send({ type: 'attempt.succeeded', epoch: stale, at: b.clock.now(), latencyMs: 5 });
    expect(b.actor.getSnapshot().context.circuit.trialSuccesses).toBe(0);
    expect(b.actor.getSnapshot().context.circuit.trialsInFlight).toBe(0);
  });

  it('a fresh connection while open goes to half-open at once (a respawned backend gets its trial)', () => {
    const b = startBackend();
    b.connect();
    for (let i = 0; i < 3; i++) b.fail();
    b.actor.send({ type: 'link.lost', at: 0, error: 'child exited' });
    b.clock.increment(b.actor.getSnapshot().context.link.reconnectDelayMs);
    b.actor.send({
      type: 'link.connected',
      at: b.clock.now(),
      capabilities: { tools: 1, resources: 0, resourceTemplates: 0, prompts: 0 },
    });
    expect(circuitStateOf(b.actor.getSnapshot())).toBe('halfOpen');
    b.succeed();
    b.succeed();
    expect(circuitStateOf(b.actor.getSnapshot())).toBe('closed');
  });

  it('applies jitter within its bound to the open time', () => {
    const b = startBackend({ jitter: 0.1, seed: 42 });
    b.connect();
    for (let i = 0; i < 3; i++) b.fail();
    const { openMs } = b.actor.getSnapshot().context.circuit;
    expect(openMs).toBeGreaterThanOrEqual(60_000);
    expect(openMs).toBeLessThanOrEqual(66_000);
  });
});
