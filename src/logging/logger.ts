import type winston from 'winston';
import { LOG_LEVELS } from '../config/settings';
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

type LogMethod = (message: string, meta?: object) => void;

/** What the router logs through; a winston logger is one, so tests can pass theirs. */
export interface Logger {
  error: LogMethod;
  warn: LogMethod;
  info: LogMethod;
  debug: LogMethod;
  child(meta: Record<string, unknown>): Logger;
  isDebugEnabled(): boolean;
}

/*
 * winston and its formats are not loaded with this file: winston is about a tenth of what the router would load
 * before it can spawn its stdio backends. main.ts loads it right after the spawns (loadLogging); a logger made
 * elsewhere loads it with its first line.
 */
let winstonModule: typeof winston | undefined;
function loadWinston(): typeof winston {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a deferred load, for the reason above
  return (winstonModule ??= require('winston') as typeof winston);
}

/** Loads winston now, without writing anything (at start-up, after the spawns: see main.ts). */
export function loadLogging(): void {
  loadWinston();
}

/** A level's place among winston's npm levels (the settings' LOG_LEVELS, in order); unknown ones count as info. */
function rank(level: string): number {
  const at = (LOG_LEVELS as readonly string[]).indexOf(level);
  return at < 0 ? rank('info') : at;
}

/**
 * A logger whose winston logger is made when a line at an enabled level first needs it (a line is written when
 * its level ranks at most the logger's).
 */
class DeferredLogger implements Logger {
  private made?: winston.Logger;
  private readonly threshold: number;

  constructor(
    private readonly make: () => winston.Logger,
    private readonly level: string,
  ) {
    this.threshold = rank(level);
  }

  readonly error: LogMethod = (message, meta) => this.write('error', message, meta);
  readonly warn: LogMethod = (message, meta) => this.write('warn', message, meta);
  readonly info: LogMethod = (message, meta) => this.write('info', message, meta);
  readonly debug: LogMethod = (message, meta) => this.write('debug', message, meta);

  child(meta: Record<string, unknown>): Logger {
    return new DeferredLogger(() => this.logger().child(meta), this.level);
  }

  isDebugEnabled(): boolean {
    return rank('debug') <= this.threshold;
  }

  private write(level: 'error' | 'warn' | 'info' | 'debug', message: string, meta: object | undefined): void {
    if (rank(level) > this.threshold) return;
    if (meta === undefined) this.logger()[level](message);
    else this.logger()[level](message, meta);
  }

  private logger(): winston.Logger {
    return (this.made ??= this.make());
  }
}

/**
 * Logs always go to stderr: in stdio mode stdout is the protocol channel, and keeping one place for logs in
 * HTTP mode too means a user never has to guess.
 */
export function createLogger(options: { level?: string; format?: LogFormat } = {}): Logger {
  const level = options.level ?? 'info';
  return new DeferredLogger(() => {
    const w = loadWinston();
    return w.createLogger({
      level,
      format: logFormat(options.format),
      transports: [new w.transports.Console({ stderrLevels: Object.keys(w.config.npm.levels) })],
    });
  }, level);
}

/** Every line cleaned of secrets (see redact.ts) before it is formatted, as text or JSON. */
export function logFormat(format: LogFormat = 'text'): winston.Logform.Format {
  const w = loadWinston();
  const scrub = w.format((info) => scrubSecrets(redact(info)) as winston.Logform.TransformableInfo);
  const human = w.format.printf((info) => {
    const { level, message, timestamp, component, ...rest } = info as Record<string, unknown>;
    const extras = Object.keys(rest).length ? ' ' + JSON.stringify(rest) : '';
    return `${timestamp} ${level}${component ? ` [${component}]` : ''} ${message}${extras}`;
  });
  return w.format.combine(scrub(), w.format.timestamp(), format === 'json' ? w.format.json() : human);
}

/** A logger that drops everything, for tests and library use. */
export function silentLogger(): Logger {
  const drop: LogMethod = () => {};
  const silent: Logger = {
    error: drop,
    warn: drop,
    info: drop,
    debug: drop,
    child: () => silent,
    isDebugEnabled: () => false,
  };
  return silent;
}
