import type { AnyEventObject } from 'xstate';
import { OutcomeReports } from '../../src/router/outcome-reports';
import type { BackendActorRef } from '../../machines/backend.machine';
import { startBackend } from '../machines/backend-harness';

/** A backend actor (threshold 3, two half-open trials) and the outcome events it receives, in order. */
function backendWithLog() {
  const b = startBackend();
  b.connect();
  const received: AnyEventObject[] = [];
  const send = b.actor.send.bind(b.actor);
  b.actor.send = (event) => {
    if (event.type.startsWith('attempt.')) received.push(event);
    send(event);
  };
  const ref = b.actor as unknown as BackendActorRef;
  const outcome = (type: 'attempt.succeeded' | 'attempt.ignored') => ({
    type,
    epoch: b.epoch(),
    at: b.clock.now(),
    latencyMs: 1,
  });
  const failure = () => ({
    type: 'attempt.failed' as const,
    epoch: b.epoch(),
    at: b.clock.now(),
    latencyMs: 1,
    error: 'boom',
  });
  return { ...b, ref, received, outcome, failure };
}

const circuit = (b: ReturnType<typeof backendWithLog>) => (b.actor.getSnapshot().value as { circuit: string }).circuit;
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('OutcomeReports: every outcome that can change a backend reaches its actor, in order', () => {
  it('sends successes in a row on a closed circuit as one event with their count, once the answers in hand are handled', async () => {
    const b = backendWithLog();
    const reports = new OutcomeReports();
    for (let i = 0; i < 5; i++) reports.report(b.ref, b.outcome('attempt.succeeded'));
    expect(b.received).toHaveLength(0);
    await settle();
    expect(b.received).toEqual([expect.objectContaining({ type: 'attempt.succeeded', count: 5 })]);
  });

  // With or without an inspector (everyOutcome): a success that ends a streak, and every half-open trial, go.
  it.each([true, false])(
    'sends the successes held before a failure first, so a success still ends the failure streak (everyOutcome %s)',
    async (everyOutcome) => {
      const b = backendWithLog();
      const reports = new OutcomeReports(everyOutcome);
      reports.report(b.ref, b.failure());
      reports.report(b.ref, b.failure());
      reports.report(b.ref, b.outcome('attempt.succeeded'));
      reports.report(b.ref, b.failure());
      reports.report(b.ref, b.failure());
      // Threshold 3: the success between the failures reset the streak, so 2 in a row leave it closed.
      expect(circuit(b)).toBe('closed');
      expect(b.received.map((e) => e.type)).toEqual([
        'attempt.failed',
        'attempt.failed',
        'attempt.succeeded',
        'attempt.failed',
        'attempt.failed',
      ]);
      expect(b.actor.getSnapshot().context.circuit.consecutiveFailures).toBe(2);
      await settle();
      expect(b.received).toHaveLength(5);
    },
  );

  it.each([true, false])(
    'holds nothing while the circuit is half-open: each success is a trial (everyOutcome %s)',
    async (everyOutcome) => {
      const b = backendWithLog();
      const reports = new OutcomeReports(everyOutcome);
      for (let i = 0; i < 3; i++) reports.report(b.ref, b.failure());
      expect(circuit(b)).toBe('open');
      b.clock.increment(60_000);
      expect(circuit(b)).toBe('halfOpen');
      b.actor.send({ type: 'attempt.started', requestId: 't1', epoch: b.epoch() });
      b.actor.send({ type: 'attempt.started', requestId: 't2', epoch: b.epoch() });
      reports.report(b.ref, b.outcome('attempt.succeeded'));
      expect(circuit(b)).toBe('halfOpen');
      reports.report(b.ref, b.outcome('attempt.succeeded'));
      // Two trial successes close it at once, without waiting for a batch.
      expect(circuit(b)).toBe('closed');
      await settle();
      expect(b.received.filter((e) => e.type === 'attempt.succeeded')).toHaveLength(2);
    },
  );

  it('keeps backends apart, and an ignored attempt goes at once after the successes held before it', async () => {
    const one = backendWithLog();
    const two = backendWithLog();
    const reports = new OutcomeReports();
    reports.report(one.ref, one.outcome('attempt.succeeded'));
    reports.report(two.ref, two.outcome('attempt.succeeded'));
    reports.report(two.ref, two.outcome('attempt.succeeded'));
    reports.report(one.ref, one.outcome('attempt.ignored'));
    expect(one.received).toEqual([
      expect.objectContaining({ type: 'attempt.succeeded', count: 1 }),
      expect.objectContaining({ type: 'attempt.ignored' }),
    ]);
    expect(two.received).toHaveLength(0);
    await settle();
    expect(two.received).toEqual([expect.objectContaining({ type: 'attempt.succeeded', count: 2 })]);
  });

  describe('without an inspector (everyOutcome off)', () => {
    it('sends no success that would change nothing: a closed circuit with no failure streak', async () => {
      const b = backendWithLog();
      const reports = new OutcomeReports(false);
      const before = b.actor.getSnapshot();
      for (let i = 0; i < 3; i++) reports.report(b.ref, b.outcome('attempt.succeeded'));
      await settle();
      expect(b.received).toHaveLength(0);
      expect(b.actor.getSnapshot()).toBe(before);
    });
  });
});
