/**
 * Applies edits of the config file to the running router: on file change (watched), on SIGHUP, and from the
 * reload_backends_config tool. An invalid edit is refused with the loader's message and changes nothing.
 * The router never writes the user's file.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { realClock, type RouterClock } from '../clock';
import type { LoadedConfig } from '../config/types';
import { ConfigError } from '../errors';
import type { Logger } from '../logging/logger';

/** What a reload needs of the router: applying a configuration it has read. */
export interface ConfigApplier {
  applyConfig(next: LoadedConfig): Promise<{ added: string[]; removed: string[]; changed: string[] }>;
}

export interface ReloadReport {
  ok: boolean;
  added: string[];
  removed: string[];
  changed: string[];
  refused: string[];
}

export class ConfigReloader {
  private watcher: FSWatcher | undefined;
  private debounce: unknown;
  private running: Promise<ReloadReport> | undefined;

  constructor(
    private readonly router: ConfigApplier,
    private readonly load: () => LoadedConfig | Promise<LoadedConfig>,
    private readonly logger: Logger,
    private readonly clock: RouterClock = realClock,
  ) {}

  async reload(trigger: string): Promise<ReloadReport> {
    // One reload at a time; a burst of edits ends with the file's last state applied.
    while (this.running) await this.running.catch(() => {});
    this.running = this.apply(trigger);
    try {
      return await this.running;
    } finally {
      this.running = undefined;
    }
  }

  private async apply(trigger: string): Promise<ReloadReport> {
    let next: LoadedConfig;
    try {
      next = await this.load();
    } catch (error) {
      const refused =
        error instanceof ConfigError ? error.issues.map((i) => `${i.path || '(file)'}: ${i.problem}`) : [String(error)];
      this.logger.error(`configuration edit refused (${trigger}); the running backends keep serving`, {
        problems: refused,
      });
      return { ok: false, added: [], removed: [], changed: [], refused };
    }
    const result = await this.router.applyConfig(next);
    return { ok: true, ...result, refused: [] };
  }

  /** Watches the directory, not the file: editors often replace a file rather than write into it. */
  watch(file: string): void {
    const name = basename(file);
    try {
      this.watcher = watch(dirname(file), (_event, changed) => {
        if (changed && changed.toString() !== name) return;
        this.clock.clearTimeout(this.debounce);
        this.debounce = this.clock.setTimeout(() => void this.reload('file changed'), 200);
      });
      this.watcher.on('error', (error) =>
        this.logger.warn('config watcher failed; SIGHUP still reloads', { error: String(error) }),
      );
    } catch (error) {
      this.logger.warn('cannot watch the config file; SIGHUP still reloads', { error: String(error) });
    }
  }

  close(): void {
    this.clock.clearTimeout(this.debounce);
    this.watcher?.close();
  }
}
