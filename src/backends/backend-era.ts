/**
 * Which MCP era the router speaks to a backend: the config's `protocol`, the SDK client's negotiation mode for
 * it, the verdict a probe left (remembered so that a reconnect does not probe again), and what a refusal of
 * every version the router offers looks like.
 */
import type { ClientOptions, DiscoverResult, PriorDiscovery } from '@modelcontextprotocol/client';
import { sdkClient } from '../protocol/sdk-client';
import type { BackendProtocol } from '../config/types';

/** The 2026 revision the router speaks, and the 2025 one it offers first. */
export const MODERN_REVISION = '2026-07-28';
export const LEGACY_REVISION = '2025-11-25';

/** How long a probe may take (a 2025 stdio server that ignores unknown requests is silent this long). */
export const PROBE_TIMEOUT_MS = 10_000;

/**
 * How long a "2025 only" verdict stands. A modern verdict that went stale fails loudly at the next connect (and
 * is dropped then); a legacy one would succeed silently against an upgraded server, so it expires.
 */
export const LEGACY_VERDICT_MS = 60 * 60 * 1000;

export function negotiationFor(protocol: BackendProtocol | undefined): ClientOptions['versionNegotiation'] {
  switch (protocol ?? 'auto') {
    case '2025-11-25':
      return undefined;
    case '2026-07-28':
      return { mode: { pin: MODERN_REVISION }, probe: { timeoutMs: PROBE_TIMEOUT_MS } };
    default:
      return { mode: 'auto', probe: { timeoutMs: PROBE_TIMEOUT_MS } };
  }
}

export interface Verdict {
  prior: PriorDiscovery;
  at: number;
  /** What the verdict was learned for: a changed config (another command, URL or protocol) probes again. */
  key: string;
}

/** What a verdict is about: the parts of a backend's config that decide which server answers, and how. */
export function verdictKey(config: {
  transport: string;
  url?: string;
  command?: string;
  args: string[];
  protocol?: BackendProtocol;
}): string {
  return JSON.stringify([config.transport, config.url ?? null, config.command ?? null, config.args, config.protocol]);
}

/** The verdicts of one pool's backends, by backend name. */
export class Verdicts {
  private readonly byName = new Map<string, Verdict>();

  constructor(private readonly now: () => number) {}

  /** The remembered verdict for this config, if it still stands. `auto` only: a pinned protocol needs none. */
  prior(name: string, key: string, protocol: BackendProtocol | undefined): PriorDiscovery | undefined {
    if ((protocol ?? 'auto') !== 'auto') return undefined;
    const verdict = this.byName.get(name);
    if (!verdict || verdict.key !== key) return undefined;
    if (verdict.prior.kind === 'legacy' && this.now() - verdict.at > LEGACY_VERDICT_MS) {
      this.byName.delete(name);
      return undefined;
    }
    return verdict.prior;
  }

  remember(name: string, key: string, discover: DiscoverResult | undefined): void {
    this.byName.set(name, { key, at: this.now(), prior: discover ? { kind: 'modern', discover } : { kind: 'legacy' } });
  }

  /** A stdio server that exits when probed is a 2025 server: the next spawn goes straight to initialize. */
  rememberLegacy(name: string, key: string): void {
    this.byName.set(name, { key, at: this.now(), prior: { kind: 'legacy' } });
  }

  /** A connection attempt failed: a modern verdict may be stale (the server was replaced), so probe again. */
  failed(name: string): void {
    if (this.byName.get(name)?.prior.kind === 'modern') this.byName.delete(name);
  }

  forget(name: string): void {
    this.byName.delete(name);
  }
}

/** The server refused every version the router offers: no retry can help, until its config or the server changes. */
export class ProtocolRefusedError extends Error {
  readonly permanent = true;
  readonly failure = 'protocol refused';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProtocolRefusedError';
  }
}

/** JSON-RPC code of "unsupported protocol version" (2026-07-28). */
const UNSUPPORTED_PROTOCOL_VERSION = -32022;

function offered(protocol: BackendProtocol | undefined): string {
  switch (protocol ?? 'auto') {
    case '2025-11-25':
      return `the router offers ${LEGACY_REVISION} only (protocol: 2025-11-25 in its config)`;
    case '2026-07-28':
      return `the router offers ${MODERN_REVISION} only (protocol: 2026-07-28 in its config)`;
    default:
      return `the router offers ${MODERN_REVISION} and the 2025 revisions up to ${LEGACY_REVISION}`;
  }
}

/**
 * A connection error that says the server speaks none of the versions the router offered, as a named, permanent
 * failure; undefined for every other error (an outage, a crash: worth retrying).
 */
export function protocolRefusal(
  error: unknown,
  protocol: BackendProtocol | undefined,
): ProtocolRefusedError | undefined {
  const message = error instanceof Error ? error.message : String(error);
  const { ProtocolError, SdkError, SdkErrorCode } = sdkClient();
  const refused =
    (error instanceof SdkError &&
      error.code === SdkErrorCode.EraNegotiationFailed &&
      /did not offer|no (modern |mutual )?overlap|no mutual|not offer/i.test(message)) ||
    (error instanceof ProtocolError && error.code === UNSUPPORTED_PROTOCOL_VERSION) ||
    /protocol version is not supported|unsupported protocol version/i.test(message);
  if (!refused) return undefined;
  return new ProtocolRefusedError(
    `the server speaks no MCP version the router offers: ${offered(protocol)}; the server said: ${message}`,
    { cause: error },
  );
}
