/**
 * MCP 2026-07-28 (the "modern" era) on the wire: the per-request `_meta` envelope, the methods the era removed,
 * its error codes, and what every result carries. Plain data and small functions, shared by the fronts (which
 * serve 2026 clients) and the backend links (which talk to 2026 servers).
 */

export const MODERN_PROTOCOL_VERSIONS = ['2026-07-28'] as const;
export const LATEST_MODERN_VERSION = '2026-07-28';

export const META = {
  protocolVersion: 'io.modelcontextprotocol/protocolVersion',
  clientCapabilities: 'io.modelcontextprotocol/clientCapabilities',
  clientInfo: 'io.modelcontextprotocol/clientInfo',
  logLevel: 'io.modelcontextprotocol/logLevel',
  serverInfo: 'io.modelcontextprotocol/serverInfo',
  subscriptionId: 'io.modelcontextprotocol/subscriptionId',
} as const;

export const MODERN_ERRORS = {
  HEADER_MISMATCH: -32020,
  MISSING_REQUIRED_CLIENT_CAPABILITY: -32021,
  UNSUPPORTED_PROTOCOL_VERSION: -32022,
} as const;

/** Methods of the 2025 era that 2026-07-28 removed: answered with -32601, and HTTP 404. */
export function isRemovedMethod(method: string): boolean {
  return (
    method === 'initialize' ||
    method === 'ping' ||
    method === 'logging/setLevel' ||
    method === 'resources/subscribe' ||
    method === 'resources/unsubscribe' ||
    method.startsWith('tasks/')
  );
}

export function isModernVersion(version: unknown): version is string {
  return typeof version === 'string' && version >= '2026-';
}

type Fields = Record<string, unknown>;

function metaOf(params: unknown): Fields | undefined {
  const meta = (params as { _meta?: unknown } | undefined)?._meta;
  return typeof meta === 'object' && meta !== null && !Array.isArray(meta) ? (meta as Fields) : undefined;
}

/** Whether a message claims the per-request envelope (its params' _meta names a protocol version). */
export function hasEnvelopeClaim(message: unknown): boolean {
  const params = (message as { params?: unknown } | null)?.params;
  return metaOf(params)?.[META.protocolVersion] !== undefined;
}

export interface Envelope {
  protocolVersion: string;
  clientCapabilities: Fields;
  clientInfo?: { name: string; version: string; [key: string]: unknown };
  logLevel?: string;
}

/** The request's envelope, or the problem with it (named so the client can fix it). */
export function readEnvelope(params: unknown): Envelope | { problem: string } {
  const meta = metaOf(params);
  const version = meta?.[META.protocolVersion];
  if (typeof version !== 'string') return { problem: `params._meta["${META.protocolVersion}"] must be a string` };
  const capabilities = meta![META.clientCapabilities];
  if (typeof capabilities !== 'object' || capabilities === null || Array.isArray(capabilities))
    return { problem: `params._meta["${META.clientCapabilities}"] must be an object` };
  const logLevel = meta![META.logLevel];
  if (logLevel !== undefined && typeof logLevel !== 'string')
    return { problem: `params._meta["${META.logLevel}"] must be a logging level` };
  return {
    protocolVersion: version,
    clientCapabilities: capabilities as Fields,
    clientInfo: meta![META.clientInfo] as Envelope['clientInfo'],
    logLevel: logLevel as string | undefined,
  };
}

/** A thrown 2026 error: code, message and data, as the wire carries them. */
export class ModernError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
    /** The HTTP status a front answers it with (a JSON-RPC error inside a 200 when unset). */
    readonly httpStatus?: number,
  ) {
    super(message);
  }
}

export function unsupportedVersion(requested: string, supported: readonly string[]): ModernError {
  return new ModernError(
    MODERN_ERRORS.UNSUPPORTED_PROTOCOL_VERSION,
    `Unsupported protocol version: ${requested} (supported: ${supported.join(', ')})`,
    { supported: [...supported], requested },
    400,
  );
}

export function missingCapability(capabilities: Fields, why: string): ModernError {
  return new ModernError(
    MODERN_ERRORS.MISSING_REQUIRED_CLIENT_CAPABILITY,
    `Missing required client capability: ${why}`,
    { requiredCapabilities: capabilities },
    400,
  );
}

/**
 * A result as 2026 sends it: `resultType` (complete unless it says otherwise) and the server's identity in
 * `_meta`. The backend's own `_meta` keys stay; its serverInfo is replaced by the router's, the server the
 * client talks to. The result is stamped in place: it is the router's own copy, built for this request or
 * parsed from the backend's answer to it, and copying it cost the 2026 path measurably.
 */
export function asModernResult(result: Fields, serverInfo: { name: string; version: string }): Fields {
  // A frozen result was made a 2026 result whole, once, to be shared (a written-once list).
  if (Object.isFrozen(result)) return result;
  const meta = metaOf(result);
  if (typeof result.resultType !== 'string') result.resultType = 'complete';
  result._meta = meta ? { ...meta, [META.serverInfo]: serverInfo } : serverMeta(serverInfo);
  return result;
}

const serverMetas = new WeakMap<object, Fields>();

/** The `_meta` of a result that had none: one object per server identity, shared (results are only serialized). */
export function serverMeta(serverInfo: { name: string; version: string }): Fields {
  let meta = serverMetas.get(serverInfo);
  if (!meta) serverMetas.set(serverInfo, (meta = { [META.serverInfo]: serverInfo }));
  return meta;
}
