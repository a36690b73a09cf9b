import { createActor, fromCallback, SimulatedClock } from 'xstate';
import { backendMachine, type BackendMachineInput } from '../../machines/backend.machine';

/** A backend actor with its effects replaced by counters, on a simulated clock. */
export function startBackend(overrides: Partial<BackendMachineInput> = {}) {
  const clock = new SimulatedClock();
  const pings: number[] = [];
  let links = 0;
  const machine = backendMachine.provide({
    actors: {
      link: fromCallback(() => {
        links += 1;
        return () => {};
      }),
      ping: fromCallback(() => {
        pings.push(clock.now());
        return () => {};
      }),
    },
  });
  const input: BackendMachineInput = {
    name: 'b1',
    namespace: 'b1',
    priority: 10,
    transport: 'stdio',
    healthCheck: { enabled: true, intervalMs: 30_000, timeoutMs: 5_000 },
    circuitBreaker: { failureThreshold: 3, openMs: 60_000, halfOpenAttempts: 2 },
    jitter: 0,
    ...overrides,
  };
  const actor = createActor(machine, { input, clock });
  actor.start();
  const caps = { tools: 1, resources: 0, resourceTemplates: 0, prompts: 0 };
  const connect = () => {
    actor.send({ type: 'backend.start' });
    actor.send({ type: 'link.connected', at: clock.now(), capabilities: caps });
  };
  const epoch = () => actor.getSnapshot().context.circuit.epoch;
  const fail = (error = 'boom') => {
    const e = epoch();
    actor.send({ type: 'attempt.started', requestId: 'r', epoch: e });
    actor.send({ type: 'attempt.failed', epoch: e, at: clock.now(), latencyMs: 1, error });
  };
  const succeed = () => {
    const e = epoch();
    actor.send({ type: 'attempt.started', requestId: 'r', epoch: e });
    actor.send({ type: 'attempt.succeeded', epoch: e, at: clock.now(), latencyMs: 1 });
  };
  return { actor, clock, pings, links: () => links, connect, fail, succeed, epoch };
}
