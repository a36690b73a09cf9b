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
 * Pure XState: the reducer runs the pure dispatch decision (dispatch-decision.ts) on the candidates src/ builds
 * per request and carries on the event (it owns the catalog, the backends' live state and the configuration's
 * route patterns); the actor's own state is the round-robin turn and the latest decision. src/ performs what
 * follows from a decision (a half-open trial permit, `attempt.started`).
 */
import { enqueueActions, fromTransition, setup, type ActorRefFrom, type SnapshotFrom } from 'xstate';
import { backendMachine, type BackendActorRef, type BackendMachineInput } from './backend.machine';
import { decideDispatch, type DispatchRoute } from './dispatch-decision';

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
  /** With no backend chosen: actors refused only for the moment (reconnecting, half-open with no permit free). */
  waitFor?: string[];
}

export type DispatchEvent = {
  type: 'request.dispatch';
  requestId: string;
  target: RoutedTarget;
  /** Actors already tried for this request. */
  exclude: readonly string[];
  attempt: number;
  /** The candidates and the route the configuration selects for the name, built by src/ for this attempt. */
  route: DispatchRoute;
};

export interface DispatchContext {
  /** Requests decided so far: equally placed backends share the load by it (round robin). */
  turn: number;
  /** The latest decision. */
  last: RouteDecision | null;
}

/** One dispatch: the decision becomes `last`, and the turn advances (round robin among equals). */
export function dispatchReducer(context: DispatchContext, event: DispatchEvent): DispatchContext {
  // XState hands a transition actor its own xstate.stop too (when the supervisor stops): nothing to decide.
  if (event.type !== 'request.dispatch') return context;
  const { route } = event;
  const choice = decideDispatch(route, event.exclude, context.turn);
  const chosen = choice.chosen;
  const last: RouteDecision = {
    requestId: event.requestId,
    strategy: route.strategy,
    backend: chosen ? (chosen.actor ?? chosen.backend) : null,
    epoch: chosen && chosen.admission.admit ? chosen.admission.epoch : -1,
    order: choice.order,
    skipped: choice.skipped,
  };
  // Set only when someone is worth waiting for: the common decision is built without a spread.
  if (choice.waitFor) last.waitFor = choice.waitFor;
  return { turn: context.turn + 1, last };
}

/** The dispatch actor's logic: a transition actor running the pure reducer. */
export const dispatchLogic = fromTransition(dispatchReducer, { turn: 0, last: null });

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
