/**
 * The statechart of one backend: three parallel regions.
 *
 *   connection  idle → online.connecting → online.connected ⇄ reconnecting, stopped
 *   health      status: unknown → healthy ⇄ unhealthy, driven by the probe sub-region (ping on a timer)
 *   circuit     closed → open → halfOpen → closed | open
 *
 * Pure XState: effects are named placeholders (`link`, `ping`) that src/ provides. The live SDK client lives
 * inside the `link` callback actor, never in context, so every snapshot can be shown in the inspector.
 * Timestamps arrive on events (`at`), delays run on the actor system's clock: a SimulatedClock drives it all
 * in tests.
 */
import { assign, fromCallback, raise, setup, type ActorRefFrom, type SnapshotFrom } from 'xstate';
import { nextRandom } from './random';

export interface BackendMachineInput {
  name: string;
  namespace: string;
  priority: number;
  /** Shown in the inspector and management tools; never a URL with credentials or a command's env. */
  transport: string;
  healthCheck: { enabled: boolean; intervalMs: number; timeoutMs: number };
  circuitBreaker: { failureThreshold: number; openMs: number; halfOpenAttempts: number };
  reconnect?: { baseMs: number; maxMs: number };
  /** Fraction of a delay added at random (0 for exact tests). */
  jitter?: number;
  /** Seed of the context's PRNG, so jittered runs can be replayed. */
  seed?: number;
  /** false: the supervisor spawns it but leaves it idle (the original router's `auto_start: false`). */
  autoStart?: boolean;
}

export type CircuitState = 'closed' | 'open' | 'halfOpen';
export type HealthState = 'unknown' | 'healthy' | 'unhealthy';
export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'stopped';

/** What a connected backend offers, as counts (the lists themselves live in the catalog). */
export interface CapabilityCounts {
  tools: number;
  resources: number;
  resourceTemplates: number;
  prompts: number;
}

/**
 * Grouped, not flat: XState copies the context with Object.assign on every assign, and V8 turns an object
 * built that way with more than about 16 properties into a slow dictionary. Flat, this context had 31 and
 * every request's two events cost 15 µs each; grouped, they cost a fraction of that.
 */
export interface BackendContext {
  name: string;
  /** From the input; never changes. */
  settings: {
    namespace: string;
    priority: number;
    transport: string;
    healthCheck: BackendMachineInput['healthCheck'];
    circuitBreaker: BackendMachineInput['circuitBreaker'];
    reconnect: { baseMs: number; maxMs: number };
    jitter: number;
  };
  rng: number;
  link: {
    connectAttempts: number;
    reconnectDelayMs: number;
    connectedAt: number | null;
    capabilities: CapabilityCounts | null;
    serverInfo: { name: string; version: string } | null;
    /** Failed connection attempts in a row with the same `failure` (reset when one connects). */
    sameFailures: number;
    lastFailure: string | null;
    /**
     * The failure will not heal by retrying (command not found; the same failure SAME_FAILURES_TO_GIVE_UP
     * times in a row): retries slow to the longest delay, and lastError says so.
     */
    hopeless: boolean;
  };
  probe: {
    consecutiveFailures: number;
    last: { at: number; ok: boolean; latencyMs?: number; error?: string } | null;
    /** True while the running probe holds a half-open permit. */
    isTrial: boolean;
  };
  circuit: {
    consecutiveFailures: number;
    /** Bumped on every circuit state change; outcomes of attempts admitted in another epoch count as stale. */
    epoch: number;
    /** Consecutive trips without a close in between (0 for the first trip). */
    tripStreak: number;
    openMs: number;
    openedAt: number | null;
    nextAttemptAt: number | null;
    trialsInFlight: number;
    trialSuccesses: number;
  };
  /**
   * Attempts that failed, in all. Requests in flight, counts and latency are not kept here: they change on
   * every request, and the breaker does not decide by them (src/router/traffic.ts keeps them).
   */
  failures: number;
  lastError: { message: string; at: number } | null;
}

