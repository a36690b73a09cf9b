/**
 * The supervisor: spawns one backend actor per configured backend, stops them on removal, and dispatches
 * every request attempt through its `dispatch` child. A dispatch is one event: `request.dispatch` in; the
 * decision (strategy, order, who was skipped and why) becomes the dispatch actor's `last`, and a half-open
 * circuit's trial permit is taken on it (`attempt.started`, which also carries the decision to the chosen
 * backend when an inspector is attached). The inspector shows every dispatch and why it went where it went.
 *
 * The dispatch child is a transition actor (a reducer), not a statechart: deciding is one step with no states
 * to enter or leave, and the statechart algorithm around that step (microsteps, entry and exit sets, eventless
 * transitions, action resolution) cost about 6 us per request, nearly a third of the router's CPU per relayed
 * call, and made garbage that lived long enough to need full collections (CPU profiles under `npm run bench`;
 * stdio at 16 clients went from about 31k to 38k calls/s with the dispatch actor).
 *
 * Pure XState: the routing decision itself is the dispatch placeholder's reducer, provided by src/ (which owns
 * the capability catalog and the pure strategy functions).
 */
import { enqueueActions, fromTransition, setup, type ActorRefFrom, type SnapshotFrom } from 'xstate';
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

export type DispatchEvent = {
  type: 'request.dispatch';
  requestId: string;
  target: RoutedTarget;
  exclude: string[];
  attempt: number;
};

export interface DispatchContext {
  /** Requests decided so far: equally placed backends share the load by it (round robin). */
  turn: number;
  /** The latest decision. */
  last: RouteDecision | null;
}

/** The dispatch actor's logic. A placeholder that decides nothing: src/ provides the real reducer. */
export const dispatchLogic = fromTransition(
  (context: DispatchContext, _event: DispatchEvent): DispatchContext => context,
  { turn: 0, last: null },
);

export type DispatchActorRef = ActorRefFrom<typeof dispatchLogic>;

export interface SupervisorContext {
  backends: Record<string, BackendActorRef>;
  dispatch: DispatchActorRef;
}

export type SupervisorEvent =
  { type: 'backends.add'; backends: BackendMachineInput[] } | { type: 'backends.remove'; names: string[] };

export const supervisorMachine = setup({
  types: {
    context: {} as SupervisorContext,
    events: {} as SupervisorEvent,
  },
  actors: { backend: backendMachine, dispatch: dispatchLogic },
}).createMachine({
  id: 'supervisor',
  // Backend actors are named after their backends (letters, digits, _ . -): the dispatch actor's id is not one.
  context: ({ spawn }) => ({ backends: {}, dispatch: spawn('dispatch', { id: ':dispatch', systemId: ':dispatch' }) }),
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
      },
    },
  },
});

export type SupervisorActorRef = ActorRefFrom<typeof supervisorMachine>;
export type SupervisorSnapshot = SnapshotFrom<typeof supervisorMachine>;
