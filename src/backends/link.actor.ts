/**
 * The effects the backend statechart names: `link` (the live connection, owned by a callback actor so no
 * handle ever sits in context) and `ping` (one health probe, bounded by the shared clock).
 */
import { fromCallback, type EventObject } from 'xstate';
import type { BackendCapabilities } from '../catalog/catalog';
import type { RouterClock } from '../clock';
import type { BackendConfig } from '../config/types';
import type { Logger } from '../logging/logger';
import { Verdicts, verdictKey } from './backend-era';
import { discoverLists } from './discover';
import { ExitedOnProbeError, openLink, verdictOf, type BackendLink, type OpenLinkOptions } from './open-link';
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
  /** A 2026 backend's lists may have changed unannounced (its listen stream was down): read them again. */
  onStale?(name: string): void;
}

/** An error's message, with its cause's when it has one ("fetch failed" says nothing; ECONNREFUSED does). */
function message(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  return cause && !error.message.includes(cause) ? `${error.message} (${cause})` : error.message;
}

/** How a failed connection attempt is reported: its reason, and whether retrying can help. */
function failedEvent(error: unknown, at: number) {
  const known = error as { permanent?: unknown; failure?: unknown };
  if (error instanceof Error && typeof known.permanent === 'boolean' && typeof known.failure === 'string')
    return { type: 'link.failed', at, error: error.message, permanent: known.permanent, failure: known.failure };
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
  // What each backend's probe found, so that a reconnect does not probe again (and a stdio server is spawned once).
  const verdicts = new Verdicts(() => deps.clock.now());
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
    const key = verdictKey(config);
    const open = (prior = verdicts.prior(input.name, key, config.protocol)) =>
      openLink(config, {
        logger: log,
        clientInfo: deps.clientInfo,
        onLost,
        signal: abort.signal,
        prepare: deps.prepareClient?.(input.name),
        prior,
        clock: deps.clock,
        onStale: () => deps.onStale?.(input.name),
      });
    (async () => {
      try {
        link = await open();
      } catch (error) {
        if (!(error instanceof ExitedOnProbeError) || stopped) throw error;
        // A 2025 stdio server that exits on any request before initialize: a second spawn, this once, without the probe.
        log.info('the backend exited when probed with server/discover: it speaks 2025 only; starting it again', {
          error: error.ended.message,
        });
        verdicts.rememberLegacy(input.name, key);
        link = await open({ kind: 'legacy' });
      }
      if (stopped) return void link.close();
      const verdict = verdictOf(link.client);
      if (verdict) verdicts.remember(input.name, key, verdict.kind === 'modern' ? verdict.discover : undefined);
      const lists = await discoverLists(link.client, link.capabilities, abort.signal);
      if (stopped) return void link.close();
      link.listsTtlMs = lists.ttlMs;
      const caps = lists.capabilities;
      deps.linkUp(input.name, link, caps);
      void link
        .listen()
        .catch((error) => log.warn('could not open the subscriptions/listen stream', { error: message(error) }));
      sendBack({
        type: 'link.connected',
        at: deps.clock.now(),
        capabilities: counts(caps),
        serverInfo: link.serverInfo ? { name: link.serverInfo.name, version: link.serverInfo.version } : undefined,
      });
      log.debug('connected', { protocolVersion: link.protocolVersion });
    })().catch((error) => {
      if (stopped) return;
      verdicts.failed(input.name);
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
      const what = deps.linkOf(input.name)?.era === 'modern' ? 'server/discover' : 'ping';
      settle({ type: 'probe.failed', at: clock.now(), error: `no answer to ${what} within ${input.timeoutMs} ms` });
    }, input.timeoutMs);
    const link = deps.linkOf(input.name);
    if (!link) {
      settle({ type: 'probe.failed', at: clock.now(), error: 'not connected' });
    } else {
      // 2026-07-28 has no ping: server/discover is the cheapest request every 2026 server answers.
      const options = { signal: abort.signal, timeout: input.timeoutMs + 1000 };
      const ping = () => (link.era === 'modern' ? link.client.discover(options) : link.client.ping(options));
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
