/**
 * The router as a 2026-07-28 server: one stateless request at a time, each carrying its client's envelope
 * (version, capabilities, identity, log level) in `_meta`. Transports (HTTP, stdio) bring a request and a
 * way to send notifications on its stream; this module answers it from the aggregate, forwards it through the
 * dispatcher, or holds it for the client's input (held-calls.ts). subscriptions/listen is in listen-stream.ts.
 */
import type { LoggingLevel } from '@modelcontextprotocol/sdk/types.js';
import { refusalFor } from '../backends/backend-client-handlers';
import type { ClientOrigin, InputRequests, ModernOrigin } from '../backends/client-origins';
import type { RouterClock } from '../clock';
import {
  asModernResult,
  isRemovedMethod,
  MODERN_PROTOCOL_VERSIONS,
  ModernError,
  readEnvelope,
  serverMeta,
  unsupportedVersion,
  type Envelope,
  MODERN_ERRORS,
} from '../protocol/modern';
import { wireError, type WireError } from '../protocol/wire-error';
import { isWanted } from '../router/log-levels';
import type { Router } from '../router/router';
import { toMcpError } from './client-errors';
import { advertisedCapabilities, ClientOperations, type CallContext } from './client-operations';
import { HeldCalls, ModernCall, type CallRound } from './held-calls';
import { writtenOnce } from './written-once';

type Fields = Record<string, unknown>;

export interface ModernRequest {
  id: string | number;
  method: string;
  params?: Fields;
}

/** One request as a transport brings it. */
export interface ModernExchange {
  /** Who is asking, for the caps on held calls: the peer address over HTTP, the connection over stdio. */
  clientKey: string;
  /** A notification on this request's own stream. */
  notify(method: string, params: Fields | undefined): void;
  /** The client gave up on this request (HTTP: it closed the stream; stdio: notifications/cancelled). */
  onClientGone(listener: () => void): () => void;
}

export type ModernAnswer = { result: Fields } | { error: WireError; httpStatus: number };

export interface ModernFrontOptions {
  router: Router;
  serverName: string;
  version: string;
  clock: RouterClock;
  instructions?: string;
  heldCalls?: HeldCalls;
}

/** The session key under which 2026 requests' log levels reach the backends (they have no session). */
const MODERN_LOG_SESSION = 'mcp-2026-clients';

const FORWARDED = new Set(['tools/call', 'prompts/get', 'resources/read', 'completion/complete']);

const MODERN_400 = new Set<number>([
  MODERN_ERRORS.HEADER_MISMATCH,
  MODERN_ERRORS.MISSING_REQUIRED_CLIENT_CAPABILITY,
  MODERN_ERRORS.UNSUPPORTED_PROTOCOL_VERSION,
]);

function errorAnswer(error: unknown): ModernAnswer {
  if (error instanceof ModernError) {
    const wire: WireError = { code: error.code, message: error.message };
    if (error.data !== undefined) wire.data = error.data;
    return { error: wire, httpStatus: error.httpStatus ?? (error.code === -32601 ? 404 : 200) };
  }
  const wire = wireError(toMcpError(error));
  // A 2026 backend's own header, capability or version refusal keeps the status the protocol gives it.
  return { error: wire, httpStatus: MODERN_400.has(wire.code) ? 400 : 200 };
}

export class ModernFront {
  readonly operations: ClientOperations;
  readonly held: HeldCalls;
  private readonly serverInfo: { name: string; version: string };
  private backendLogLevel: LoggingLevel | undefined;
  /** Numbers each call's origin: a 2026 call is its own origin, as a 2025 session is. */
  private callCount = 0;
  private lastToolsList: { tools: readonly Fields[]; ttlMs: number; cacheScope: string; result: Fields } | undefined;

  constructor(private readonly options: ModernFrontOptions) {
    this.operations = new ClientOperations(options.router, true);
    this.held = options.heldCalls ?? new HeldCalls({ clock: options.clock });
    this.serverInfo = { name: options.serverName, version: options.version };
  }

  /** The envelope of a request, or the error it gets (a front checks it before anything else). */
  envelopeOf(request: ModernRequest): Envelope {
    const envelope = readEnvelope(request.params);
    if ('problem' in envelope) throw new ModernError(-32602, `Invalid params: ${envelope.problem}`, undefined, 400);
    if (!(MODERN_PROTOCOL_VERSIONS as readonly string[]).includes(envelope.protocolVersion))
      throw unsupportedVersion(envelope.protocolVersion, MODERN_PROTOCOL_VERSIONS);
    return envelope;
  }

  async handle(request: ModernRequest, exchange: ModernExchange): Promise<ModernAnswer> {
    try {
      const envelope = this.envelopeOf(request);
      // Forwarded calls, the most frequent, straight to their path: one async layer fewer.
      const result = FORWARDED.has(request.method)
        ? await this.forwarded(request, request.params ?? {}, envelope, exchange)
        : await this.run(request, envelope);
      return { result: asModernResult(result, this.serverInfo) };
    } catch (error) {
      return errorAnswer(error);
    }
  }

