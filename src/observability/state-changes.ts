/**
 * One log line per state change of a backend, with why: the story of a failure and its recovery, told
 * from the statechart's snapshots.
 */
import type { BackendSnapshot } from '../../machines/backend.machine';
import { circuitStateOf, connectionStateOf, healthStateOf } from '../../machines/backend.selectors';

export interface StateView {
  connection: string;
  health: string;
  circuit: string;
}

export function stateView(s: BackendSnapshot): StateView {
  return { connection: connectionStateOf(s), health: healthStateOf(s), circuit: circuitStateOf(s) };
}

export interface StateChangeLine {
  level: 'info' | 'warn';
  message: string;
  fields: Record<string, unknown>;
}

export function describeChanges(prev: StateView | undefined, next: StateView, s: BackendSnapshot): StateChangeLine[] {
  const c = s.context;
  const lines: StateChangeLine[] = [];
  if (prev?.connection !== next.connection) {
    switch (next.connection) {
      case 'connected':
        lines.push({
          level: 'info',
          message: 'connected',
          fields: { tools: c.link.capabilities?.tools, server: c.link.serverInfo?.name },
        });
        break;
      case 'reconnecting':
        lines.push({
          level: 'warn',
          message: `connection lost: ${c.lastError?.message ?? 'unknown'}; reconnecting in ${c.link.reconnectDelayMs} ms`,
          fields: { attempt: c.link.connectAttempts },
        });
        break;
      case 'connecting':
        if (prev) lines.push({ level: 'info', message: 'connecting', fields: { attempt: c.link.connectAttempts } });
        break;
      case 'stopped':
        lines.push({ level: 'info', message: 'stopped', fields: {} });
        break;
    }
  }
  if (prev && prev.health !== next.health && next.health !== 'unknown') {
    lines.push(
      next.health === 'unhealthy'
        ? {
            level: 'warn',
            message: `unhealthy: ${c.probe.consecutiveFailures} probes failed in a row (${c.probe.last?.error ?? 'no answer'})`,
            fields: {},
          }
        : { level: 'info', message: 'healthy', fields: { probeLatencyMs: c.probe.last?.latencyMs } },
    );
  }
  if (prev && prev.circuit !== next.circuit) {
    if (next.circuit === 'open') {
      const why =
        prev.circuit === 'halfOpen'
          ? 'a half-open trial failed'
          : `${c.settings.circuitBreaker.failureThreshold} consecutive failures`;
      lines.push({
        level: 'warn',
        message: `circuit opened: ${why} (last: ${c.lastError?.message ?? c.probe.last?.error ?? 'unknown'}); next try in ${c.circuit.openMs} ms`,
        fields: {},
      });
    } else if (next.circuit === 'halfOpen') {
      lines.push({
        level: 'info',
        message: `circuit half-open: admitting ${c.settings.circuitBreaker.halfOpenAttempts} trial request(s)`,
        fields: {},
      });
    } else {
      lines.push({ level: 'info', message: 'circuit closed: trial requests succeeded', fields: {} });
    }
  }
  return lines;
}
