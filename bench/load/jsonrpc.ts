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

/** True when a tools/call response is the echo of `text`: it reached the backend and came back whole. */
export function isEchoOf(message: JsonRpcMessage, text: string): boolean {
  if (message.error) return false;
  const result = message.result as { content?: Array<{ type?: string; text?: string }>; isError?: boolean } | undefined;
  if (!result || result.isError) return false;
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
