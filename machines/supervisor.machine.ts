/**
 * The supervisor: spawns one backend actor per configured backend, stops them on removal, and dispatches
 * every request attempt. A dispatch is one transition: `request.dispatch` in; out go `request.routed` for
 * the dispatcher and `attempt.started` to the chosen backend, carrying the decision (strategy, order, who was
 * skipped and why): the inspector shows why each request went where it went, and a half-open circuit hands
 * out its trial permits on it. (src/ sends attempt.started only when either is the case: to a closed circuit
 * with no inspector attached it would change nothing.) Nothing is assigned per request: a dispatch costs no
 * context copy.
 *
 * Pure XState: the routing decision itself is the `routeRequest` placeholder, provided by src/ (which owns the
 * capability catalog and the pure strategy functions).
 */
import { enqueueActions, setup, type ActorRefFrom, type SnapshotFrom } from 'xstate';
import { backendMachine, type BackendActorRef, type BackendMachineInput } from './backend.machine';

export interface RoutedTarget {
  /** tools/call, prompts/get, resources/read, ... */
  method: string;
  /** The name or URI as the client sent it. */
  name: string;
  /** The client session asking: a backend with `session: per-client` is served by that session's own instance. */
  session?: string;
}

/** A routing decision, as shown in the inspector and returned to the dispatcher. */
export interface RouteDecision {
  requestId: string;
  strategy: string;
  /** The backend this attempt goes to, or null when none is left. */
  backend: string | null;
  /** Circuit epoch at admission, echoed on the attempt's outcome. */
  epoch: number;
  /** The candidates in the order the strategy put them. */
  order: string[];
  skipped: { backend: string; reason: string }[];
}

export interface SupervisorContext {
  backends: Record<string, BackendActorRef>;
}

export type SupervisorEvent =
  | { type: 'backends.add'; backends: BackendMachineInput[] }
  | { type: 'backends.remove'; names: string[] }
  | { type: 'request.dispatch'; requestId: string; target: RoutedTarget; exclude: string[]; attempt: number };

export type SupervisorEmitted = { type: 'request.routed'; decision: RouteDecision };

export const supervisorMachine = setup({
  types: {
    context: {} as SupervisorContext,
    events: {} as SupervisorEvent,
    emitted: {} as SupervisorEmitted,
  },
  actors: { backend: backendMachine },
  actions: {
    /**
     * Decides one attempt: sends attempt.started (with the decision) to the chosen backend and emits
     * request.routed. Provided by src/ (it needs the catalog).
     */
    routeRequest: () => {},
  },
}).createMachine({
  id: 'supervisor',
  context: { backends: {} },
  initial: 'running',
  states: {
    running: {
      on: {
        'backends.add': {
          actions: enqueueActions(({ context, event, enqueue }) => {
            for (const input of event.backends) {
              if (context.backends[input.name]) continue;
              enqueue.assign({
                backends: ({ context: current, spawn }) => ({
                  ...current.backends,
                  [input.name]: spawn('backend', { id: input.name, systemId: `backend:${input.name}`, input }),
                }),
              });
              if (input.autoStart !== false) enqueue.sendTo(input.name, { type: 'backend.start' });
            }
          }),
        },
        // src/ drains a backend (no new requests, in-flight ones answered) before it asks for its removal.
        'backends.remove': {
          actions: enqueueActions(({ context, event, enqueue }) => {
            for (const name of event.names) {
              const ref = context.backends[name];
              if (!ref) continue;
              enqueue.stopChild(ref);
              enqueue.assign({
                backends: ({ context: current }) => {
                  const next = { ...current.backends };
                  delete next[name];
                  return next;
                },
              });
            }
          }),
        },
        'request.dispatch': { actions: 'routeRequest' },
      },
    },
  },
});

export type SupervisorActorRef = ActorRefFrom<typeof supervisorMachine>;
export type SupervisorSnapshot = SnapshotFrom<typeof supervisorMachine>;
