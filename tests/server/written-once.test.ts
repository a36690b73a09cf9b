import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { HttpSessionTransport } from '../../src/server/http-session-transport';
import {
  byteLengthOf,
  joinWireTexts,
  wireTextOf,
  writeWireText,
  writtenOnce,
  type WireText,
} from '../../src/server/written-once';

/** The bytes a front writes for a wire text. */
function bytesOf(text: WireText): Buffer {
  const chunks: Buffer[] = [];
  writeWireText({ write: (chunk) => chunks.push(Buffer.from(chunk)) }, text);
  return Buffer.concat(chunks);
}

const response = (id: string | number, result: object) => ({ result, jsonrpc: '2.0', id }) as JSONRPCMessage;

describe('results written as JSON once', () => {
  const result = writtenOnce({
    tools: [
      {
        name: 'a__é',
        description: 'ünïcode 🚀, a lone surrogate \ud800 and "quotes"\n',
        inputSchema: { type: 'object' },
      },
      { name: 'b__t', inputSchema: { type: 'object', properties: { x: { type: 'number' } } } },
    ],
  });

  it('a response carrying a marked result is byte for byte what JSON.stringify writes', () => {
    for (const id of [7, 0, 'x', 'a "quoted" \u2028 id']) {
      const message = response(id, result);
      const text = wireTextOf(message)!;
      expect(typeof text).not.toBe('string');
      expect(bytesOf(text).equals(Buffer.from(JSON.stringify(message)))).toBe(true);
      expect(byteLengthOf(text)).toBe(Buffer.byteLength(JSON.stringify(message)));
    }
  });

  it("the result's bytes are made once and shared by every response that carries it", () => {
    const shared = (text: WireText | undefined) => (text as (string | Buffer)[]).find((p) => Buffer.isBuffer(p));
    const first = shared(wireTextOf(response(1, result)));
    expect(first).toBeInstanceOf(Buffer);
    expect(shared(wireTextOf(response(2, result)))).toBe(first);
  });

  it('any other message is plain JSON text, as before', () => {
    const unmarked = response(3, { tools: [] });
    expect(wireTextOf(unmarked)).toBe(JSON.stringify(unmarked));
    const notification = { jsonrpc: '2.0', method: 'notifications/tools/list_changed' } as JSONRPCMessage;
    expect(wireTextOf(notification)).toBe(JSON.stringify(notification));
  });

  it('members JSON.stringify leaves out are left out here too', () => {
    const message = { result, jsonrpc: '2.0', id: 4, extra: undefined } as unknown as JSONRPCMessage;
    expect(bytesOf(wireTextOf(message)!).toString()).toBe(JSON.stringify(message));
  });

  it('a marked result that cannot be written: the response becomes the error it was before', () => {
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 200_000; i++) deep = (deep.next = {}) as Record<string, unknown>;
    const text = wireTextOf(response(5, writtenOnce({ tools: [root] })));
    expect(typeof text).toBe('string');
    expect(JSON.parse(text as string)).toMatchObject({ id: 5, error: { code: -32603 } });
  });

  it("a batch's answer: the texts joined, plain text when all of them are", () => {
    const a = response(1, result);
    const b = { jsonrpc: '2.0', id: 2, result: {} } as JSONRPCMessage;
    const joined = joinWireTexts([wireTextOf(a)!, wireTextOf(b)!], '[', ',', ']');
    expect(bytesOf(joined).toString()).toBe(JSON.stringify([a, b]));
    expect(byteLengthOf(joined)).toBe(Buffer.byteLength(JSON.stringify([a, b])));
    expect(joinWireTexts([JSON.stringify(b), JSON.stringify(b)], '[', ',', ']')).toBe(JSON.stringify([b, b]));
  });
});

describe('HttpSessionTransport with a marked result', () => {
  const result = writtenOnce({ tools: [{ name: 'é__t', inputSchema: { type: 'object' } }] });
  let server: Server;
  let url: string;
  let transport: HttpSessionTransport;
  /** What the "server" does with each request it receives: answers it, after a progress notification or not. */
  let withProgress = false;

  beforeAll(async () => {
    transport = new HttpSessionTransport('s');
    transport.onmessage = (message) => {
      const m = message as { id?: string | number; method?: string };
      if (m.id === undefined) return;
      if (withProgress)
        void transport.send(
          { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 1 } },
          { relatedRequestId: m.id },
        );
      void transport.send(response(m.id, m.method === 'ping' ? {} : result));
    };
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => transport.handlePost(req, res, JSON.parse(body) as JSONRPCMessage));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await transport.close();
    await new Promise((resolve) => server.close(resolve));
  });

  const post = async (body: unknown) => {
    const res = await fetch(url, { method: 'POST', body: JSON.stringify(body) });
    return { type: res.headers.get('content-type'), length: res.headers.get('content-length'), text: await res.text() };
  };

  it('as plain JSON: the bytes JSON.stringify writes, with their length', async () => {
    withProgress = false;
    const answer = await post({ jsonrpc: '2.0', id: 'a', method: 'tools/list' });
    expect(answer.type).toBe('application/json');
    expect(answer.text).toBe(JSON.stringify(response('a', result)));
    expect(Number(answer.length)).toBe(Buffer.byteLength(answer.text));
  });

  it('in a batch with another answer: one JSON array', async () => {
    withProgress = false;
    const answer = await post([
      { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      { jsonrpc: '2.0', id: 2, method: 'ping' },
    ]);
    expect(answer.text).toBe(JSON.stringify([response(1, result), response(2, {})]));
    expect(Number(answer.length)).toBe(Buffer.byteLength(answer.text));
  });

  it('as an event stream, after a notification related to it: the same bytes in an event', async () => {
    withProgress = true;
    const answer = await post({ jsonrpc: '2.0', id: 'b', method: 'tools/list' });
    expect(answer.type).toBe('text/event-stream');
    const progress = { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 1 } };
    expect(answer.text).toBe(
      `event: message\ndata: ${JSON.stringify(progress)}\n\n` +
        `event: message\ndata: ${JSON.stringify(response('b', result))}\n\n`,
    );
  });
});
