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

/** Longest part of a caller's value that a message quotes back. */
export const QUOTE_MAX_CHARS = 120;

/**
 * Invisible or direction-changing characters: bidi embeddings, overrides and isolates, marks, zero-widths,
 * line and paragraph separators. JSON.stringify leaves them as they are, and shown in a log or a UI they can
 * make a quoted value read as something else.
 */
const INVISIBLE = /[\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/**
 * A value from a caller (or a file), quoted for a message: a string JSON-quoted, anything else as its JSON;
 * invisible characters escaped too, and cut to `max` characters with the length said, so that a hostile value
 * never makes a message megabytes long or turns its text around.
 */
export function quote(value: unknown, max = QUOTE_MAX_CHARS): string {
  const isString = typeof value === 'string';
  const text = isString ? value : (JSON.stringify(value) ?? String(value));
  const cut = text.length > max ? text.slice(0, max) : text;
  const shown = (isString ? JSON.stringify(cut) : cut).replace(
    INVISIBLE,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return cut === text ? shown : `${shown}… (${text.length} characters)`;
}
