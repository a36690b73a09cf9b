/**
 * MCP's log levels, least severe first. A client's logging/setLevel asks for its level and everything more
 * severe; a backend shared by several clients is set to the most verbose level any of them asked for, and
 * the router gives each client only what it asked for.
 */
import type { LoggingLevel } from '@modelcontextprotocol/client';

const LOG_LEVELS: readonly LoggingLevel[] = [
  'debug',
  'info',
  'notice',
  'warning',
  'error',
  'critical',
  'alert',
  'emergency',
];

/** Whether a message at `level` is one a client that asked for `wanted` gets (all of them when it asked for none). */
export function isWanted(level: unknown, wanted: LoggingLevel | undefined): boolean {
  return wanted === undefined || LOG_LEVELS.indexOf(level as LoggingLevel) >= LOG_LEVELS.indexOf(wanted);
}

/** The most verbose of the levels asked for, or undefined when none was. */
export function mostVerbose(levels: Iterable<LoggingLevel>): LoggingLevel | undefined {
  let best: LoggingLevel | undefined;
  for (const level of levels)
    if (best === undefined || LOG_LEVELS.indexOf(level) < LOG_LEVELS.indexOf(best)) best = level;
  return best;
}
