/**
 * McpError's constructor puts "MCP error <code>: " before the message it is given, and the SDK sends an
 * error's `message` as it is. Every McpError on the router's path was built once from a message (a backend's,
 * a client's, or the router's own), so exactly one such prefix comes off before it goes on the wire: a relayed
 * error reaches the other side with the message its sender wrote, and not one prefix more per hop.
 */
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { ErrorCode, isMcpError, mcpError } from './mcp-error';
import { quote } from '../errors';

export interface WireError {
  code: number;
  message: string;
  data?: unknown;
}

/** The message as its sender wrote it: one "MCP error <code>: " prefix off. */
function sentMessage(code: number, message: string): string {
  const prefix = `MCP error ${code}: `;
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}

/** A thrown error as a JSON-RPC error object (for answers the router writes itself). */
export function wireError(error: unknown): WireError {
  const e = error as { code?: unknown; message?: unknown; data?: unknown };
  const code = Number.isSafeInteger(e?.code) ? (e.code as number) : ErrorCode.InternalError;
  const message = typeof e?.message === 'string' ? sentMessage(code, e.message) : 'Internal error';
  return e?.data === undefined ? { code, message } : { code, message, data: e.data };
}

/** An McpError whose `message` is what the SDK should send (for answers the SDK writes); others unchanged. */
export function forTheWire(error: unknown): unknown {
  if (!isMcpError(error)) return error;
  const message = sentMessage(error.code, error.message);
  if (message === error.message) return error;
  const sent = mcpError(error.code, '', error.data);
  sent.message = message;
  return sent;
}

/**
 * A message as JSON text, for a front to write. JSON.parse takes nesting deeper than JSON.stringify can
 * write, so a backend's result may not serialize: a response becomes an error response for its id (the
 * caller is answered, and nothing throws where no one would catch it); any other message that cannot be
 * written is dropped (undefined).
 */
export function serializeForClient(message: JSONRPCMessage): string | undefined {
  try {
    return JSON.stringify(message);
  } catch {
    const m = message as { id?: unknown; method?: unknown };
    if (m.id === undefined || m.method !== undefined) return undefined;
    return JSON.stringify({
      jsonrpc: '2.0',
      id: m.id,
      error: { code: ErrorCode.InternalError, message: 'mcp-router: the answer could not be written: nested too deep' },
    });
  }
}

/** A client may not reuse the id of a request still in flight: the answers could not be told apart. */
export function duplicateIdMessage(id: RequestId): string {
  return `Invalid request: id ${quote(id)} is already in use by a request in flight on this session`;
}
