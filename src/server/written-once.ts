/**
 * Results that every client gets the same of, written as JSON once. tools/list over a large aggregate is a
 * few hundred KB of JSON (1,000 tools: ~250 KB), the same for every 2025 session until the catalog changes;
 * serializing it and encoding it to UTF-8 on every call was most of the router's time per tools/list. A result
 * marked here keeps its JSON as bytes (made at its first answer, freed with the result), and a response
 * carrying it is written as parts: the response's own few bytes around the shared ones, byte for byte what
 * JSON.stringify would have written.
 *
 * A marked result must not change once marked (the one who marks it freezes it).
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { ServerResponse } from 'node:http';
import { serializeForClient } from '../protocol/wire-error';

/** A message as the front writes it: JSON text, or its parts (text and shared bytes) in order. */
export type WireText = string | readonly (string | Buffer)[];

/** Marked result → its JSON as bytes, once it has been written (null until then). */
const written = new WeakMap<object, Buffer | null>();

/** Marks a result as one whose JSON is made once and shared by every response that carries it. */
export function writtenOnce<T extends object>(result: T): T {
  if (!written.has(result)) written.set(result, null);
  return result;
}

function jsonOf(result: object): Buffer | undefined {
  const known = written.get(result);
  if (known !== null) return known;
  let bytes: Buffer;
  try {
    bytes = Buffer.from(JSON.stringify(result), 'utf8');
  } catch {
    return undefined; // it cannot be written: serializeForClient answers with the error
  }
  written.set(result, bytes);
  return bytes;
}

/**
 * A message as the parts to write when its `result` is marked, else undefined. Its other members are
 * written as JSON.stringify writes them, in their order.
 */
function splicedParts(message: JSONRPCMessage): (string | Buffer)[] | undefined {
  const result = (message as { result?: unknown }).result;
  if (typeof result !== 'object' || result === null || !written.has(result)) return undefined;
  const bytes = jsonOf(result);
  if (!bytes) return undefined;
  const parts: (string | Buffer)[] = [];
  let text = '{';
  let first = true;
  for (const [key, value] of Object.entries(message)) {
    const json = key === 'result' ? '' : JSON.stringify(value);
    if (key !== 'result' && json === undefined) continue; // JSON.stringify leaves such members out
    text += `${first ? '' : ','}${JSON.stringify(key)}:`;
    first = false;
    if (key === 'result') {
      parts.push(text, bytes);
      text = '';
    } else text += json;
  }
  parts.push(`${text}}`);
  return parts;
}

/** The message as the front writes it (see serializeForClient for what cannot be written). */
export function wireTextOf(message: JSONRPCMessage): WireText | undefined {
  return splicedParts(message) ?? serializeForClient(message);
}

/** Its length in bytes on the wire. */
export function byteLengthOf(text: WireText): number {
  if (typeof text === 'string') return Buffer.byteLength(text);
  let length = 0;
  for (const part of text) length += typeof part === 'string' ? Buffer.byteLength(part) : part.length;
  return length;
}

/** Texts joined as `open text , text ... close` (a batch's answer); plain text when all of them are. */
export function joinWireTexts(texts: readonly WireText[], open: string, separator: string, close: string): WireText {
  if (texts.every((t) => typeof t === 'string')) return `${open}${texts.join(separator)}${close}`;
  const parts: (string | Buffer)[] = [open];
  texts.forEach((t, i) => {
    if (i > 0) parts.push(separator);
    if (typeof t === 'string') parts.push(t);
    else parts.push(...t);
  });
  parts.push(close);
  return parts;
}

/** Writes it to a stream (the parts one after another: callers cork the stream around them). */
export function writeWireText(out: { write(chunk: string | Buffer): unknown }, text: WireText): void {
  if (typeof text === 'string') {
    out.write(text);
    return;
  }
  for (const part of text) out.write(part);
}

/**
 * Ends an HTTP response with a JSON answer, its length up front (without it Node sends the head at once and
 * the body chunked). Shared bytes and the response's own around them go in one write to the socket. The
 * session id, when there is one, goes in the same head: a header set before writeHead takes Node's slower
 * path, which merges the two (measured: about 600 bytes more allocated per response).
 */
export function endJsonAnswer(res: ServerResponse, status: number, body: WireText, sessionId?: string): void {
  const length = byteLengthOf(body);
  res.writeHead(
    status,
    sessionId === undefined
      ? { 'content-type': 'application/json', 'content-length': length }
      : { 'content-type': 'application/json', 'content-length': length, 'mcp-session-id': sessionId },
  );
  if (typeof body === 'string') return void res.end(body);
  res.cork();
  writeWireText(res, body);
  res.end();
}