  /** server/discover: what the aggregate offers, for every 2026 client. */
  async discover(): Promise<Fields> {
    const { router } = this.options;
    await router.whenSettled();
    return {
      supportedVersions: [...MODERN_PROTOCOL_VERSIONS],
      capabilities: advertisedCapabilities(router.aggregateCapabilities()),
      ...(this.options.instructions ? { instructions: this.options.instructions } : {}),
      ...this.cachePolicy(),
    };
  }

  /**
   * How long a client may trust a list: no longer than the router itself trusts the shortest-lived backend's
   * lists (a 2026 backend's own ttlMs, else the capability cache's), and private when any backend behind it is
   * per-client.
   */
  cachePolicy(): { ttlMs: number; cacheScope: 'public' | 'private' } {
    const { router } = this.options;
    const cacheMs = router.settings.cacheTtlSeconds * 1000;
    let ttlMs = Infinity;
    let isPrivate = false;
    for (const name of router.backendNames()) {
      ttlMs = Math.min(ttlMs, router.linkOf(name)?.listsTtlMs ?? cacheMs);
      if (router.backendConfig(name)?.session === 'per-client') isPrivate = true;
    }
    return { ttlMs: Number.isFinite(ttlMs) ? ttlMs : cacheMs, cacheScope: isPrivate ? 'private' : 'public' };
  }

  /**
   * tools/list: one frozen result, marked to be written as JSON once (written-once.ts), for as long as the list
   * and the cache policy stay the same. Over a large aggregate most of a tools/list is serializing the list.
   */
  private async toolsList(): Promise<Fields> {
    const { tools } = await this.operations.listToolsResult();
    const { ttlMs, cacheScope } = this.cachePolicy();
    const last = this.lastToolsList;
    if (last?.tools === tools && last.ttlMs === ttlMs && last.cacheScope === cacheScope) return last.result;
    const result = writtenOnce(
      Object.freeze({ tools, ttlMs, cacheScope, resultType: 'complete', _meta: serverMeta(this.serverInfo) }),
    );
    this.lastToolsList = { tools, ttlMs, cacheScope, result };
    return result;
  }

  private async run(request: ModernRequest, envelope: Envelope): Promise<Fields> {
    const { method } = request;
    switch (method) {
      case 'server/discover':
        return this.discover();
      case 'tools/list':
        return this.toolsList();
      case 'prompts/list':
        return { prompts: await this.operations.listPrompts(), ...this.cachePolicy() };
      case 'resources/list':
        return { resources: await this.operations.listResources(), ...this.cachePolicy() };
      case 'resources/templates/list':
        return { resourceTemplates: await this.operations.listResourceTemplates(), ...this.cachePolicy() };
    }
    if (isRemovedMethod(method))
      throw new ModernError(-32601, `Method not found: ${method} is not part of protocol ${envelope.protocolVersion}`);
    throw new ModernError(-32601, `Method not found: ${method}`);
  }

  /** A request forwarded to a backend, in as many rounds as the backend's input requests take. */
  private async forwarded(
    request: ModernRequest,
    params: Fields,
    envelope: Envelope,
    exchange: ModernExchange,
  ): Promise<Fields> {
    const name = nameOf(request.method, params);
    if (typeof name !== 'string') throw new ModernError(-32602, `Invalid params: ${request.method} needs a name`);
    const logLevel = envelope.logLevel as LoggingLevel | undefined;
    if (logLevel !== undefined && logLevel !== this.backendLogLevel) void this.applyLogLevel(logLevel);
    const call =
      params.requestState !== undefined
        ? this.held.resume(params.requestState, request.method, name)
        : this.start(request.method, name, params, exchange.clientKey, envelope.clientCapabilities);
    if (params.requestState !== undefined) call.answer(params.inputResponses as Fields | undefined);
    const round = new RequestRound(envelope, (params._meta as Fields | undefined)?.progressToken, exchange);
    const outcome = await this.held.serve(call, round);
    if (outcome.kind === 'result')
      return request.method === 'resources/read' ? readCachePolicy(outcome.result) : outcome.result;
    if (outcome.kind === 'error') throw outcome.error;
    return { resultType: 'input_required', inputRequests: outcome.inputRequests, requestState: outcome.requestState };
  }

  private start(method: string, name: string, params: Fields, clientKey: string, capabilities: Fields): ModernCall {
    const call = new ModernCall(clientKey, method, name);
    const origin = new CallOrigin(`2026:${++this.callCount}`, call, capabilities);
    const context: CallContext = { controller: call.controller, origin };
    // Progress only when the client asked for it: the backend would be sent a progress token of the router's
    // own, and the link would track it, for notifications nobody reads. (A client that first asks in a later
    // round of a held call gets none: the backend's call was made without.)
    if ((params._meta as Fields | undefined)?.progressToken !== undefined)
      context.onprogress = (progress) => call.notify('notifications/progress', progress as Fields);
    const forwardParams = withoutEnvelope(params);
    call.run(() => {
      switch (method) {
        case 'tools/call':
          return this.operations.callTool(forwardParams as Fields & { name: string }, context);
        case 'prompts/get':
          return this.operations.getPrompt(forwardParams as Fields & { name: string }, context);
        case 'resources/read':
          return this.operations.readResource(forwardParams as Fields & { uri: string }, context);
        default:
          return this.operations.complete(forwardParams as never, context);
      }
    });
    return call;
  }

