import { getAdjacencyMap } from 'xstate/graph';
import { backendMachine, type BackendEvent } from '../../machines/backend.machine';
import type { AnyStateNode } from 'xstate';

/**
 * Walks the backend statechart's whole graph (pure transitions, no timers): every state must be reachable,
 * and no transition may take the circuit from open to closed without passing half-open.
 */
const caps = { tools: 1, resources: 0, resourceTemplates: 0, prompts: 0 };
const events: BackendEvent[] = [
  { type: 'backend.start' },
  { type: 'backend.stop' },
  { type: 'link.connected', at: 0, capabilities: caps },
  { type: 'link.failed', at: 0, error: 'x' },
  { type: 'link.lost', at: 0, error: 'x' },
  { type: 'attempt.started', requestId: 'r', epoch: 0 },
  { type: 'attempt.succeeded', epoch: 0, at: 0, latencyMs: 1 },
  { type: 'attempt.failed', epoch: 0, at: 0, latencyMs: 1, error: 'x' },
  { type: 'attempt.ignored', epoch: 0, at: 0, latencyMs: 1 },
  { type: 'probe.succeeded', at: 0, latencyMs: 1 },
  { type: 'probe.failed', at: 0, error: 'x' },
];
const delayed = [
  'xstate.after.reconnectDelay.backend.connection.reconnecting',
  'xstate.after.probeInterval.backend.health.probe.waiting',
  'xstate.after.openDuration.backend.circuit.open',
];

function leafValues(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') return [`${prefix}${value}`];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => leafValues(v, `${prefix}${k}.`));
}

describe('backend statechart paths', () => {
  const adjacency = getAdjacencyMap(backendMachine, {
    input: {
      name: 'b',
      namespace: 'b',
      priority: 1,
      transport: 'stdio',
      healthCheck: { enabled: true, intervalMs: 10, timeoutMs: 5 },
      circuitBreaker: { failureThreshold: 2, openMs: 10, halfOpenAttempts: 1 },
      jitter: 0,
    },
    events: [...events, ...delayed.map((type) => ({ type }) as unknown as BackendEvent)],
    // State value plus the counters that gate transitions, so the walk is finite but complete.
    serializeState: (s: any) =>
      JSON.stringify([
        s.value,
        Math.min(s.context.circuit.consecutiveFailures, 2),
        s.context.probe.consecutiveFailures > 0,
        s.context.circuit.trialsInFlight,
        s.context.circuit.epoch % 2,
      ]),
    limit: 20_000,
  } as never);
  const snapshots = Object.values(adjacency).map((v) => v.state);

  it('reaches every state of the chart', () => {
    const reached = new Set(snapshots.flatMap((s) => leafValues(s.value)));
    const leaves = (node: AnyStateNode): string[] =>
      Object.keys(node.states).length === 0 ? [node.path.join('.')] : Object.values(node.states).flatMap(leaves);
    const all = leaves(backendMachine.root);
    expect(all.length).toBe(14);
    for (const state of all) expect(reached).toContain(state);
  });

  it('never goes from open to closed without half-open', () => {
    for (const { state, transitions } of Object.values(adjacency)) {
      if ((state.value as { circuit: string }).circuit !== 'open') continue;
      for (const t of Object.values(transitions) as { state: { value: unknown } }[])
        expect((t.state.value as { circuit: string }).circuit).not.toBe('closed');
    }
  });
});
