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

export interface BackendContext {
  name: string;
  namespace: string;
  priority: number;
  transport: string;
  healthCheck: BackendMachineInput['healthCheck'];
  circuitBreaker: BackendMachineInput['circuitBreaker'];
  reconnect: { baseMs: number; maxMs: number };
  jitter: number;
  rng: number;

  // connection
  connectAttempts: number;
  reconnectDelayMs: number;
  connectedAt: number | null;
  capabilities: CapabilityCounts | null;
  serverInfo: { name: string; version: string } | null;

  // health
  consecutiveProbeFailures: number;
  lastProbe: { at: number; ok: boolean; latencyMs?: number; error?: string } | null;
  /** True while the running probe holds a half-open permit. */
  probeIsTrial: boolean;

  // circuit
  consecutiveFailures: number;
  /** Bumped on every circuit state change; outcomes of attempts admitted in another epoch count as stale. */
  circuitEpoch: number;
  /** Consecutive trips without a close in between (0 for the first trip). */
  tripStreak: number;
  openMs: number;
  openedAt: number | null;
  nextAttemptAt: number | null;
  trialsInFlight: number;
  trialSuccesses: number;

  // accounting
  inFlight: number;
  requests: number;
  failures: number;
  lastError: { message: string; at: number } | null;
  lastLatencyMs: number | null;
  /** Exponentially weighted moving average of attempt latency. */
  latencyEwmaMs: number | null;
}

export type AttemptOutcomeEvent =
  | { type: 'attempt.succeeded'; epoch: number; at: number; latencyMs: number }
  | { type: 'attempt.failed'; epoch: number; at: number; latencyMs: number; error: string }
  /** Not the backend's fault (tool isError, invalid params, client cancelled): counts nothing, frees a permit. */
  | { type: 'attempt.ignored'; epoch: number; at: number; latencyMs: number };

export type BackendEvent =
  | { type: 'backend.start' }
  | { type: 'backend.stop' }
  | { type: 'link.connected'; at: number; capabilities: CapabilityCounts; serverInfo?: { name: string; version: string } }
  | { type: 'link.failed'; at: number; error: string }
  | { type: 'link.lost'; at: number; error: string }
  | { type: 'capabilities.updated'; capabilities: CapabilityCounts }
  /** `why` is the supervisor's decision, for the inspector: the machine does not read it. */
  | { type: 'attempt.started'; requestId: string; epoch: number; why?: { strategy: string; order: string[]; skipped: { backend: string; reason: string }[] } }
  | AttemptOutcomeEvent
  | { type: 'probe.started' }
  | { type: 'probe.succeeded'; at: number; latencyMs: number }
  | { type: 'probe.failed'; at: number; error: string };

const DEFAULT_RECONNECT = { baseMs: 500, maxMs: 30_000 };
/** An open circuit's duration doubles per re-trip up to this many times the base. */
const MAX_OPEN_FACTOR = 10;
/** Unhealthy after this many consecutive failed probes. */
export const PROBE_FAILURES_TO_UNHEALTHY = 2;
const EWMA_WEIGHT = 0.2;

function jittered(context: BackendContext, ms: number): { ms: number; rng: number } {
  const { value, state } = nextRandom(context.rng);
  return { ms: Math.round(ms * (1 + context.jitter * value)), rng: state };
}

