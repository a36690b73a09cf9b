/**
 * Fans client sessions' logging/setLevel out to the backends. A shared backend gets the most verbose level any
 * session asked for (each session is then given only its own level's messages); a session's own instances
 * get its level; a backend that (re)connects is set again, since it starts at its own default.
 */
import type { LoggingLevel } from '@modelcontextprotocol/client';
import type { BackendLink } from '../backends/open-link';
import { mostVerbose } from './log-levels';

export class BackendLogLevels {
  /** The level each client session asked for. */
  private readonly levels = new Map<string, LoggingLevel>();

  constructor(
    /** The session owning an instance (undefined for a shared backend). */
    private readonly ownerOf: (backend: string) => string | undefined,
    private readonly liveLinks: () => Iterable<[string, BackendLink]>,
  ) {}

  async set(session: string, level: LoggingLevel): Promise<void> {
    this.levels.set(session, level);
    await this.applyAll();
  }

  /** The session has gone; if it was the most verbose, shared backends go back to what the others asked for. */
  forget(session: string): void {
    if (this.levels.delete(session)) void this.applyAll();
  }

  /** A link came up: it starts at its own default, so it is told the level clients asked for. */
  linkUp(name: string, link: BackendLink): void {
    const level = this.levelFor(name);
    if (level && link.capabilities.logging) void link.setLogLevel(level).catch(() => {});
  }

  private async applyAll(): Promise<void> {
    await Promise.all(
      [...this.liveLinks()].map(([name, link]) => {
        const level = this.levelFor(name);
        if (!level || !link.capabilities.logging) return undefined;
        return link.setLogLevel(level).catch(() => {});
      }),
    );
  }

  private levelFor(backend: string): LoggingLevel | undefined {
    const owner = this.ownerOf(backend);
    return owner === undefined ? mostVerbose(this.levels.values()) : this.levels.get(owner);
  }
}
