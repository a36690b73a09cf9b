/**
 * Raw 2026-07-28 requests over HTTP, as the SDK v2 client puts them on the wire (the envelope in the body, the
 * standard headers beside it), and their answers as a client reads them: for tests that look at the wire itself.
 */
import { request as httpRequest } from 'node:http';

export const VERSION = '2026-07-28';
export type Fields = Record<string, unknown>;

export function envelope(extra: Fields = {}): Fields {
  return {
    'io.modelcontextprotocol/protocolVersion': VERSION,
    'io.modelcontextprotocol/clientCapabilities': {},
    'io.modelcontextprotocol/clientInfo': { name: 'wire-test', version: '1' },
    ...extra,
  };
}

let nextId = 1;

/** A 2026 request as the SDK v2 client sends it: envelope in the body, the standard headers beside it. */
export function modernRequest(method: string, params: Fields = {}, meta: Fields = {}) {
  const body = { jsonrpc: '2.0', id: nextId++, method, params: { ...params, _meta: envelope(meta) } };
  const name = (params.name ?? params.uri) as string | undefined;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': VERSION,
    'mcp-method': method,
    ...(name !== undefined && method !== 'completion/complete' ? { 'mcp-name': name } : {}),
  };
  return { body, headers };
}

export interface Reply {
  status: number;
  contentType: string;
  /** Content-Length as sent (undefined when the answer was chunked or streamed). */
  contentLength?: number;
  /** The answer's bytes as received. */
  bytes: number;
  /** The answer's text as received. */
  text: string;
  /** The JSON-RPC messages of the answer: one for JSON, every event for SSE. */
  messages: Fields[];
}

export function post(url: string, body: unknown, headers: Record<string, string>): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        const contentType = String(res.headers['content-type'] ?? '');
        const messages = contentType.includes('text/event-stream')
          ? text
              .split('\n')
              .filter((l) => l.startsWith('data: '))
              .map((l) => JSON.parse(l.slice(6)) as Fields)
          : text
            ? [JSON.parse(text) as Fields]
            : [];
        const length = res.headers['content-length'];
        resolve({
          status: res.statusCode ?? 0,
          contentType,
          contentLength: length === undefined ? undefined : Number(length),
          bytes: Buffer.byteLength(text),
          text,
          messages,
        });
      });
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

export function send(url: string, method: string, params: Fields = {}, meta: Fields = {}) {
  const { body, headers } = modernRequest(method, params, meta);
  return post(url, body, headers);
}

export const last = (reply: Reply) => reply.messages[reply.messages.length - 1] as { result?: Fields; error?: Fields };

/** A `subscriptions/listen` stream held open: its events as they come, the first (the acknowledgement) awaited. */
export async function openListen(
  url: string,
  notifications: Fields,
): Promise<{ id: number; events: Fields[]; close(): void }> {
  const { body, headers } = modernRequest('subscriptions/listen', { notifications });
  const events: Fields[] = [];
  const req = httpRequest(url, { method: 'POST', headers });
  await new Promise<void>((resolve, reject) => {
    req.on('response', (res) => {
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (d: string) => {
        buffer += d;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const data = buffer
            .slice(0, end)
            .split('\n')
            .find((l) => l.startsWith('data: '));
          buffer = buffer.slice(end + 2);
          if (data) events.push(JSON.parse(data.slice(6)) as Fields);
          if (events.length === 1) resolve();
        }
      });
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
  return { id: body.id, events, close: () => req.destroy() };
}