  /** 2026 requests say their log level each time; the backends are set to the most verbose one asked for. */
  private async applyLogLevel(level: LoggingLevel | undefined): Promise<void> {
    if (level === undefined || level === this.backendLogLevel) return;
    if (this.backendLogLevel !== undefined && isWanted(this.backendLogLevel, level)) return;
    this.backendLogLevel = level;
    await this.options.router.setBackendLogLevel(MODERN_LOG_SESSION, level).catch(() => {});
  }

  close(): void {
    this.held.close();
  }
}

/**
 * Where a backend's requests and notifications during one 2026 call go: to the call, which puts them to the
 * client in its next answer. A class, not an object of closures: one is made for every forwarded call.
 */
class CallOrigin implements ClientOrigin {
  constructor(
    readonly id: string,
    private readonly call: ModernCall,
    private readonly clientCapabilities: Fields,
  ) {}

  request(method: string, params: Fields | undefined, signal?: AbortSignal): Promise<Fields> {
    // A backend may ask for roots of its own accord (server-everything does at start-up), not for this call:
    // from a client without roots the backend hears "not supported" and the call goes on. Sampling and
    // elicitation are for the call, and a client without them gets -32021 for it (held-calls.ts).
    const refusal =
      method === 'roots/list' ? refusalFor(method, { capabilities: () => this.clientCapabilities }) : undefined;
    return refusal ? Promise.reject(refusal) : this.call.ask(method, params, signal);
  }

  notify(method: string, params: Fields | undefined): void {
    this.call.notify(method, params);
  }

  get modern(): ModernOrigin {
    return {
      capabilities: this.clientCapabilities,
      requestAll: (requests: InputRequests, signal?: AbortSignal) => this.call.askAll(requests, signal),
    };
  }
}

/** This request's part of a call: its stream gets the call's notifications, as the request asked for them. */
class RequestRound implements CallRound {
  readonly clientCapabilities: Fields;
  private readonly logLevel: string | undefined;

  constructor(
    envelope: Envelope,
    private readonly progressToken: unknown,
    private readonly exchange: ModernExchange,
  ) {
    this.clientCapabilities = envelope.clientCapabilities;
    this.logLevel = envelope.logLevel;
  }

  notify(method: string, notification: Fields | undefined): void {
    if (method === 'notifications/message' && !wantsLog(notification, this.logLevel)) return;
    if (method === 'notifications/progress') {
      if (this.progressToken === undefined) return;
      notification = { ...notification, progressToken: this.progressToken };
    }
    this.exchange.notify(method, notification);
  }

  onClientGone(listener: () => void): () => void {
    return this.exchange.onClientGone(listener);
  }
}

/**
 * resources/read answers say how long they may be cached. A 2026 backend's own answer stands; a 2025 backend
 * says nothing, and what it read may change at any time or differ per user: immediately stale, and private.
 */
function readCachePolicy(result: Fields): Fields {
  if (typeof result.ttlMs === 'number' && (result.cacheScope === 'public' || result.cacheScope === 'private'))
    return result;
  return { ...result, ttlMs: 0, cacheScope: 'private' };
}

/** A 2026 request without a log level gets no log messages; with one, that level and more severe. */
function wantsLog(params: Fields | undefined, level: string | undefined): boolean {
  return level !== undefined && isWanted(params?.level, level as LoggingLevel);
}

function nameOf(method: string, params: Fields): unknown {
  if (method === 'resources/read') return params.uri;
  if (method === 'completion/complete') {
    const ref = params.ref as { type?: string; name?: string; uri?: string } | undefined;
    return ref?.type === 'ref/prompt' ? `prompt:${ref.name}` : ref?.uri;
  }
  return params.name;
}

/**
 * What goes to a backend: the client's params without the 2026 envelope and input round-trip fields (a 2025
 * backend would not know them; the router speaks for the client). The progress token stays.
 */
function withoutEnvelope(params: Fields): Fields {
  // By hand rather than rest destructuring and Object.entries: this runs on every forwarded call.
  const rest: Fields = {};
  for (const key in params)
    if (key !== '_meta' && key !== 'inputResponses' && key !== 'requestState') rest[key] = params[key];
  const meta = params._meta;
  if (!meta || typeof meta !== 'object') return rest;
  let kept: Fields | undefined;
  for (const key in meta as Fields)
    if (!key.startsWith('io.modelcontextprotocol/')) (kept ??= {})[key] = (meta as Fields)[key];
  if (kept) rest._meta = kept;
  return rest;
}
