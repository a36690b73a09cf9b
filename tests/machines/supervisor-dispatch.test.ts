import { createActor, fromTransition, type InspectionEvent } from 'xstate';
import { supervisorMachine, type DispatchContext, type DispatchEvent } from '../../machines/supervisor.machine';

/** A supervisor whose dispatch decides by a stand-in strategy: the first backend the request does not exclude. */
function startSupervisor(inspected: InspectionEvent[] = []) {
  const decide = (context: DispatchContext, event: DispatchEvent): DispatchContext => {
    if (event.type !== 'request.dispatch') return context;
    const backend = ['a', 'b'].find((name) => !event.exclude.includes(name)) ?? null;
    return {
      turn: context.turn + 1,
      last: { requestId: event.requestId, strategy: 'test', backend, epoch: 0, order: ['a', 'b'], skipped: [] },
    };
  };
  const machine = supervisorMachine.provide({ actors: { dispatch: fromTransition(decide, { turn: 0, last: null }) } });
  const supervisor = createActor(machine, { inspect: (event) => inspected.push(event) }).start();
  return supervisor;
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
    });
    expect(dispatch.getSnapshot().context).toMatchObject({ turn: 1, last: { requestId: 'r1', backend: 'a' } });
    dispatch.send({
      type: 'request.dispatch',
      requestId: 'r1',
      target: { method: 'tools/call', name: 'echo' },
      exclude: ['a'],
      attempt: 1,
    });
    expect(dispatch.getSnapshot().context).toMatchObject({ turn: 2, last: { requestId: 'r1', backend: 'b' } });
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
    });
    const dispatch = supervisor.getSnapshot().context.dispatch;
    const dispatched = inspected.filter((e) => e.type === '@xstate.event' && e.event.type === 'request.dispatch');
    expect(dispatched).toHaveLength(1);
    expect(dispatched[0].actorRef).toBe(dispatch);
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
    });
    expect(dispatch.getSnapshot().context.last).toBeNull();
  });
});
