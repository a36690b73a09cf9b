/**
 * What a stdio backend writes, cut into JSON-RPC messages: a stand-in for the SDK's ReadBuffer with the same
 * three methods. The SDK's parses every line with its zod message schema (a union of four strict objects);
 * this one uses the hand-written test of the same schema, and decodes UTF-8 once per chunk rather than
 * copying the whole buffer on every chunk.
 */
import { StringDecoder } from 'node:string_decoder';
import type { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { isJsonRpcMessage } from '../server/jsonrpc-message';

/** The SDK's own cap on a backend's unanswered output. */
const MAX_PENDING_CHARS = 10 * 1024 * 1024;

export class LineReader {
  private decoder = new StringDecoder('utf8');
  private text = '';

  append(chunk: Buffer): void {
    this.text += this.decoder.write(chunk);
    if (this.text.length > MAX_PENDING_CHARS && !this.text.includes('\n')) {
      this.clear();
      throw new Error(`a line from the backend exceeded ${MAX_PENDING_CHARS} characters`);
    }
  }

  /** The next whole message, or null until one has arrived. Throws (after consuming it) on a bad line. */
  readMessage(): JSONRPCMessage | null {
    for (;;) {
      const nl = this.text.indexOf('\n');
      if (nl < 0) return null;
      const line = this.text.slice(0, nl > 0 && this.text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl);
      this.text = this.text.slice(nl + 1);
      if (line.length === 0) continue;
      const message: unknown = JSON.parse(line);
      if (!isJsonRpcMessage(message)) throw new Error(`not a JSON-RPC message: ${line.slice(0, 200)}`);
      return message;
    }
  }

  clear(): void {
    this.text = '';
    this.decoder = new StringDecoder('utf8');
  }
}

/**
 * Puts a LineReader in place of the transport's read buffer (a private field of the SDK's). Should the SDK
 * rename it, nothing breaks: the SDK's own buffer keeps working, only slower.
 */
export function readLinesCheaply(transport: StdioClientTransport): void {
  const t = transport as unknown as { _readBuffer?: { append?: unknown; readMessage?: unknown } };
  if (typeof t._readBuffer?.append === 'function' && typeof t._readBuffer.readMessage === 'function') {
    t._readBuffer = new LineReader() as unknown as typeof t._readBuffer;
  }
}
