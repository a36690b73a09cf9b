/**
 * The real dispatcher, the real supervisor and backend statecharts, on a simulated clock; only the links are
 * fakes whose calls the test answers (or breaks) by hand. Backends are put in the states a test needs with the
 * events their link actor would send.
 */
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { createActor, fromCallback, SimulatedClock, type EventObject } from 'xstate';
import { backendMachine, type BackendMachineInput } from '../../machines/backend.machine';
import { admissionOf, connectionStateOf } from '../../machines/backend.selectors';
import { supervisorMachine } from '../../machines/supervisor.machine';
import type { DispatchRoute } from '../../machines/dispatch-decision';
import type { BackendLink } from '../../src/backends/open-link';
import type { RoutingSettings } from '../../src/config/types';
import { silentLogger } from '../../src/logging/logger';
import { Dispatcher, type ForwardOptions } from '../../src/router/dispatcher';
import { refusedForNow } from '../../src/router/route-candidates';
import { testRouting } from '../helpers/config';

export interface PendingCall {
  backend: string;
  method: string;
  resolve(result: Record<string, unknown>): void;
  reject(error: unknown): void;
}

const CAPS = { tools: 1, resources: 0, resourceTemplates: 0, prompts: 0 };

function candidateState(snapshot: Parameters<typeof admissionOf>[0]) {
  const admission = admissionOf(snapshot);
  return { admission, soon: refusedForNow(snapshot, admission) };
}

export function startDispatcher(
  names: string[],
  options: { routing?: Partial<RoutingSettings>; circuit?: Partial<BackendMachineInput['circuitBreaker']> } = {},
) {
  const clock = new SimulatedClock();
  const idle = () => fromCallback<EventObject, any>(() => () => {});
  const machine = supervisorMachine.provide({
    actors: { backend: backendMachine.provide({ actors: { link: idle(), ping: idle() } }) },
  });
  const supervisor = createActor(machine, { clock }).start();
  supervisor.send({
    type: 'backends.add',
    backends: names.map((name) => ({
      name,
      namespace: 'svc',
      priority: 10,
      transport: 'stdio' as const,
      healthCheck: { enabled: false, intervalMs: 30_000, timeoutMs: 5_000 },
      circuitBreaker: { failureThreshold: 50, openMs: 5_000, halfOpenAttempts: 1, ...options.circuit },
      jitter: 0,
    })),
  });
  const ref = (name: string) => supervisor.getSnapshot().context.backends[name]!;
  const links = new Map<string, BackendLink>();
  /** Every call sent to a backend, in order, answered or not. */
  const calls: PendingCall[] = [];
  const pending = () => calls.filter((c) => !(c as { settled?: boolean }).settled);

  const fakeLink = (backend: string): BackendLink =>
    ({
      pid: null,
      transport: 'stdio',
      capabilities: {},
      serverInfo: undefined,
      protocolVersion: '2025-11-25',
      era: 'legacy',
      discoverResult: undefined,
      client: undefined as never,
      setLogLevel: async () => {},
      listsTtlMs: undefined,
      listen: async () => {},
      reinitialize: async () => {},
      close: async () => {},
      call: (method: string) =>
        new Promise<Record<string, unknown>>((resolve, reject) => {
          const call = {
            backend,
            method,
            settled: false,
            resolve: (r: Record<string, unknown>) => ((call.settled = true), resolve(r)),
            reject: (e: unknown) => ((call.settled = true), reject(e)),
          };
          calls.push(call);
        }),
    }) as BackendLink;

  /** The link comes up; a backend that lost its link first waits out its reconnect backoff (stepped here). */
  const connect = (name: string) => {
    for (let i = 0; i < 300 && connectionStateOf(ref(name).getSnapshot()) === 'reconnecting'; i++) clock.increment(100);
    links.set(name, fakeLink(name));
    ref(name).send({ type: 'link.connected', at: clock.now(), capabilities: CAPS });
  };
  /** The connection ends under the calls in flight on it: they fail with the SDK's "Connection closed". */
  const kill = (name: string) => {
    links.delete(name);
    ref(name).send({ type: 'link.lost', at: clock.now(), error: 'Connection closed' });
    for (const call of pending()) if (call.backend === name) call.reject(new McpError(-32000, 'Connection closed'));
  };

  const settings: RoutingSettings = { ...testRouting, requestTimeoutSeconds: 30, ...options.routing };
  const dispatcher = new Dispatcher({
    clock,
    logger: silentLogger(),
    settings: () => settings,
    dispatch: () => supervisor.getSnapshot().context.dispatch,
    routeFor: (): DispatchRoute => ({
      strategy: 'capability',
      decidedBy: 'default strategy',
      ordering: 'load-sharing',
      candidates: names.map((backend) => ({
        backend,
        priority: 10,
        inFlight: 0,
        ...candidateState(ref(backend).getSnapshot()),
      })),
      skipped: [],
    }),
    linkOf: (name) => links.get(name),
    backendRef: (name) => supervisor.getSnapshot().context.backends[name],
    // No jitter: a same-backend retry's backoff is 0 ms on the simulated clock.
    random: () => 0,
  });

  const call = (tool: string, readOnly: boolean, forward: Partial<ForwardOptions> = {}) => {
    const promise = dispatcher.forward(
      { method: 'tools/call', name: `svc__${tool}` },
      { paramsFor: () => ({ name: tool }), retrySafe: () => readOnly, ...forward },
    );
    const state = {
      outcome: 'pending' as 'pending' | 'ok' | 'failed',
      error: undefined as Error | undefined,
      result: undefined as unknown,
    };
    promise.then(
      (r) => ((state.outcome = 'ok'), (state.result = r)),
      (e: Error) => ((state.outcome = 'failed'), (state.error = e)),
    );
    return state;
  };

  /** Lets the promise jobs the last step started run (answers, reports, re-routes), then steps zero-ms timers. */
  const settle = async () => {
    for (let i = 0; i < 20; i++) {
      await Promise.resolve();
      clock.increment(0);
    }
  };

  return { clock, supervisor, ref, dispatcher, connect, kill, calls, pending, call, settle };
}
