/**
 * The few JSON-RPC and MCP pieces the load generator needs, by hand: it speaks raw JSON-RPC so that the
 * generator costs as little as possible and is never the bottleneck of what it measures.
 */

export type JsonRpcId = number | string;

export interface JsonRpcMessage {
  jsonrpc: '2.0';
  id?: JsonRpcId | null;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

/** The revision the generator asks for; every target negotiates down if it must. */
export const PROTOCOL_VERSION = '2025-11-25';

export const CLIENT_INFO = { name: 'mcp-router-bench', version: '1.0.0' };

export function initializeParams(): Record<string, unknown> {
  return { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: CLIENT_INFO };
}

/**
 * The protocol era a client speaks: 2025 (initialize, then a session) or 2026-07-28 (stateless: no initialize,
 * no session, the `_meta` envelope on every request).
 */
export type Era = '2025' | '2026';

export const PROTOCOL_2026 = '2026-07-28';

export const META_PROTOCOL_VERSION = 'io.modelcontextprotocol/protocolVersion';
export const META_CLIENT_INFO = 'io.modelcontextprotocol/clientInfo';
export const META_CLIENT_CAPABILITIES = 'io.modelcontextprotocol/clientCapabilities';
export const META_SERVER_INFO = 'io.modelcontextprotocol/serverInfo';

/** The per-request `_meta` envelope, as the SDK v2 client sends it on a 2026-07-28 connection. */
export const ENVELOPE_2026: Readonly<Record<string, unknown>> = Object.freeze({
  [META_PROTOCOL_VERSION]: PROTOCOL_2026,
  [META_CLIENT_INFO]: CLIENT_INFO,
  [META_CLIENT_CAPABILITIES]: {},
});

/** `params` with the 2026 envelope merged into its `_meta` (which the caller's own `_meta` keys join). */
export function withEnvelope(params: unknown): Record<string, unknown> {
  const given = (params ?? {}) as Record<string, unknown>;
  const meta = given._meta as Record<string, unknown> | undefined;
  return { ...given, _meta: meta ? { ...meta, ...ENVELOPE_2026 } : ENVELOPE_2026 };
}

const ENVELOPE_JSON = JSON.stringify(ENVELOPE_2026);

/**
 * A 2026 request (or, without an id, a notification) as JSON text: byte for byte what JSON.stringify writes of
 * `{ jsonrpc, id, method, params: withEnvelope(params) }`, with the envelope's JSON made once and spliced in.
 * Why: the load generator shares the 2 cores with what it measures, and building and serializing the envelope
 * on every call cost it about three times what a 2025 request costs to write (1.8 against 0.6 µs).
 */
export function envelopedJson(id: JsonRpcId | undefined, method: string, params: unknown): string {
  const given = params ?? {};
  const head = id === undefined ? `{"jsonrpc":"2.0",` : `{"jsonrpc":"2.0","id":${JSON.stringify(id)},`;
  // Params with a `_meta` of their own get it merged with the envelope: the general path.
  if (typeof given !== 'object' || Array.isArray(given) || '_meta' in given)
    return `${head}"method":${JSON.stringify(method)},"params":${JSON.stringify(withEnvelope(given))}}`;
  const json = JSON.stringify(given);
  const paramsJson = json === '{}' ? `{"_meta":${ENVELOPE_JSON}}` : `${json.slice(0, -1)},"_meta":${ENVELOPE_JSON}}`;
  return `${head}"method":${JSON.stringify(method)},"params":${paramsJson}}`;
}

/**
 * The standard headers of a 2026-07-28 request POST (SEP-2243): `MCP-Protocol-Version` and `Mcp-Method` on
 * every request, `Mcp-Name` for the methods that name a tool, prompt or resource. They mirror the body.
 */
export function standardHeaders(method: string, params: unknown): Record<string, string> {
  const headers: Record<string, string> = { 'mcp-protocol-version': PROTOCOL_2026, 'mcp-method': method };
  const name = nameOf(method, params);
  if (name !== undefined) headers['mcp-name'] = name;
  return headers;
}

/** What `Mcp-Name` mirrors: `params.name` (tools/call, prompts/get) or `params.uri` (resources/read). */
export function nameOf(method: string, params: unknown): string | undefined {
  const p = params as { name?: unknown; uri?: unknown } | undefined;
  if (method === 'tools/call' || method === 'prompts/get') return typeof p?.name === 'string' ? p.name : undefined;
  if (method === 'resources/read') return typeof p?.uri === 'string' ? p.uri : undefined;
  return undefined;
}

/** Why a `server/discover` answer does not offer 2026-07-28, or undefined when it does. */
export function discoverRefusal(message: JsonRpcMessage): string | undefined {
  if (message.error) return `server/discover refused: JSON-RPC error ${message.error.code}: ${message.error.message}`;
  const versions = (message.result as { supportedVersions?: unknown } | undefined)?.supportedVersions;
  if (Array.isArray(versions) && versions.includes(PROTOCOL_2026)) return undefined;
  return `server/discover does not offer ${PROTOCOL_2026}: ${JSON.stringify(message.result).slice(0, 200)}`;
}

export function isResponse(message: JsonRpcMessage): boolean {
  return message.method === undefined && message.id !== undefined && message.id !== null;
}

export function isServerRequest(message: JsonRpcMessage): boolean {
  return message.method !== undefined && message.id !== undefined && message.id !== null;
}

/** What a client answers to a request from the server: `{}` to a ping, "method not found" to the rest. */
export function answerServerRequest(message: JsonRpcMessage): JsonRpcMessage {
  return message.method === 'ping'
    ? { jsonrpc: '2.0', id: message.id, result: {} }
    : {
        jsonrpc: '2.0',
        id: message.id,
        error: { code: -32601, message: `the bench client does not serve ${message.method}` },
      };
}

/** Picks the echo tool out of a tools/list result: `echo` as is, or under a namespace (`ns__echo`). */
export function findEchoTool(result: unknown): string | undefined {
  const tools = (result as { tools?: Array<{ name?: unknown }> } | undefined)?.tools;
  if (!Array.isArray(tools)) return undefined;
  const names = tools.map((t) => t.name).filter((n): n is string => typeof n === 'string');
  return names.find((n) => n === 'echo') ?? names.find((n) => n.endsWith('__echo'));
}

export function toolNames(result: unknown): string[] {
  const tools = (result as { tools?: Array<{ name?: unknown }> } | undefined)?.tools;
  if (!Array.isArray(tools)) return [];
  return tools.map((t) => t.name).filter((n): n is string => typeof n === 'string');
}

/**
 * True when a tools/call response is the echo of `text`: it reached the backend and came back whole. A 2026-07-28
 * result must also say `resultType: "complete"` (every 2026 result carries its type).
 */
export function isEchoOf(message: JsonRpcMessage, text: string, era: Era = '2025'): boolean {
  if (message.error) return false;
  const result = message.result as
    { content?: Array<{ type?: string; text?: string }>; isError?: boolean; resultType?: unknown } | undefined;
  if (!result || result.isError) return false;
  if (era === '2026' && result.resultType !== 'complete') return false;
  const first = result.content?.[0];
  return first !== undefined && first.type === 'text' && first.text === text;
}

/** Splits a byte stream into lines, for newline-delimited JSON. */
export class LineSplitter {
  private rest = '';

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: string): void {
    let data = this.rest + chunk;
    let at = data.indexOf('\n');
    while (at >= 0) {
      const line = data.charCodeAt(at - 1) === 13 ? data.slice(0, at - 1) : data.slice(0, at);
      if (line.length > 0) this.onLine(line);
      data = data.slice(at + 1);
      at = data.indexOf('\n');
    }
    this.rest = data;
  }
}

/**
 * Parses a text/event-stream incrementally: calls `onEvent(event, data)` per complete event (blank line).
 */
export class SseParser {
  private rest = '';
  private event = '';
  private data: string[] = [];

  constructor(private readonly onEvent: (event: string, data: string) => void) {}

  push(chunk: string): void {
    let text = this.rest + chunk;
    let at = text.indexOf('\n');
    while (at >= 0) {
      const line = text.charCodeAt(at - 1) === 13 ? text.slice(0, at - 1) : text.slice(0, at);
      text = text.slice(at + 1);
      this.line(line);
      at = text.indexOf('\n');
    }
    this.rest = text;
  }

  /** Flushes an event the stream ended without a blank line after. */
  end(): void {
    if (this.rest.length > 0) this.line(this.rest);
    this.rest = '';
    this.line('');
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length > 0) this.onEvent(this.event || 'message', this.data.join('\n'));
      this.event = '';
      this.data = [];
      return;
    }
    if (line.charCodeAt(0) === 58 /* ':' comment */) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
  }
}
