import { createActor, type InspectionEvent } from 'xstate';
import type { DispatchRoute } from '../../machines/dispatch-decision';
import { supervisorMachine, type DispatchContext } from '../../machines/supervisor.machine';

/** The real supervisor, with its real dispatch actor (the pure decision): nothing stands in. */
function startSupervisor(inspected: InspectionEvent[] = []) {
  return createActor(supervisorMachine, { inspect: (event) => inspected.push(event) }).start();
}

/** The candidates src/ would carry on the event: two equally placed, connected backends. */
function twoBackends(): DispatchRoute {
  const candidate = (backend: string) => ({
    backend,
    priority: 10,
    inFlight: 0,
    admission: { admit: true as const, epoch: 0 },
  });
  return {
    strategy: 'capability',
    decidedBy: 'default strategy',
    ordering: 'load-sharing',
    candidates: [candidate('a'), candidate('b')],
    skipped: [],
  };
}

describe('supervisor: every request is decided by its dispatch actor', () => {
  it('spawns the dispatch actor, which decides each request in place and keeps the latest decision', () => {
    const supervisor = startSupervisor();
    const dispatch = supervisor.getSnapshot().context.dispatch;
    expect(supervisor.system.get(':dispatch')).toBe(dispatch);
    dispatch.send({
      type: 'request.dispatch',
      requestId: 'r1',
      target: { method: 'tools/call', name: 'echo' },
      exclude: [],
      attempt: 0,
      route: twoBackends(),
    });
    expect(dispatch.getSnapshot().context).toMatchObject({ turn: 1, last: { requestId: 'r1', backend: 'a' } });
    dispatch.send({
      type: 'request.dispatch',
      requestId: 'r1',
      target: { method: 'tools/call', name: 'echo' },
      exclude: ['a'],
      attempt: 1,
      route: twoBackends(),
    });
    expect(dispatch.getSnapshot().context).toMatchObject({
      turn: 2,
      last: { requestId: 'r1', backend: 'b', skipped: [{ backend: 'a', reason: 'already tried for this request' }] },
    });
    // The turn is the actor's own state: fresh requests take the two backends in turn (round robin).
    const fresh = (requestId: string) => {
      dispatch.send({
        type: 'request.dispatch',
        requestId,
        target: { method: 'tools/call', name: 'echo' },
        exclude: [],
        attempt: 0,
        route: twoBackends(),
      });
      return dispatch.getSnapshot().context.last?.backend;
    };
    expect([fresh('r2'), fresh('r3'), fresh('r4')]).toEqual(['a', 'b', 'a']);
    expect(dispatch.getSnapshot().context.turn).toBe(5);
  });

  it('shows the inspector every dispatch and the decision it led to', () => {
    const inspected: InspectionEvent[] = [];
    const supervisor = startSupervisor(inspected);
    supervisor.getSnapshot().context.dispatch.send({
      type: 'request.dispatch',
      requestId: 'r7',
      target: { method: 'tools/call', name: 'echo' },
      exclude: [],
      attempt: 0,
      route: twoBackends(),
    });
    const dispatch = supervisor.getSnapshot().context.dispatch;
    const dispatched = inspected.filter((e) => e.type === '@xstate.event' && e.event.type === 'request.dispatch');
    expect(dispatched).toHaveLength(1);
    expect(dispatched[0]!.actorRef).toBe(dispatch);
    const snapshots = inspected.filter(
      (e): e is Extract<InspectionEvent, { type: '@xstate.snapshot' }> =>
        e.type === '@xstate.snapshot' && e.actorRef === dispatch,
    );
    expect((snapshots.at(-1)!.snapshot as unknown as { context: DispatchContext }).context.last).toMatchObject({
      requestId: 'r7',
      backend: 'a',
    });
  });

  it('decides nothing once the supervisor has stopped', () => {
    const supervisor = startSupervisor();
    const dispatch = supervisor.getSnapshot().context.dispatch;
    supervisor.stop();
    expect(dispatch.getSnapshot().status).toBe('active');
    dispatch.send({
      type: 'request.dispatch',
      requestId: 'late',
      target: { method: 'tools/call', name: 'echo' },
      exclude: [],
      attempt: 0,
      route: twoBackends(),
    });
    expect(dispatch.getSnapshot().context.last).toBeNull();
  });

  it('keeps the dispatch actor apart from a backend named "dispatch"', () => {
    const supervisor = startSupervisor();
    const dispatch = supervisor.getSnapshot().context.dispatch;
    const input = {
      name: 'dispatch',
      namespace: 'dispatch',
      priority: 10,
      transport: 'stdio' as const,
      healthCheck: { enabled: false, intervalMs: 30_000, timeoutMs: 5_000 },
      circuitBreaker: { failureThreshold: 3, openMs: 60_000, halfOpenAttempts: 1 },
      jitter: 0,
      autoStart: false,
    };
    supervisor.send({ type: 'backends.add', backends: [input] });
    expect(supervisor.getSnapshot().context.backends.dispatch).not.toBe(dispatch);
    supervisor.stop();
    dispatch.send({
      type: 'request.dispatch',
      requestId: 'late',
      target: { method: 'tools/call', name: 'echo' },
      exclude: [],
      attempt: 0,
      route: twoBackends(),
    });
    expect(dispatch.getSnapshot().context.last).toBeNull();
  });
});
