/**
 * Opens one MCP client connection to a backend, over stdio, streamable HTTP or SSE. The SDK stays here, at
 * the edge: the rest of the router sees a BackendLink.
 */
import type {
  Client,
  ClientCapabilities,
  DiscoverResult,
  Implementation,
  LoggingLevel,
  PriorDiscovery,
  ServerCapabilities,
  Transport,
} from '@modelcontextprotocol/client';
import { realClock, type RouterClock } from '../clock';
import { backendSchemaValidator, sdkClient } from '../protocol/sdk-client';
import type { BackendConfig } from '../config/types';
import type { Logger } from '../logging/logger';
import { BackendCalls, type CallOptions, type ModernWire } from './backend-calls';
import { negotiationFor, protocolRefusal, ProtocolRefusedError } from './backend-era';
import { cappedFetch } from './capped-fetch';
import { BackendProcessError, ChildStdioTransport } from './child-stdio-transport';
import { callWithInputRounds } from './input-rounds';
import { ListenStream } from './listen-stream';
import { MAX_MESSAGE_CHARS, type OversizedLine } from './line-reader';

export interface BackendLink {
  readonly client: Client;
  readonly transport: 'stdio' | 'streamable-http' | 'sse';
  readonly capabilities: ServerCapabilities;
  readonly serverInfo: Implementation | undefined;
  /** The revision spoken on this link ("2025-11-25", "2026-07-28", ...). */
  readonly protocolVersion: string | undefined;
  /** 2026-07-28 (stateless requests, input_required, subscriptions/listen) or the 2025 era (initialize). */
  readonly era: 'modern' | 'legacy';
  /** A 2026 backend's advertisement, as its probe (or the remembered verdict) gave it. */
  readonly discoverResult: DiscoverResult | undefined;
  /** Child process id of a stdio backend. */
  readonly pid: number | null;
  /** How long the backend says its lists stay true (a 2026 backend's ttlMs), set when they are read. */
  listsTtlMs: number | undefined;
  /** A 2026 backend: opens its subscriptions/listen stream (2025 backends send their notifications unasked). */
  listen(): Promise<void>;
  /** A request on the request path (tools/call, resources/read, ...): the result passes through untouched. */
  call(method: string, params: Record<string, unknown>, options?: CallOptions): Promise<Record<string, unknown>>;
  /** The level of the log messages the clients want: logging/setLevel on 2025, each request's envelope on 2026. */
  setLogLevel(level: LoggingLevel): Promise<void>;
  /** A new MCP session on the same backend (an HTTP server that forgot ours answers 404). */
  reinitialize(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenLinkOptions {
  logger: Logger;
  clientInfo: Implementation;
  /** Called once when the connection ends without close() being called. */
  onLost: (reason: string) => void;
  /** Lets the caller register handlers (notifications, server→client requests) before connecting. */
  prepare?: (client: Client) => void;
  signal?: AbortSignal;
  /** What an earlier connection learnt of the backend's era: no probe this time. */
  prior?: PriorDiscovery;
  /** The router's clock (the listen stream's backoff). */
  clock?: RouterClock;
  /** A 2026 backend's listen stream was reopened after a drop: its lists may have changed unannounced. */
  onStale?: () => void;
}

/** The router serves many clients: it declares every capability, and checks each request against its client. */
const CAPABILITIES: ClientCapabilities = { sampling: {}, elicitation: {}, roots: { listChanged: true } };

/** Pages of a list followed before giving up (the SDK's default of 64 is lower than what we accept). */
const MAX_LIST_PAGES = 1000;

function newClient(config: BackendConfig, options: OpenLinkOptions): Client {
  const client = new (sdkClient().Client)(options.clientInfo, {
    capabilities: CAPABILITIES,
    versionNegotiation: negotiationFor(config.protocol),
    listMaxPages: MAX_LIST_PAGES,
    jsonSchemaValidator: backendSchemaValidator,
  });
  options.prepare?.(client);
  return client;
}

function stdioTransport(config: BackendConfig, logger: Logger): ChildStdioTransport {
  return new ChildStdioTransport(
    { command: config.command!, args: config.args, env: { ...inheritedEnv(), ...config.env }, cwd: config.cwd },
    logger,
    secretsHidden(config),
  );
}

/** A backend may print what its config gave it (a token in env or headers): not into our log or last_error. */
function secretsHidden(config: BackendConfig): (text: string) => string {
  const secrets = [...Object.values(config.env), ...Object.values(config.headers)].filter((v) => v.length >= 6);
  return (text) => secrets.reduce((t, secret) => t.split(secret).join('***'), text);
}

/** The child gets the router's PATH and locale so `node`, `npx`, `uvx` resolve as in the user's shell. */
function inheritedEnv(): Record<string, string> {
  const keep = [
    'PATH',
    'HOME',
    'USER',
    'LOGNAME',
    'SHELL',
    'TERM',
    'LANG',
    'LC_ALL',
    'TMPDIR',
    'SystemRoot',
    'APPDATA',
    'NODE_OPTIONS',
  ];
  const out: Record<string, string> = {};
  for (const key of keep) {
    const value = process.env[key];
    // A value that starts with "()" is an exported shell function (as the SDK's own filter skips).
    if (value !== undefined && !value.startsWith('()')) out[key] = value;
  }
  return out;
}

async function connectWith(
  client: Client,
  transport: Transport,
  config: BackendConfig,
  options: OpenLinkOptions,
): Promise<BackendCalls> {
  try {
    await client.connect(transport, { signal: options.signal, prior: options.prior });
  } catch (error) {
    throw protocolRefusal(error, config.protocol) ?? error;
  }
  keepProgressBeforeResponse(transport);
  return new BackendCalls(transport, modernWire(client, transport, options.clientInfo));
}

/** A 2026 connection's wire: the envelope, built once (and again when the log level changes). */
class EnvelopeWire implements ModernWire {
  private built: Record<string, unknown> | undefined;
  private level: LoggingLevel | undefined;

  constructor(
    private readonly version: string | undefined,
    private readonly clientInfo: Implementation,
    readonly perRequestStream: boolean,
  ) {}

  get logLevel(): LoggingLevel | undefined {
    return this.level;
  }

  set logLevel(level: LoggingLevel | undefined) {
    this.level = level;
    this.built = undefined;
  }

  envelope(): Record<string, unknown> {
    return (this.built ??= this.build());
  }

  private build(): Record<string, unknown> {
    const keys = sdkClient();
    return {
      [keys.PROTOCOL_VERSION_META_KEY]: this.version,
      [keys.CLIENT_INFO_META_KEY]: this.clientInfo,
      [keys.CLIENT_CAPABILITIES_META_KEY]: CAPABILITIES,
      // Absent, a 2026 server sends no log messages at all.
      ...(this.level && { [keys.LOG_LEVEL_META_KEY]: this.level }),
    };
  }
}

function modernWire(client: Client, transport: Transport, clientInfo: Implementation): EnvelopeWire | undefined {
  if (client.getProtocolEra() !== 'modern') return undefined;
  return new EnvelopeWire(client.getNegotiatedProtocolVersion(), clientInfo, transport.hasPerRequestStream === true);
}

/**
 * The SDK client runs a notification's handler a microtask after it arrives, but handles a response at once,
 * and drops the request's progress handler with it. A backend's last progress notification and its result
 * often arrive in one chunk: without this the last progress never reaches the client. Responses wait one
 * microtask, behind the notifications that came before them.
 */
function keepProgressBeforeResponse(transport: Transport): void {
  const deliver = transport.onmessage;
  if (!deliver) return;
  transport.onmessage = (message, extra) => {
    if ('id' in message && !('method' in message)) queueMicrotask(() => deliver(message, extra));
    else deliver(message, extra);
  };
}

interface Connected {
  client: Client;
  transport: Transport;
  kind: BackendLink['transport'];
  calls: BackendCalls;
  stream?: ListenStream;
}

function wireOf(c: Connected): EnvelopeWire | undefined {
  return c.calls.modern as EnvelopeWire | undefined;
}

async function connectOnce(config: BackendConfig, options: OpenLinkOptions): Promise<Connected> {
  if (config.transport === 'stdio') {
    const transport = stdioTransport(config, options.logger);
    // Spawned before the client is made: at start-up every stdio backend is then spawned before the SDK client
    // package loads (protocol/sdk-client.ts), and boots meanwhile. A spawn that fails throws here, as before.
    await transport.launch();
    const client = newClient(config, options);
    try {
      const calls = await connectWith(client, transport, config, options);
      return { client, transport, kind: 'stdio', calls };
    } catch (error) {
      // "Connection closed" says nothing: the exit status and stderr of the process say why.
      await client.close().catch(() => {});
      const ended = transport.ended();
      // Launched before the client: a connect that failed before it took the transport leaves the process to us.
      await transport.close().catch(() => {});
      if (error instanceof BackendProcessError || error instanceof ProtocolRefusedError) throw error;
      // It ended while being asked which era it speaks: a 2025 server that exits on any request before initialize.
      const probing = !options.prior && (config.protocol ?? 'auto') === 'auto';
      if (ended && probing && transport.probed()) throw new ExitedOnProbeError(ended);
      throw ended ?? error;
    }
  }
  const client = newClient(config, options);
  const { SSEClientTransport, StreamableHTTPClientTransport } = sdkClient();
  const url = new URL(config.url!);
  const requestInit = { headers: config.headers };
  const sse = () =>
    new SSEClientTransport(url, { requestInit, eventSourceInit: { fetch: withHeaders(config.headers) } });
  if (config.transport === 'sse') {
    const transport = sse();
    const calls = await connectWith(client, transport, config, options);
    return { client, transport, kind: 'sse', calls };
  }
  const transport = new StreamableHTTPClientTransport(url, {
    requestInit,
    fetch: cappedFetch(logOversized(options.logger)),
  });
  try {
    const calls = await connectWith(client, transport, config, options);
    return { client, transport, kind: 'streamable-http', calls };
  } catch (error) {
    if (config.transport !== 'auto' || error instanceof ProtocolRefusedError) throw error;
    // Older servers speak only HTTP+SSE: try that before giving up.
    await client.close().catch(() => {});
    options.logger.debug('streamable HTTP failed, trying SSE', { error: String(error) });
    const fallbackClient = newClient(config, options);
    const fallback = sse();
    const calls = await connectWith(fallbackClient, fallback, config, options);
    return { client: fallbackClient, transport: fallback, kind: 'sse', calls };
  }
}

export async function openLink(config: BackendConfig, options: OpenLinkOptions): Promise<BackendLink> {
  let current = await connectOnce(config, options);
  let closing: Promise<void> | undefined;
  let listening = false;
  const streamOf = (c: Connected): ListenStream | undefined => {
    if (!c.calls.modern) return undefined;
    return (c.stream ??= new ListenStream({
      client: c.client,
      capabilities: c.client.getServerCapabilities() ?? {},
      clock: options.clock ?? realClock,
      logger: options.logger,
      onReopened: () => options.onStale?.(),
      onGone: (reason) => {
        if (!closing && current === c) options.onLost(reason);
      },
    }));
  };
  /** A 2026 backend has no resources/subscribe: the resource joins the listen stream's filter. */
  const subscription = (c: Connected, method: string, params: Record<string, unknown>) => {
    const stream = streamOf(c);
    const uri = String(params.uri);
    if (!stream) return undefined;
    return (method === 'resources/subscribe' ? stream.subscribe(uri) : stream.unsubscribe(uri)).then(() => ({}));
  };
  const watch = (c: Connected) => {
    c.client.onclose = () => {
      if (closing || current !== c) return;
      const ended = c.transport instanceof ChildStdioTransport ? c.transport.ended() : undefined;
      options.onLost(ended?.message ?? 'connection closed');
    };
  };
  watch(current);
  return {
    get client() {
      return current.client;
    },
    get transport() {
      return current.kind;
    },
    get capabilities() {
      return current.client.getServerCapabilities() ?? {};
    },
    get serverInfo() {
      return current.client.getServerVersion();
    },
    get protocolVersion() {
      return current.client.getNegotiatedProtocolVersion();
    },
    get era() {
      return current.client.getProtocolEra() === 'modern' ? 'modern' : 'legacy';
    },
    get discoverResult() {
      return current.client.getDiscoverResult();
    },
    get pid() {
      return current.transport instanceof ChildStdioTransport ? current.transport.pid : null;
    },
    listsTtlMs: undefined,
    async listen() {
      listening = true;
      await streamOf(current)?.start();
    },
    call(method, params, callOptions) {
      const c = current;
      const { calls } = c;
      if (!calls.modern) return calls.call(method, params, callOptions);
      if (method === 'resources/subscribe' || method === 'resources/unsubscribe')
        return subscription(c, method, params) ?? Promise.resolve({});
      // A 2026 backend asks for input in its result: the link asks the calling client and retries.
      return callWithInputRounds(calls, method, params, callOptions);
    },
    async setLogLevel(level) {
      const wire = wireOf(current);
      if (wire) wire.logLevel = level;
      else if (current.client.getServerCapabilities()?.logging) await current.client.setLoggingLevel(level);
    },
    async reinitialize() {
      const stale = current;
      // A 2026 backend keeps no session to forget (its HTTP 404 is an answer, such as method not found).
      if (stale.calls.modern) return;
      const level = wireOf(stale)?.logLevel;
      const next = await connectOnce(config, { ...options, prior: verdictOf(stale.client) });
      const wire = wireOf(next);
      if (wire && level) wire.logLevel = level;
      current = next;
      watch(next);
      await stale.stream?.stop();
      if (listening) await streamOf(next)?.start();
      await stale.client.close().catch(() => {});
    },
    close() {
      const c = current;
      closing ??= (async () => {
        await c.stream?.stop();
        await c.client.close().catch(() => {});
      })();
      return closing;
    },
  };
}

/** What a connection learnt of the era, for the next one. */
export function verdictOf(client: Client): PriorDiscovery | undefined {
  const era = client.getProtocolEra();
  if (era === undefined) return undefined;
  const discover = client.getDiscoverResult();
  return era === 'modern' && discover ? { kind: 'modern', discover } : { kind: 'legacy' };
}

/** A stdio backend that ended while probed (before initialize): it is a 2025 server; spawn it again without a probe. */
export class ExitedOnProbeError extends Error {
  constructor(readonly ended: BackendProcessError) {
    super(`${ended.message} (while asked with server/discover which MCP era it speaks: it is a 2025-era server)`);
    this.name = 'ExitedOnProbeError';
  }
}

function logOversized(logger: Logger) {
  return (line: OversizedLine) =>
    logger.warn(
      line.id === undefined
        ? `dropped a message of ${line.chars}+ bytes from the backend: over the limit of ${MAX_MESSAGE_CHARS}; it was no answer to a call, so no call failed`
        : `the answer to call ${line.id} was ${line.chars}+ bytes, over the limit of ${MAX_MESSAGE_CHARS}: that call failed, the connection stays up`,
    );
}

/** EventSource does not take headers itself; its fetch does. */
function withHeaders(headers: Record<string, string>): typeof fetch {
  return (input, init) =>
    fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...headers } });
}
