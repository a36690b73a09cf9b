/**
 * A configured backend as its actor's input: seconds become milliseconds, and each backend gets a jitter seed
 * of its own (from its name, so runs are reproducible).
 */
import type { BackendMachineInput } from '../../machines/backend.machine';
import type { BackendConfig } from '../config/types';

export function backendInput(config: BackendConfig): BackendMachineInput {
  return {
    name: config.name,
    namespace: config.namespace,
    priority: config.priority,
    transport: config.transport,
    healthCheck: {
      enabled: config.healthCheck.enabled,
      intervalMs: config.healthCheck.intervalSeconds * 1000,
      timeoutMs: config.healthCheck.timeoutSeconds * 1000,
    },
    circuitBreaker: {
      failureThreshold: config.circuitBreaker.failureThreshold,
      openMs: config.circuitBreaker.timeoutSeconds * 1000,
      halfOpenAttempts: config.circuitBreaker.halfOpenAttempts,
    },
    seed: hashSeed(config.name),
    jitter: 0.1,
    autoStart: config.autoStart,
  };
}

function hashSeed(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}
