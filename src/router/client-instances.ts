/**
 * Per-client instances: a backend with `session: per-client` gets an instance of its own for each client
 * session ("memory#3": its own process, or its own MCP session on an HTTP server). This module keeps who owns
 * which instance; the pool runs them.
 */
import type { BackendConfig } from '../config/types';

interface Instance {
  /** The configured backend it is an instance of. */
  backend: string;
  session: string;
  config: BackendConfig;
}

export class ClientInstances {
  private readonly instances = new Map<string, Instance>();
  /** Open client sessions and their instances: backend name → instance name. */
  private readonly sessions = new Map<string, Map<string, string>>();
  private nextInstance = 1;

  /** A session opens (idempotent): it gets instances from then on. */
  open(session: string): void {
    if (!this.sessions.has(session)) this.sessions.set(session, new Map());
  }

  /** The session ends: the names of its instances, which the caller drains and removes. */
  close(session: string): string[] {
    const own = this.sessions.get(session);
    this.sessions.delete(session);
    return own ? [...own.values()] : [];
  }

  openSessions(): IterableIterator<string> {
    return this.sessions.keys();
  }

  /** New instances for one session of those templates that run per client and it has none of yet. */
  create(session: string, templates: Iterable<BackendConfig>): BackendConfig[] {
    const own = this.sessions.get(session);
    if (!own) return [];
    const added: BackendConfig[] = [];
    for (const template of templates) {
      if (template.session !== 'per-client' || own.has(template.name)) continue;
      const config = { ...template, name: `${template.name}#${this.nextInstance++}` };
      this.instances.set(config.name, { backend: template.name, session, config });
      own.set(template.name, config.name);
      added.push(config);
    }
    return added;
  }

  /** An instance has been removed. */
  forget(name: string): void {
    const instance = this.instances.get(name);
    if (!instance) return;
    this.instances.delete(name);
    const own = this.sessions.get(instance.session);
    if (own?.get(instance.backend) === name) own.delete(instance.backend);
  }

  isInstance(name: string): boolean {
    return this.instances.has(name);
  }

  config(name: string): BackendConfig | undefined {
    return this.instances.get(name)?.config;
  }

  /** The session an instance serves (undefined for a shared backend). */
  ownerOf(name: string): string | undefined {
    return this.instances.get(name)?.session;
  }

  /** The configured backend an instance belongs to (the name itself for a shared backend). */
  templateOf(name: string): string {
    return this.instances.get(name)?.backend ?? name;
  }

  /** The session's own instances, by configured backend (undefined when it has none open). */
  ofSession(session: string | undefined): ReadonlyMap<string, string> | undefined {
    return session === undefined ? undefined : this.sessions.get(session);
  }

  /** The instances of per-client backends, one per open client session. */
  instancesOf(backends: readonly string[]): string[] {
    const out: string[] = [];
    for (const [name, owner] of this.instances) if (backends.includes(owner.backend)) out.push(name);
    return out;
  }

  names(): string[] {
    return [...this.instances.keys()];
  }
}
