/**
 * What the management tools report about a backend: the original router's fields (name, url, namespace,
 * priority, healthy, circuit_state, error_count, last_error) and the statechart's own view of it.
 * Nothing secret: URLs lose credentials and query strings, commands lose their environment, and the
 * secret values of the config (see BackendConfig.secrets) are cleaned out of arguments and error texts.
 */
import type { BackendSnapshot } from '../../machines/backend.machine';
import { circuitStateOf, connectionStateOf, healthStateOf } from '../../machines/backend.selectors';
import type { BackendConfig } from '../config/types';
import type { BackendTraffic } from '../router/traffic';
import { configSecrets, displayArgs, SecretSet } from '../config/secrets';

const secretsByConfig = new WeakMap<BackendConfig, SecretSet>();

/** This backend's secrets and every other the config supplied (an error may quote another backend's). */
function secretsOf(config: BackendConfig): SecretSet {
  let set = secretsByConfig.get(config);
  if (!set) secretsByConfig.set(config, (set = new SecretSet().add(config.secrets ?? [])));
  return set;
}

/** A backend's error text with its config's secrets (and any the config named) taken out. */
export function clean(config: BackendConfig, text: string | null | undefined): string | null {
  if (text === null || text === undefined) return null;
  return configSecrets.redact(secretsOf(config).redact(text));
}

const CIRCUIT_NAMES = { closed: 'CLOSED', open: 'OPEN', halfOpen: 'HALF_OPEN' } as const;

export function publicUrl(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return null;
  }
}

function iso(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}

export function backendStatus(
  config: BackendConfig,
  snapshot: BackendSnapshot | undefined,
  link?: { transport: string; protocolVersion?: string | undefined } | undefined,
  traffic?: Readonly<BackendTraffic>,
) {
  const c = snapshot?.context;
  const connection = snapshot ? connectionStateOf(snapshot) : 'stopped';
  const health = snapshot ? healthStateOf(snapshot) : 'unknown';
  const circuit = snapshot ? circuitStateOf(snapshot) : 'closed';
  return {
    name: config.name,
    url: publicUrl(config.url),
    command: config.command ? [config.command, ...displayArgs(config.args, secretsOf(config))].join(' ') : null,
    namespace: config.namespace,
    priority: config.priority,
    transport: link?.transport ?? config.transport,
    /** The configured era (auto probes), and the revision the live link speaks. */
    protocol: config.protocol ?? 'auto',
    protocol_version: link?.protocolVersion ?? null,
    healthy: connection === 'connected' && health !== 'unhealthy' && circuit !== 'open',
    circuit_state: CIRCUIT_NAMES[circuit],
    error_count: c?.failures ?? 0,
    last_error: clean(config, c?.lastError?.message),
    last_error_at: iso(c?.lastError?.at),
    connection_state: connection,
    health_state: health,
    consecutive_failures: c?.circuit.consecutiveFailures ?? 0,
    circuit_opened_at: iso(c?.circuit.openedAt),
    circuit_next_attempt_at: iso(c?.circuit.nextAttemptAt),
    last_probe: c?.probe.last
      ? {
          at: iso(c.probe.last.at),
          ok: c.probe.last.ok,
          latency_ms: c.probe.last.latencyMs ?? null,
          error: clean(config, c.probe.last.error),
        }
      : null,
    latency_ms: traffic?.latencyEwmaMs == null ? null : Math.round(traffic.latencyEwmaMs * 100) / 100,
    in_flight: traffic?.inFlight ?? 0,
    requests: traffic?.requests ?? 0,
    reconnect_attempts: c?.link.connectAttempts ?? 0,
    server_info: c?.link.serverInfo ?? null,
    tools: c?.link.capabilities?.tools ?? 0,
    resources: c?.link.capabilities?.resources ?? 0,
    resource_templates: c?.link.capabilities?.resourceTemplates ?? 0,
    prompts: c?.link.capabilities?.prompts ?? 0,
  };
}

export type BackendStatus = ReturnType<typeof backendStatus>;

const nullable = (type: string) => ({ type: [type, 'null'] });

/** JSON Schema of BackendStatus, for the tools' outputSchema. */
export const backendStatusSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    url: nullable('string'),
    command: nullable('string'),
    namespace: { type: 'string' },
    priority: { type: 'number' },
    transport: { type: 'string' },
    protocol: { type: 'string', enum: ['auto', '2025-11-25', '2026-07-28'] },
    protocol_version: nullable('string'),
    healthy: { type: 'boolean' },
    circuit_state: { type: 'string', enum: ['CLOSED', 'OPEN', 'HALF_OPEN'] },
    error_count: { type: 'number' },
    last_error: nullable('string'),
    last_error_at: nullable('string'),
    connection_state: { type: 'string', enum: ['idle', 'connecting', 'connected', 'reconnecting', 'stopped'] },
    health_state: { type: 'string', enum: ['unknown', 'healthy', 'unhealthy'] },
    consecutive_failures: { type: 'number' },
    circuit_opened_at: nullable('string'),
    circuit_next_attempt_at: nullable('string'),
    last_probe: { type: ['object', 'null'] },
    latency_ms: nullable('number'),
    in_flight: { type: 'number' },
    requests: { type: 'number' },
    reconnect_attempts: { type: 'number' },
    server_info: { type: ['object', 'null'] },
    tools: { type: 'number' },
    resources: { type: 'number' },
    resource_templates: { type: 'number' },
    prompts: { type: 'number' },
  },
  required: [
    'name',
    'namespace',
    'priority',
    'healthy',
    'circuit_state',
    'error_count',
    'last_error',
    'connection_state',
  ],
} as const;
