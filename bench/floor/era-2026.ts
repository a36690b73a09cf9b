/**
 * What a floor proxy for MCP 2026-07-28 must do beyond relaying, and no more: answer `server/discover` itself
 * (as the 2025 floors answer initialize), refuse a request whose envelope claims another revision (-32022 with
 * `data.supported`), over HTTP refuse one whose standard headers do not mirror its body (-32020), and give every
 * result what a 2026 result carries: `resultType`, the server's identity in `_meta`, and on lists and reads the
 * cache fields.
 *
 * The request goes to the 2025-era backend as it came (the `_meta` envelope included: a 2025 server ignores
 * `_meta` keys it does not know), under an id of the floor's own. Nothing is validated beyond the above.
 */
import type { JsonRpc } from './backend-pipe';

export const PROTOCOL_2026 = '2026-07-28';
const SERVER_INFO = { name: 'floor-proxy-2026', version: '1' };

/** The revision the request's envelope claims, if it has one. */
export function claimedVersion(message: JsonRpc): unknown {
  const meta = message.params?._meta as Record<string, unknown> | undefined;
  return meta?.['io.modelcontextprotocol/protocolVersion'];
}

/** The error for a request whose envelope claims another revision than 2026-07-28 (or none), or undefined. */
export function versionError(message: JsonRpc): JsonRpc | undefined {
  const claimed = claimedVersion(message);
  if (claimed === PROTOCOL_2026) return undefined;
  return {
    jsonrpc: '2.0',
    id: message.id,
    error: {
      code: -32022,
      message: 'unsupported protocol version',
      data: { supported: [PROTOCOL_2026], requested: claimed ?? null },
    },
  };
}

/** The floor's own answer to server/discover (it serves the backend's tools as they are). */
export function discoverResult(message: JsonRpc): JsonRpc {
  return {
    jsonrpc: '2.0',
    id: message.id,
    result: {
      supportedVersions: [PROTOCOL_2026],
      capabilities: { tools: {} },
      resultType: 'complete',
      ttlMs: 0,
      cacheScope: 'private',
      _meta: { 'io.modelcontextprotocol/serverInfo': SERVER_INFO },
    },
  };
}

/** Why the standard headers of a request POST do not mirror its body (SEP-2243), or undefined. */
export function headerMismatch(message: JsonRpc, header: (name: string) => string | undefined): string | undefined {
  if (header('mcp-protocol-version') !== claimedVersion(message)) return 'MCP-Protocol-Version';
  if (header('mcp-method') !== message.method) return 'Mcp-Method';
  const params = message.params as { name?: unknown; uri?: unknown } | undefined;
  const named =
    message.method === 'tools/call' || message.method === 'prompts/get'
      ? params?.name
      : message.method === 'resources/read'
        ? params?.uri
        : undefined;
  if (header('mcp-name') !== named) return 'Mcp-Name';
  return undefined;
}

export function mismatchError(message: JsonRpc, which: string): JsonRpc {
  return {
    jsonrpc: '2.0',
    id: message.id,
    error: { code: -32020, message: `the ${which} header does not match the request body` },
  };
}

/** The methods whose 2026 results carry cache fields (`ttlMs`, `cacheScope`). */
const CACHED = new Set(['tools/list', 'prompts/list', 'resources/list', 'resources/templates/list', 'resources/read']);

/**
 * Stamps a relayed 2025-era result as a 2026 one (`resultType`, serverInfo in `_meta`, and on lists and reads
 * the cache fields, as "do not cache": the floor knows nothing of the backend's lists); errors pass as they are.
 */
export function asResult2026(reply: JsonRpc, method: string): JsonRpc {
  const result = reply.result as Record<string, unknown> | undefined;
  if (result === undefined) return reply;
  const meta = result._meta as Record<string, unknown> | undefined;
  result.resultType = 'complete';
  if (CACHED.has(method)) {
    result.ttlMs = 0;
    result.cacheScope = 'private';
  }
  result._meta = meta
    ? { ...meta, 'io.modelcontextprotocol/serverInfo': SERVER_INFO }
    : { 'io.modelcontextprotocol/serverInfo': SERVER_INFO };
  return reply;
}
