/**
 * The effects the backend statechart names: `link` (the live connection, owned by a callback actor so no
 * handle ever sits in context) and `ping` (one health probe, bounded by the shared clock).
 */
import { fromCallback, type EventObject } from 'xstate';
import type { BackendCapabilities } from '../catalog/catalog';
import type { RouterClock } from '../clock';
import type { BackendConfig } from '../config/types';
import type { Logger } from '../logging/logger';
import { BackendProcessError } from './child-stdio-transport';
import { discoverCapabilities } from './discover';
import { openLink, type BackendLink, type OpenLinkOptions } from './open-link';
import { isSessionExpired } from '../protocol/failure-policy';

export interface LinkDependencies {
  clock: RouterClock;
  logger: Logger;
  clientInfo: { name: string; version: string };
  configOf(name: string): BackendConfig | undefined;
  /** The live link, for the request path; set when connected, cleared when lost or stopped. */
  linkUp(name: string, link: BackendLink, capabilities: BackendCapabilities): void;
  linkDown(name: string, link: BackendLink): void;
  prepareClient?: OpenLinkOptions['prepare'] extends infer P ? (name: string) => P : never;
}

/** An error's message, with its cause's when it has one ("fetch failed" says nothing; ECONNREFUSED does). */
function message(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  return cause && !error.message.includes(cause) ? `${error.message} (${cause})` : error.message;
}

/** How a failed connection attempt is reported: its reason, and whether retrying can help. */
function failedEvent(error: unknown, at: number) {
  if (error instanceof BackendProcessError)
    return { type: 'link.failed', at, error: error.message, permanent: error.permanent, failure: error.failure };
  return { type: 'link.failed', at, error: message(error) };
}

export function counts(caps: BackendCapabilities) {
  return {
    tools: caps.tools.length,
    resources: caps.resources.length,
    resourceTemplates: caps.resourceTemplates.length,
    prompts: caps.prompts.length,
  };
}

export function createLinkActor(deps: LinkDependencies) {
  return fromCallback<EventObject, { name: string }>(({ input, sendBack }) => {
    const config = deps.configOf(input.name);
    const log = deps.logger.child({ backend: input.name });
    const abort = new AbortController();
    let link: BackendLink | undefined;
    let stopped = false;
    if (!config) {
      sendBack({ type: 'link.failed', at: deps.clock.now(), error: 'no configuration for this backend' });
      return () => {};
    }
    const onLost = (reason: string) => {
      if (stopped) return;
      if (link) deps.linkDown(input.name, link);
      sendBack({ type: 'link.lost', at: deps.clock.now(), error: reason });
    };
    (async () => {
      link = await openLink(config, {
        logger: log,
        clientInfo: deps.clientInfo,
        onLost,
        signal: abort.signal,
        prepare: deps.prepareClient?.(input.name),
      });
      if (stopped) return void link.close();
      const caps = await discoverCapabilities(link.client, link.capabilities, abort.signal);
      if (stopped) return void link.close();
      deps.linkUp(input.name, link, caps);
      sendBack({
        type: 'link.connected',
        at: deps.clock.now(),
        capabilities: counts(caps),
        serverInfo: link.serverInfo ? { name: link.serverInfo.name, version: link.serverInfo.version } : undefined,
      });
    })().catch((error) => {
      if (stopped) return;
      void link?.close();
      sendBack(failedEvent(error, deps.clock.now()));
    });
    return () => {
      stopped = true;
      abort.abort();
      if (link) {
        deps.linkDown(input.name, link);
        void link.close();
      }
    };
  });
}

export function createPingActor(deps: { clock: RouterClock; linkOf(name: string): BackendLink | undefined }) {
  return fromCallback<EventObject, { name: string; timeoutMs: number }>(({ input, sendBack }) => {
    const { clock } = deps;
    const started = clock.now();
    const abort = new AbortController();
    let settled = false;
    const settle = (event: EventObject & Record<string, unknown>) => {
      if (settled) return;
      settled = true;
      clock.clearTimeout(timer);
      sendBack(event);
    };
    const timer = clock.setTimeout(() => {
      abort.abort();
      settle({ type: 'probe.failed', at: clock.now(), error: `no answer to ping within ${input.timeoutMs} ms` });
    }, input.timeoutMs);
    const link = deps.linkOf(input.name);
    if (!link) {
      settle({ type: 'probe.failed', at: clock.now(), error: 'not connected' });
    } else {
      const ping = () => link.client.ping({ signal: abort.signal, timeout: input.timeoutMs + 1000 });
      ping()
        .catch(async (error) => {
          // A restarted HTTP server no longer knows our session: a new session, then the probe again.
          if (!isSessionExpired(error) || settled) throw error;
          await link.reinitialize();
          return ping();
        })
        .then(() => settle({ type: 'probe.succeeded', at: clock.now(), latencyMs: clock.now() - started }))
        .catch((error) => settle({ type: 'probe.failed', at: clock.now(), error: message(error) }));
    }
    return () => {
      settled = true;
      clock.clearTimeout(timer);
      abort.abort();
    };
  });
}