function withLatency(context: BackendContext, latencyMs: number) {
  return {
    lastLatencyMs: latencyMs,
    latencyEwmaMs: context.latencyEwmaMs === null ? latencyMs : context.latencyEwmaMs + EWMA_WEIGHT * (latencyMs - context.latencyEwmaMs),
  };
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
    reconnectDelay: ({ context }) => context.reconnectDelayMs,
    probeInterval: ({ context }) => context.healthCheck.intervalMs,
    openDuration: ({ context }) => context.openMs,
  },
  guards: {
    trialPermitFree: ({ context }) => context.trialsInFlight < context.circuitBreaker.halfOpenAttempts,
    probingEnabled: ({ context }) => context.healthCheck.enabled,
    failureReachesThreshold: ({ context }) => context.consecutiveFailures + 1 >= context.circuitBreaker.failureThreshold,
    probeFailuresReachUnhealthy: ({ context }) => context.consecutiveProbeFailures + 1 >= PROBE_FAILURES_TO_UNHEALTHY,
    isCurrentTrial: ({ context, event }) => 'epoch' in event && event.epoch === context.circuitEpoch,
    isCurrentTrialCompletingClose: ({ context, event }) =>
      'epoch' in event && event.epoch === context.circuitEpoch && context.trialSuccesses + 1 >= context.circuitBreaker.halfOpenAttempts,
    probeIsTrial: ({ context }) => context.probeIsTrial,
    probeTrialCompletesClose: ({ context }) =>
      context.probeIsTrial && context.trialSuccesses + 1 >= context.circuitBreaker.halfOpenAttempts,
  },
  actions: {
    countAttemptStart: assign(({ context }) => ({ inFlight: context.inFlight + 1, requests: context.requests + 1 })),
    countAttemptEnd: assign(({ context, event }) => {
      if (event.type !== 'attempt.succeeded' && event.type !== 'attempt.failed' && event.type !== 'attempt.ignored') return {};
      const failed = event.type === 'attempt.failed';
      return {
        inFlight: Math.max(0, context.inFlight - 1),
        failures: context.failures + (failed ? 1 : 0),
        lastError: failed ? { message: event.error, at: event.at } : context.lastError,
        ...withLatency(context, event.latencyMs),
      };
    }),
    /** The common case, in one assign: a success ends an attempt and resets the failure streak. */
    countSuccessEnd: assign(({ context, event }) => ({
      inFlight: Math.max(0, context.inFlight - 1),
      consecutiveFailures: 0,
      ...withLatency(context, 'latencyMs' in event ? event.latencyMs : 0),
    })),
    countFailure: assign({ consecutiveFailures: ({ context }) => context.consecutiveFailures + 1 }),
    resetFailures: assign({ consecutiveFailures: 0 }),
    takeTrialPermit: assign({ trialsInFlight: ({ context }) => context.trialsInFlight + 1 }),
    returnTrialPermit: assign({ trialsInFlight: ({ context }) => Math.max(0, context.trialsInFlight - 1) }),
    countTrialSuccess: assign({
      trialsInFlight: ({ context }) => Math.max(0, context.trialsInFlight - 1),
      trialSuccesses: ({ context }) => context.trialSuccesses + 1,
    }),
    enterOpen: assign(({ context, event }) => {
      const base = context.circuitBreaker.openMs;
      const unjittered = Math.min(base * 2 ** context.tripStreak, base * MAX_OPEN_FACTOR);
      const { ms, rng } = jittered(context, unjittered);
      const at = 'at' in event ? event.at : (context.lastError?.at ?? 0);
      return {
        rng,
        openMs: ms,
        openedAt: at,
        nextAttemptAt: at + ms,
        circuitEpoch: context.circuitEpoch + 1,
        trialsInFlight: 0,
        trialSuccesses: 0,
        probeIsTrial: false,
      };
    }),
    /** Leaving half-open for open again: the next open period is longer. */
    countReTrip: assign({ tripStreak: ({ context }) => context.tripStreak + 1 }),
    enterHalfOpen: assign(({ context }) => ({
      circuitEpoch: context.circuitEpoch + 1,
      trialsInFlight: 0,
      trialSuccesses: 0,
      probeIsTrial: false,
    })),
    enterClosed: assign(({ context }) => ({
      circuitEpoch: context.circuitEpoch + 1,
      consecutiveFailures: 0,
      tripStreak: 0,
      openedAt: null,
      nextAttemptAt: null,
      trialsInFlight: 0,
      trialSuccesses: 0,
      probeIsTrial: false,
    })),
    recordConnected: assign(({ event }) => {
      if (event.type !== 'link.connected') return {};
      return { connectAttempts: 0, connectedAt: event.at, capabilities: event.capabilities, serverInfo: event.serverInfo ?? null };
    }),
    recordCapabilities: assign(({ event }) => (event.type === 'capabilities.updated' ? { capabilities: event.capabilities } : {})),
    recordLinkError: assign(({ event }) => {
      if (event.type !== 'link.failed' && event.type !== 'link.lost') return {};
      return { lastError: { message: event.error, at: event.at }, connectedAt: null };
    }),
    scheduleReconnect: assign(({ context }) => {
      const unjittered = Math.min(context.reconnect.baseMs * 2 ** context.connectAttempts, context.reconnect.maxMs);
      const { ms, rng } = jittered(context, unjittered);
      return { rng, reconnectDelayMs: Math.min(ms, context.reconnect.maxMs), connectAttempts: context.connectAttempts + 1 };
    }),
    /** A probe in half-open is a trial: it takes a permit when one is free. */
    claimProbePermit: assign(({ context }) => ({ probeIsTrial: true, trialsInFlight: context.trialsInFlight + 1 })),
    recordProbeSuccess: assign(({ event }) => {
      if (event.type !== 'probe.succeeded') return {};
      return { consecutiveProbeFailures: 0, lastProbe: { at: event.at, ok: true, latencyMs: event.latencyMs } };
    }),
    recordProbeFailure: assign(({ context, event }) => {
      if (event.type !== 'probe.failed') return {};
      return {
        consecutiveProbeFailures: context.consecutiveProbeFailures + 1,
        lastProbe: { at: event.at, ok: false, error: event.error },
      };
    }),
    resetProbeFailures: assign({ consecutiveProbeFailures: 0 }),
    clearProbeTrial: assign({ probeIsTrial: false }),
  },
}).createMachine({
  id: 'backend',
  type: 'parallel',
  context: ({ input }) => ({
    name: input.name,
    namespace: input.namespace,
    priority: input.priority,
    transport: input.transport,
    healthCheck: input.healthCheck,
    circuitBreaker: input.circuitBreaker,
    reconnect: input.reconnect ?? DEFAULT_RECONNECT,
    jitter: input.jitter ?? 0.1,
    rng: input.seed ?? 0x9e3779b9,
    connectAttempts: 0,
    reconnectDelayMs: 0,
    connectedAt: null,
    capabilities: null,
    serverInfo: null,
    consecutiveProbeFailures: 0,
    lastProbe: null,
    probeIsTrial: false,
    consecutiveFailures: 0,
    circuitEpoch: 0,
    tripStreak: 0,
    openMs: input.circuitBreaker.openMs,
    openedAt: null,
    nextAttemptAt: null,
    trialsInFlight: 0,
    trialSuccesses: 0,
    inFlight: 0,
    requests: 0,
    failures: 0,
    lastError: null,
    lastLatencyMs: null,
    latencyEwmaMs: null,
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
                input: ({ context }) => ({ name: context.name, timeoutMs: context.healthCheck.timeoutMs }),
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

    circuit: {
      initial: 'closed',
      on: { 'attempt.started': { actions: 'countAttemptStart' } },
      states: {
        closed: {
          entry: 'enterClosed',
          on: {
            'attempt.failed': [
              { guard: 'failureReachesThreshold', target: 'open', actions: ['countAttemptEnd', 'countFailure'] },
              { actions: ['countAttemptEnd', 'countFailure'] },
            ],
            'attempt.succeeded': { actions: 'countSuccessEnd' },
            'attempt.ignored': { actions: 'countAttemptEnd' },
          },
        },
        open: {
          entry: 'enterOpen',
          after: { openDuration: 'halfOpen' },
          on: {
            // A fresh connection (a respawned process, a new session) earns a trial at once, not a full
            // open period: what tripped the breaker was most likely the connection that just ended.
            'link.connected': 'halfOpen',
            'attempt.failed': { actions: 'countAttemptEnd' },
            'attempt.succeeded': { actions: 'countAttemptEnd' },
            'attempt.ignored': { actions: 'countAttemptEnd' },
          },
        },
        halfOpen: {
          entry: 'enterHalfOpen',
          on: {
            'attempt.started': [
              { guard: 'isCurrentTrial', actions: ['countAttemptStart', 'takeTrialPermit'] },
              { actions: 'countAttemptStart' },
            ],
            'attempt.succeeded': [
              { guard: 'isCurrentTrialCompletingClose', target: 'closed', actions: 'countAttemptEnd' },
              { guard: 'isCurrentTrial', actions: ['countAttemptEnd', 'countTrialSuccess'] },
              { actions: 'countAttemptEnd' },
            ],
            'attempt.failed': [
              { guard: 'isCurrentTrial', target: 'open', actions: ['countAttemptEnd', 'countReTrip'] },
              { actions: 'countAttemptEnd' },
            ],
            'attempt.ignored': [
              { guard: 'isCurrentTrial', actions: ['countAttemptEnd', 'returnTrialPermit'] },
              { actions: 'countAttemptEnd' },
            ],
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
