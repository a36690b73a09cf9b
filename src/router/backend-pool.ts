/**
 * The backend pool: the supervisor actor with one backend actor per backend (configured ones and per-client
 * instances), the configurations they run, and the live links the request path sends on.
 */
import { createActor, type InspectionEvent, type Observer } from 'xstate';
import { backendMachine, type BackendActorRef } from '../../machines/backend.machine';
import { supervisorMachine, type SupervisorActorRef } from '../../machines/supervisor.machine';
import { registerBackendClientHandlers, type BackendClientEvents } from '../backends/backend-client-handlers';
import { createLinkActor, createPingActor } from '../backends/link.actor';
import type { BackendLink } from '../backends/open-link';
import type { BackendCapabilities } from '../catalog/catalog';
import type { RouterClock } from '../clock';
import type { BackendConfig } from '../config/types';
import type { Logger } from '../logging/logger';
import { backendInput } from './backend-input';
import type { ClientOrigins } from '../backends/client-origins';

export interface BackendPoolOptions {
  clock: RouterClock;
  logger: Logger;
  clientInfo: { name: string; version: string };
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  origins: ClientOrigins;
  /** A per-client instance's configuration (the pool holds the configured backends' own). */
  instanceConfig(name: string): BackendConfig | undefined;
  /** What a backend tells its client besides answers. */
  events: BackendClientEvents;
  /** A backend's link came up (or back): the catalog and log levels follow. */
  linkUp(name: string, link: BackendLink, capabilities: BackendCapabilities): void;
}

export class BackendPool {
  readonly supervisor: SupervisorActorRef;
  /** The configured backends, in configuration order (the catalog ranks equal priorities by it). */
  private readonly configs = new Map<string, BackendConfig>();
  private readonly links = new Map<string, BackendLink>();

  constructor(options: BackendPoolOptions) {
    const link = createLinkActor({
      clock: options.clock,
      logger: options.logger,
      clientInfo: options.clientInfo,
      configOf: (name) => this.configs.get(name) ?? options.instanceConfig(name),
      linkUp: (name, l, caps) => {
        this.links.set(name, l);
        options.linkUp(name, l, caps);
      },
      linkDown: (name, l) => {
        if (this.links.get(name) === l) this.links.delete(name);
      },
      prepareClient: (name) => (client) => registerBackendClientHandlers(name, client, options.events, options.origins),
      onStale: (name) => {
        const l = this.links.get(name);
        if (l) options.events.listChanged(name, l.client);
      },
    });
    const ping = createPingActor({ clock: options.clock, linkOf: (name) => this.links.get(name) });
    const machine = supervisorMachine.provide({
      actors: {
        backend: backendMachine.provide({ actors: { link, ping } }),
      },
    });
    this.supervisor = createActor(machine, {
      clock: options.clock,
      inspect: options.inspect as Observer<InspectionEvent> | undefined,
    }) as unknown as SupervisorActorRef;
  }

  /** Configured backends join (or replace their configuration); their actors are spawned. */
  add(backends: BackendConfig[]): void {
    this.remember(backends);
    this.spawn(backends);
  }

  /** Keeps configured backends' configurations without spawning them yet (before start). */
  remember(backends: BackendConfig[]): void {
    for (const b of backends) this.configs.set(b.name, b);
  }

  /** Spawns actors for configurations the pool does not keep itself (per-client instances). */
  spawn(backends: BackendConfig[]): void {
    if (backends.length > 0) this.supervisor.send({ type: 'backends.add', backends: backends.map(backendInput) });
  }

  /** Stops the actors and closes their links; resolves when every link has closed. */
  async remove(names: string[]): Promise<void> {
    const closing = names.map((n) => this.links.get(n)).filter((l): l is BackendLink => Boolean(l));
    this.supervisor.send({ type: 'backends.remove', names });
    await Promise.all(closing.map((l) => l.close()));
    for (const name of names) this.links.delete(name);
  }

  /** A configured backend's configuration goes (after its removal, or a runtime unregister). */
  forget(name: string): void {
    this.configs.delete(name);
  }

  names(): string[] {
    return [...this.configs.keys()];
  }

  config(name: string): BackendConfig | undefined {
    return this.configs.get(name);
  }

  /** Where a configured backend stands in the configuration. */
  order(name: string): number {
    return [...this.configs.keys()].indexOf(name);
  }

  ref(name: string): BackendActorRef | undefined {
    return this.supervisor.getSnapshot().context.backends[name];
  }

  link(name: string): BackendLink | undefined {
    return this.links.get(name);
  }

  /** The live links, by backend (or instance) name. */
  liveLinks(): IterableIterator<[string, BackendLink]> {
    return this.links.entries();
  }

  get connectedCount(): number {
    return this.links.size;
  }

  start(): void {
    this.supervisor.start();
  }

  /** Stops every actor and waits for every link to close: no child process outlives it. */
  async stop(extraNames: string[]): Promise<void> {
    await this.remove([...new Set([...this.configs.keys(), ...extraNames, ...this.links.keys()])]);
    this.links.clear();
    this.supervisor.stop();
  }
}