export type AttemptOutcomeEvent =
  /**
   * `count` successes in a row (1 when absent), reported together: src/ sends a closed circuit's successes
   * once per batch of answers. `at` and `latencyMs` are the last one's.
   */
  | { type: 'attempt.succeeded'; epoch: number; at: number; latencyMs: number; count?: number }
  | { type: 'attempt.failed'; epoch: number; at: number; latencyMs: number; error: string }
  /** Not the backend's fault (tool isError, invalid params, client cancelled): counts nothing, frees a permit. */
  | { type: 'attempt.ignored'; epoch: number; at: number; latencyMs: number };

export type BackendEvent =
  | { type: 'backend.start' }
  | { type: 'backend.stop' }
  | {
      type: 'link.connected';
      at: number;
      capabilities: CapabilityCounts;
      serverInfo?: { name: string; version: string };
    }
  /**
   * `permanent`: retrying the same thing cannot help (the command does not exist). `failure`: what stays the
   * same when one failure repeats (no stderr, no pid), to tell a backend that fails the same way every time.
   */
  | { type: 'link.failed'; at: number; error: string; permanent?: boolean; failure?: string }
  | { type: 'link.lost'; at: number; error: string }
  | { type: 'capabilities.updated'; capabilities: CapabilityCounts }
  /** `why` is the supervisor's decision, for the inspector: the machine does not read it. */
  | {
      type: 'attempt.started';
      requestId: string;
      epoch: number;
      why?: { strategy: string; order: string[]; skipped: { backend: string; reason: string }[] };
    }
  | AttemptOutcomeEvent
  | { type: 'probe.started' }
  | { type: 'probe.succeeded'; at: number; latencyMs: number }
  | { type: 'probe.failed'; at: number; error: string };

const DEFAULT_RECONNECT = { baseMs: 500, maxMs: 30_000 };
/** An open circuit's duration doubles per re-trip up to this many times the base. */
const MAX_OPEN_FACTOR = 10;
/** A backend that fails to connect this many times in a row in the same way is not retried at the usual pace. */
export const SAME_FAILURES_TO_GIVE_UP = 3;
/** Unhealthy after this many consecutive failed probes. */
export const PROBE_FAILURES_TO_UNHEALTHY = 2;

function jittered(context: BackendContext, ms: number): { ms: number; rng: number } {
  const { value, state } = nextRandom(context.rng);
  return { ms: Math.round(ms * (1 + context.settings.jitter * value)), rng: state };
}

/** The circuit's counters with some changed (the same object back when nothing changes: no copy per request). */
function circuitWith(
  context: BackendContext,
  change: Partial<BackendContext['circuit']>,
): { circuit: BackendContext['circuit'] } {
  return { circuit: { ...context.circuit, ...change } };
}

function probeWith(
  context: BackendContext,
  change: Partial<BackendContext['probe']>,
): { probe: BackendContext['probe'] } {
  return { probe: { ...context.probe, ...change } };
}

