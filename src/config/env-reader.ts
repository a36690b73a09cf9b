/**
 * Reads one setting from a flag or an environment variable (the flag wins), parses it, and records a
 * malformed value as an issue naming where it came from (`MCP_PORT`, `--port`), so all of them are reported
 * at once.
 */
import { ConfigError, type ConfigIssue } from '../errors';

export type Env = Record<string, string | undefined>;

const TRUE = ['true', '1', 'yes', 'on'];
const FALSE = ['false', '0', 'no', 'off'];

export class EnvReader {
  readonly issues: ConfigIssue[] = [];
  constructor(private readonly env: Env) {}

  /** The flag's value if given, else the variable's; an empty variable counts as unset. */
  raw(
    variable: string,
    flag?: { name: string; value: string | undefined },
  ): { value: string; source: string } | undefined {
    if (flag?.value !== undefined) return { value: flag.value, source: flag.name };
    const v = this.env[variable];
    return v === undefined || v === '' ? undefined : { value: v, source: variable };
  }

  number(
    variable: string,
    opts: { min?: number; max?: number; above?: number; integer?: boolean } = {},
    flag?: { name: string; value: string | undefined },
  ): number | undefined {
    const r = this.raw(variable, flag);
    if (!r) return undefined;
    const text = r.value.trim();
    const n = text === '' ? NaN : Number(text);
    const bad =
      !Number.isFinite(n) ||
      (opts.integer && !Number.isInteger(n)) ||
      (opts.min !== undefined && n < opts.min) ||
      (opts.above !== undefined && n <= opts.above) ||
      (opts.max !== undefined && n > opts.max);
    if (bad) {
      const bound = [
        opts.min !== undefined && ` ≥ ${opts.min}`,
        opts.above !== undefined && ` > ${opts.above}`,
        opts.max !== undefined && ` ≤ ${opts.max}`,
      ]
        .filter(Boolean)
        .join(' and');
      this.issues.push({
        path: r.source,
        problem: `expected ${opts.integer ? 'an integer' : 'a number'}${bound}, got ${JSON.stringify(r.value)}`,
      });
      return undefined;
    }
    return n;
  }

  boolean(variable: string, flag?: { name: string; value: string | undefined }): boolean | undefined {
    const r = this.raw(variable, flag);
    if (!r) return undefined;
    const v = r.value.trim().toLowerCase();
    if (TRUE.includes(v)) return true;
    if (FALSE.includes(v)) return false;
    this.issues.push({
      path: r.source,
      problem: `expected true or false (or 1/0, yes/no, on/off), got ${JSON.stringify(r.value)}`,
    });
    return undefined;
  }

  oneOf<T extends string>(
    variable: string,
    choices: readonly T[],
    flag?: { name: string; value: string | undefined },
  ): T | undefined {
    const r = this.raw(variable, flag);
    if (!r) return undefined;
    // Case-insensitive: MCP_LOG_LEVEL=INFO is what users of the Python router wrote.
    const v = r.value.trim().toLowerCase();
    const found = choices.find((c) => c.toLowerCase() === v);
    if (found !== undefined) return found;
    this.issues.push({
      path: r.source,
      problem: `expected one of ${choices.join(', ')}, got ${JSON.stringify(r.value)}`,
    });
    return undefined;
  }

  string(variable: string, flag?: { name: string; value: string | undefined }): string | undefined {
    return this.raw(variable, flag)?.value;
  }

  /** Throws every issue recorded so far, as one ConfigError. */
  check(): void {
    if (this.issues.length) throw new ConfigError('(command line and environment)', this.issues);
  }
}
