import winston from 'winston';
import type { LogFormat } from '../config/types';
import { redact } from './redact';
import { configSecrets } from '../config/secrets';

/** Every string of a log entry, at any depth, cleaned of the config's secret values and URL credentials. */
function scrubSecrets(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return configSecrets.redact(value);
  if (depth > 8 || value === null || typeof value !== 'object' || value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((v) => scrubSecrets(v, depth + 1));
  const out: Record<string | symbol, unknown> = {};
  for (const key of Reflect.ownKeys(value))
    out[key] = scrubSecrets((value as Record<string | symbol, unknown>)[key], depth + 1);
  return out;
}

export type Logger = winston.Logger;

/**
 * Logs always go to stderr: in stdio mode stdout is the protocol channel, and keeping one place for logs in
 * HTTP mode too means a user never has to guess.
 */
export function createLogger(options: { level?: string; format?: LogFormat } = {}): Logger {
  return winston.createLogger({
    level: options.level ?? 'info',
    format: logFormat(options.format),
    transports: [new winston.transports.Console({ stderrLevels: Object.keys(winston.config.npm.levels) })],
  });
}

/** Every line cleaned of secrets (see redact.ts) before it is formatted, as text or JSON. */
export function logFormat(format: LogFormat = 'text'): winston.Logform.Format {
  const scrub = winston.format((info) => scrubSecrets(redact(info)) as winston.Logform.TransformableInfo);
  const human = winston.format.printf((info) => {
    const { level, message, timestamp, component, ...rest } = info as Record<string, unknown>;
    const extras = Object.keys(rest).length ? ' ' + JSON.stringify(rest) : '';
    return `${timestamp} ${level}${component ? ` [${component}]` : ''} ${message}${extras}`;
  });
  return winston.format.combine(scrub(), winston.format.timestamp(), format === 'json' ? winston.format.json() : human);
}

/** A logger that drops everything, for tests and library use. */
export function silentLogger(): Logger {
  return winston.createLogger({ silent: true, transports: [new winston.transports.Console({ silent: true })] });
}