export const backendMachine = setup({
  types: {
    context: {} as BackendContext,
    events: {} as BackendEvent,
    input: {} as BackendMachineInput,
  },
  actors: {
    /** Owns the live connection: connects, sends link.connected / link.failed / link.lost, closes on stop. */
    link: fromCallback<{ type: string }, { name: string }>(() => () => {}),
    /**
     * One MCP ping bounded by timeoutMs on the system's clock; reports probe.succeeded or probe.failed.
     * Stopped (and so aborted) when the backend leaves the probing state.
     */
    ping: fromCallback<{ type: string }, { name: string; timeoutMs: number }>(() => () => {}),
  },
  delays: {
    reconnectDelay: ({ context }) => context.link.reconnectDelayMs,
    probeInterval: ({ context }) => context.settings.healthCheck.intervalMs,
    openDuration: ({ context }) => context.circuit.openMs,
  },
  guards: {
    inFailureStreak: ({ context }) => context.circuit.consecutiveFailures > 0,
    trialPermitFree: ({ context }) => context.circuit.trialsInFlight < context.settings.circuitBreaker.halfOpenAttempts,
    probingEnabled: ({ context }) => context.settings.healthCheck.enabled,
    failureReachesThreshold: ({ context }) =>
      context.circuit.consecutiveFailures + 1 >= context.settings.circuitBreaker.failureThreshold,
    probeFailuresReachUnhealthy: ({ context }) => context.probe.consecutiveFailures + 1 >= PROBE_FAILURES_TO_UNHEALTHY,
    isCurrentTrial: ({ context, event }) => 'epoch' in event && event.epoch === context.circuit.epoch,
    isCurrentTrialCompletingClose: ({ context, event }) =>
      'epoch' in event &&
      event.epoch === context.circuit.epoch &&
      context.circuit.trialSuccesses + 1 >= context.settings.circuitBreaker.halfOpenAttempts,
    probeIsTrial: ({ context }) => context.probe.isTrial,
    probeTrialCompletesClose: ({ context }) =>
      context.probe.isTrial && context.circuit.trialSuccesses + 1 >= context.settings.circuitBreaker.halfOpenAttempts,
  },
  actions: {
    recordFailure: assign(({ context, event }) =>
      event.type === 'attempt.failed'
        ? { failures: context.failures + 1, lastError: { message: event.error, at: event.at } }
        : {},
    ),
    /** A success ends a failure streak. (With none, a success changes nothing here: no copy per request.) */
    resetFailureStreak: assign(({ context }) => circuitWith(context, { consecutiveFailures: 0 })),
    countFailure: assign(({ context }) =>
      circuitWith(context, { consecutiveFailures: context.circuit.consecutiveFailures + 1 }),
    ),
    takeTrialPermit: assign(({ context }) =>
      circuitWith(context, { trialsInFlight: context.circuit.trialsInFlight + 1 }),
    ),
    returnTrialPermit: assign(({ context }) =>
      circuitWith(context, { trialsInFlight: Math.max(0, context.circuit.trialsInFlight - 1) }),
    ),
    countTrialSuccess: assign(({ context }) =>
      circuitWith(context, {
        trialsInFlight: Math.max(0, context.circuit.trialsInFlight - 1),
        trialSuccesses: context.circuit.trialSuccesses + 1,
      }),
    ),
    enterOpen: assign(({ context, event }) => {
      const base = context.settings.circuitBreaker.openMs;
      const unjittered = Math.min(base * 2 ** context.circuit.tripStreak, base * MAX_OPEN_FACTOR);
      const { ms, rng } = jittered(context, unjittered);
      const at = 'at' in event ? event.at : (context.lastError?.at ?? 0);
      return {
        rng,
        ...circuitWith(context, {
          openMs: ms,
          openedAt: at,
          nextAttemptAt: at + ms,
          epoch: context.circuit.epoch + 1,
          trialsInFlight: 0,
          trialSuccesses: 0,
        }),
        ...probeWith(context, { isTrial: false }),
      };
    }),
    /** Leaving half-open for open again: the next open period is longer. */
    countReTrip: assign(({ context }) => circuitWith(context, { tripStreak: context.circuit.tripStreak + 1 })),
    enterHalfOpen: assign(({ context }) => ({
      ...circuitWith(context, { epoch: context.circuit.epoch + 1, trialsInFlight: 0, trialSuccesses: 0 }),
      ...probeWith(context, { isTrial: false }),
    })),
    enterClosed: assign(({ context }) => ({
      ...circuitWith(context, {
        epoch: context.circuit.epoch + 1,
        consecutiveFailures: 0,
        tripStreak: 0,
        openedAt: null,
        nextAttemptAt: null,
        trialsInFlight: 0,
        trialSuccesses: 0,
      }),
      ...probeWith(context, { isTrial: false }),
    })),
    recordConnected: assign(({ context, event }) => {
      if (event.type !== 'link.connected') return {};
      return {
        link: {
          ...context.link,
          connectAttempts: 0,
          connectedAt: event.at,
          capabilities: event.capabilities,
          serverInfo: event.serverInfo ?? null,
          sameFailures: 0,
          lastFailure: null,
          hopeless: false,
        },
      };
    }),
    recordCapabilities: assign(({ context, event }) =>
      event.type === 'capabilities.updated' ? { link: { ...context.link, capabilities: event.capabilities } } : {},
    ),
    recordLinkError: assign(({ context, event }) => {
      if (event.type === 'link.lost')
        return { lastError: { message: event.error, at: event.at }, link: { ...context.link, connectedAt: null } };
      if (event.type !== 'link.failed') return {};
      const failure = event.failure ?? event.error;
      const sameFailures = failure === context.link.lastFailure ? context.link.sameFailures + 1 : 1;
      const hopeless = event.permanent === true || sameFailures >= SAME_FAILURES_TO_GIVE_UP;
      const every = `retrying every ${Math.round(context.settings.reconnect.maxMs / 1000)} s`;
      const why = !hopeless
        ? ''
        : event.permanent
          ? ` [this will not heal by retrying: fix the backend's config; ${every}]`
          : ` [the same failure ${sameFailures} times in a row: it will likely not heal by retrying; ${every}]`;
      return {
        lastError: { message: event.error + why, at: event.at },
        link: { ...context.link, connectedAt: null, sameFailures, lastFailure: failure, hopeless },
      };
    }),
    scheduleReconnect: assign(({ context }) => {
      const { reconnect } = context.settings;
      if (context.link.hopeless)
        return {
          link: {
            ...context.link,
            reconnectDelayMs: reconnect.maxMs,
            connectAttempts: context.link.connectAttempts + 1,
          },
        };
      const unjittered = Math.min(reconnect.baseMs * 2 ** context.link.connectAttempts, reconnect.maxMs);
      const { ms, rng } = jittered(context, unjittered);
      return {
        rng,
        link: {
          ...context.link,
          reconnectDelayMs: Math.min(ms, reconnect.maxMs),
          connectAttempts: context.link.connectAttempts + 1,
        },
      };
    }),
    /** A probe in half-open is a trial: it takes a permit when one is free. */
    claimProbePermit: assign(({ context }) => ({
      ...probeWith(context, { isTrial: true }),
      ...circuitWith(context, { trialsInFlight: context.circuit.trialsInFlight + 1 }),
    })),
    recordProbeSuccess: assign(({ context, event }) => {
      if (event.type !== 'probe.succeeded') return {};
      return probeWith(context, {
        consecutiveFailures: 0,
        last: { at: event.at, ok: true, latencyMs: event.latencyMs },
      });
    }),
    recordProbeFailure: assign(({ context, event }) => {
      if (event.type !== 'probe.failed') return {};
      return probeWith(context, {
        consecutiveFailures: context.probe.consecutiveFailures + 1,
        last: { at: event.at, ok: false, error: event.error },
      });
    }),
    resetProbeFailures: assign(({ context }) => probeWith(context, { consecutiveFailures: 0 })),
    clearProbeTrial: assign(({ context }) => probeWith(context, { isTrial: false })),
  },
}).createMachine({
  id: 'backend',
  type: 'parallel',
  context: ({ input }) => ({
    name: input.name,
    settings: {
      namespace: input.namespace,
      priority: input.priority,
      transport: input.transport,
      healthCheck: input.healthCheck,
      circuitBreaker: input.circuitBreaker,
      reconnect: input.reconnect ?? DEFAULT_RECONNECT,
      jitter: input.jitter ?? 0.1,
    },
    rng: input.seed ?? 0x9e3779b9,
    link: {
      connectAttempts: 0,
      reconnectDelayMs: 0,
      connectedAt: null,
      capabilities: null,
      serverInfo: null,
      sameFailures: 0,
      lastFailure: null,
      hopeless: false,
    },
    probe: { consecutiveFailures: 0, last: null, isTrial: false },
    circuit: {
      consecutiveFailures: 0,
      epoch: 0,
      tripStreak: 0,
      openMs: input.circuitBreaker.openMs,
      openedAt: null,
      nextAttemptAt: null,
      trialsInFlight: 0,
      trialSuccesses: 0,
    },
    failures: 0,
    lastError: null,
  }),
  states: {
    connection: {
      initial: 'idle',
      states: {
        idle: { on: { 'backend.start': 'online' } },
        online: {
          initial: 'connecting',
          invoke: { src: 'link', input: ({ context }) => ({ name: context.name }) },
          on: {
            'link.failed': { target: 'reconnecting', actions: 'recordLinkError' },
            'link.lost': { target: 'reconnecting', actions: 'recordLinkError' },
          },
          states: {
            connecting: { on: { 'link.connected': { target: 'connected', actions: 'recordConnected' } } },
            connected: { on: { 'capabilities.updated': { actions: 'recordCapabilities' } } },
          },
        },
        reconnecting: {
          entry: 'scheduleReconnect',
          after: { reconnectDelay: 'online' },
        },
        stopped: { type: 'final' },
      },
      on: { 'backend.stop': '.stopped' },
    },

    health: {
      type: 'parallel',
      states: {
        status: {
          initial: 'unknown',
          states: {
            unknown: {
              on: {
                // initialize is a full round trip: a fresh connection starts healthy.
                'link.connected': { target: 'healthy', actions: 'resetProbeFailures' },
              },
            },
            healthy: {
              on: {
                'probe.failed': [
                  { guard: 'probeFailuresReachUnhealthy', target: 'unhealthy', actions: 'recordProbeFailure' },
                  { actions: 'recordProbeFailure' },
                ],
                'probe.succeeded': { actions: 'recordProbeSuccess' },
              },
            },
            unhealthy: {
              on: {
                'probe.succeeded': { target: 'healthy', actions: 'recordProbeSuccess' },
                'probe.failed': { actions: 'recordProbeFailure' },
                'link.connected': { target: 'healthy', actions: 'resetProbeFailures' },
              },
            },
          },
          on: {
            'link.lost': { target: '.unknown', actions: 'resetProbeFailures' },
            'link.failed': { target: '.unknown', actions: 'resetProbeFailures' },
          },
        },
        probe: {
          initial: 'off',
          states: {
            off: {
              on: { 'link.connected': { guard: 'probingEnabled', target: 'waiting' } },
            },
            waiting: {
              after: { probeInterval: 'probing' },
            },
            probing: {
              // The circuit region decides whether this probe is a half-open trial.
              entry: raise({ type: 'probe.started' }),
              invoke: {
                src: 'ping',
                input: ({ context }) => ({ name: context.name, timeoutMs: context.settings.healthCheck.timeoutMs }),
              },
              on: {
                'probe.succeeded': 'waiting',
                'probe.failed': 'waiting',
              },
            },
          },
          on: {
            'link.lost': '.off',
            'link.failed': '.off',
            'backend.stop': '.off',
          },
        },
      },
    },

    // attempt.started carries the supervisor's decision (the inspector shows why each request went where it
    // did); only a half-open circuit acts on it, handing out trial permits. (src/ sends it only then, or to an
    // inspector.)
    circuit: {
      initial: 'closed',
      states: {
        closed: {
          entry: 'enterClosed',
          on: {
            'attempt.failed': [
              { guard: 'failureReachesThreshold', target: 'open', actions: ['recordFailure', 'countFailure'] },
              { actions: ['recordFailure', 'countFailure'] },
            ],
            'attempt.succeeded': { guard: 'inFailureStreak', actions: 'resetFailureStreak' },
          },
        },
        open: {
          entry: 'enterOpen',
          after: { openDuration: 'halfOpen' },
          on: {
            // A fresh connection (a respawned process, a new session) earns a trial at once, not a full
            // open period: what tripped the breaker was most likely the connection that just ended.
            'link.connected': 'halfOpen',
            'attempt.failed': { actions: 'recordFailure' },
          },
        },
        halfOpen: {
          entry: 'enterHalfOpen',
          on: {
            'attempt.started': { guard: 'isCurrentTrial', actions: 'takeTrialPermit' },
            'attempt.succeeded': [
              { guard: 'isCurrentTrialCompletingClose', target: 'closed' },
              { guard: 'isCurrentTrial', actions: 'countTrialSuccess' },
            ],
            'attempt.failed': [
              { guard: 'isCurrentTrial', target: 'open', actions: ['recordFailure', 'countReTrip'] },
              { actions: 'recordFailure' },
            ],
            'attempt.ignored': { guard: 'isCurrentTrial', actions: 'returnTrialPermit' },
            'probe.started': { guard: 'trialPermitFree', actions: 'claimProbePermit' },
            'probe.succeeded': [
              { guard: 'probeTrialCompletesClose', target: 'closed' },
              { guard: 'probeIsTrial', actions: ['countTrialSuccess', 'clearProbeTrial'] },
            ],
            'probe.failed': { guard: 'probeIsTrial', target: 'open', actions: 'countReTrip' },
          },
        },
      },
    },
  },
});

export type BackendActorRef = ActorRefFrom<typeof backendMachine>;
export type BackendSnapshot = SnapshotFrom<typeof backendMachine>;
