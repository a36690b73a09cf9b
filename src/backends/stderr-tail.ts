/**
 * What a stdio backend writes on stderr: each line goes to the router's debug log, and the last few are kept,
 * because when a backend fails to start its stderr usually says why ("None of the specified directories are
 * accessible", a stack trace, "command not found").
 */
import type { Logger } from '../logging/logger';

export const TAIL_LINES = 20;
export const TAIL_CHARS = 2048;
/** A line without its newline this long is logged (and kept) as it is. */
const MAX_PENDING = 8192;

export class StderrTail {
  private pending = '';
  private lines: string[] = [];

  /** `redact` hides the config's secrets, which a backend may well print. */
  constructor(
    private readonly logger: Logger,
    private readonly redact: (text: string) => string = (t) => t,
  ) {}

  write(chunk: Buffer): void {
    this.pending += chunk.toString('utf8');
    let nl: number;
    while ((nl = this.pending.indexOf('\n')) >= 0) {
      this.line(this.pending.slice(0, nl));
      this.pending = this.pending.slice(nl + 1);
    }
    if (this.pending.length > MAX_PENDING) {
      this.line(this.pending);
      this.pending = '';
    }
  }

  private line(raw: string): void {
    const line = this.redact(raw.trimEnd());
    if (!line) return;
    this.logger.debug(line, { stream: 'stderr' });
    this.lines.push(line);
    if (this.lines.length > TAIL_LINES) this.lines.shift();
  }

  /** The last lines (at most TAIL_LINES, TAIL_CHARS), with an unfinished last line; '' when there were none. */
  text(): string {
    const all = [...this.lines, this.redact(this.pending.trimEnd())].filter(Boolean).join('\n');
    return all.length > TAIL_CHARS ? `…${all.slice(-TAIL_CHARS)}` : all;
  }
}
