/**
 * What a stdio backend writes, cut into JSON-RPC messages. Uses the hand-written test of the SDK's message
 * schema (not its zod union of four strict objects), and decodes UTF-8 once per chunk rather than copying the
 * whole buffer on every chunk.
 *
 * A line over the size cap is not kept: it is skipped as it arrives (memory stays bounded), and when it is an
 * answer whose id can be read from its first or last bytes, an error answer for that id takes its place. That
 * one call fails with a message naming the limit; the connection and every other call on it carry on.
 */
import { StringDecoder } from 'node:string_decoder';
import type { JSONRPCMessage } from '@modelcontextprotocol/client';
import { isJsonRpcMessage } from '../protocol/jsonrpc-message';

/** The cap on one message from a backend, in characters (the SDK's own cap on its read buffer). */
export const MAX_MESSAGE_CHARS = 10 * 1024 * 1024;
/** How much of a skipped line is kept to find its id: answers put it first or last. */
const KEPT_CHARS = 256;

export interface OversizedLine {
  chars: number;
  /** The id of the answer it was, when it could be read. */
  id: string | number | undefined;
}

/** JSON-RPC error code for an answer the router refused (implementation-defined server error range). */
export const OVERSIZED_ANSWER_CODE = -32001;

export function oversizedMessage(size: number, limit: number, unit = 'characters'): string {
  return `mcp-router: the backend's answer (${size} ${unit} or more) is over the limit of ${limit} ${unit} for one message; this call failed, the connection stays up`;
}

const ID = String.raw`("(?:[^"\\]|\\.)*"|-?\d+)`;
/** The id as the first member (after "jsonrpc"), or as the last member of the top-level object. */
const HEAD_ID = new RegExp(String.raw`^\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"id"\s*:\s*${ID}`);
const TAIL_ID = new RegExp(String.raw`"id"\s*:\s*${ID}\s*\}\s*$`);
/** A request or notification from the backend: its id is not one of ours to answer. */
const STARTS_AS_REQUEST = /^\s*\{\s*"method"\s*:/;

function idOf(head: string, tail: string): string | number | undefined {
  if (STARTS_AS_REQUEST.test(head)) return undefined;
  const m = HEAD_ID.exec(head) ?? TAIL_ID.exec(tail);
  if (!m) return undefined;
  try {
    return JSON.parse(m[1] ?? '') as string | number;
  } catch {
    return undefined;
  }
}

export class LineReader {
  private decoder = new StringDecoder('utf8');
  private text = '';
  /** The line being skipped, while it is: its first and last characters and its length so far. */
  private skipping: { head: string; tail: string; chars: number } | null = null;

  /** `onOversized` hears of each line over the cap (to log it); the caller's error answer is queued here. */
  constructor(
    private readonly onOversized: (line: OversizedLine) => void = () => {},
    readonly maxChars = MAX_MESSAGE_CHARS,
  ) {}

  append(chunk: Buffer): void {
    let text = this.decoder.write(chunk);
    if (this.skipping) {
      const nl = text.indexOf('\n');
      const skipped = this.skipping;
      skipped.chars += nl < 0 ? text.length : nl;
      skipped.tail = (skipped.tail + (nl < 0 ? text : text.slice(0, nl))).slice(-KEPT_CHARS);
      if (nl < 0) return;
      this.skipping = null;
      // Lines before it are in this.text already: its stand-in goes after them.
      this.text += this.standIn(skipped.head, skipped.tail, skipped.chars);
      text = text.slice(nl + 1);
    }
    this.text += text;
    const lastNl = this.text.lastIndexOf('\n');
    if (this.text.length - lastNl - 1 > this.maxChars) {
      // The unfinished line is over the cap already: keep its head and tail, drop the rest as it comes.
      const partial = this.text.slice(lastNl + 1);
      this.text = this.text.slice(0, lastNl + 1);
      this.skipping = { head: partial.slice(0, KEPT_CHARS), tail: partial.slice(-KEPT_CHARS), chars: partial.length };
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
      if (line.length > this.maxChars) {
        // A whole line over the cap that arrived in one chunk: the same as one skipped piece by piece.
        this.text = this.standIn(line.slice(0, KEPT_CHARS), line.slice(-KEPT_CHARS), line.length) + this.text;
        continue;
      }
      const message: unknown = JSON.parse(line);
      if (!isJsonRpcMessage(message)) throw new Error(`not a JSON-RPC message: ${line.slice(0, 200)}`);
      return message;
    }
  }

  /** The line that takes an oversized one's place: an error answer for its id ('' when it has none). */
  private standIn(head: string, tail: string, chars: number): string {
    const id = idOf(head, tail);
    this.onOversized({ chars, id });
    if (id === undefined) return '';
    const error = { code: OVERSIZED_ANSWER_CODE, message: oversizedMessage(chars, this.maxChars) };
    return `${JSON.stringify({ jsonrpc: '2.0', id, error })}\n`;
  }

  clear(): void {
    this.text = '';
    this.skipping = null;
    this.decoder = new StringDecoder('utf8');
  }
}
