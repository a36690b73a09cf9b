/**
 * One error type for the whole router, with a stable code. The front maps it to a JSON-RPC error once.
 */
export type RouterErrorCode =
  | 'CONFIG_INVALID'
  | 'UNKNOWN_NAME'
  | 'NO_BACKEND_AVAILABLE'
  | 'BACKEND_ERROR'
  | 'BACKEND_UNAVAILABLE'
  | 'TIMEOUT'
  | 'CANCELLED'
  | 'INVALID_PARAMS'
  | 'INTERNAL';

export class RouterError extends Error {
  constructor(
    readonly code: RouterErrorCode,
    message: string,
    readonly data?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RouterError';
  }
}

export interface ConfigIssue {
  /** Dotted path of the field, e.g. `backends[2].routes[0].fallback_to`; empty for the whole file. */
  path: string;
  problem: string;
}

/** Thrown by the config loader; each issue names the exact place of a problem in `file`. */
export class ConfigError extends RouterError {
  constructor(
    readonly file: string,
    readonly issues: ConfigIssue[],
  ) {
    super('CONFIG_INVALID', issues.map((i) => `${file}: ${i.path ? `${i.path}: ` : ''}${i.problem}`).join('\n'), {
      file,
      issues,
    });
    this.name = 'ConfigError';
  }
}
