/**
 * Every answer to a POST on a session carries the session's id, whatever its kind: plain JSON, 202 for
 * notifications, an SSE stream when something related to the request came first, and an empty stream when
 * every request on it was cancelled.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { HttpSessionTransport } from '../../src/server/http-session-transport';

describe('HttpSessionTransport answers', () => {
  const transport = new HttpSessionTransport('session-1');
  let slowArrived: () => void = () => {};
  let server: Server;
  let url: string;

  beforeAll(async () => {
    transport.onmessage = (message) => {
      const m = message as { id?: string | number; method?: string };
      if (m.id === undefined || m.method === undefined) return;
      if (m.method === 'slow') return slowArrived(); // answered never: the client cancels it
      if (m.method === 'chatty')
        void transport.send(
          { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'first' } },
          { relatedRequestId: m.id },
        );
      void transport.send({ jsonrpc: '2.0', id: m.id, result: { ok: true } });
    };
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => transport.handlePost(req, res, JSON.parse(body) as JSONRPCMessage | JSONRPCMessage[]));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  });
  afterAll(async () => {
    await transport.close();
    await new Promise((resolve) => server.close(resolve));
  });

  const post = (body: unknown) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify(body),
    });

  it('a response as plain JSON', async () => {
    const res = await post({ jsonrpc: '2.0', id: 1, method: 'ping' });
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('mcp-session-id')).toBe('session-1');
    expect(await res.json()).toEqual({ jsonrpc: '2.0', id: 1, result: { ok: true } });
  });

  it('202 for notifications', async () => {
    const res = await post({ jsonrpc: '2.0', method: 'notifications/initialized' });
    expect(res.status).toBe(202);
    expect(res.headers.get('mcp-session-id')).toBe('session-1');
  });

  it('an SSE stream when a notification comes before the response', async () => {
    const res = await post({ jsonrpc: '2.0', id: 2, method: 'chatty' });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(res.headers.get('mcp-session-id')).toBe('session-1');
    const text = await res.text();
    expect(text).toContain('"data":"first"');
    expect(text).toContain('"id":2');
  });

  it('an empty stream when every request on the POST was cancelled', async () => {
    const arrived = new Promise<void>((resolve) => (slowArrived = resolve));
    const answer = post({ jsonrpc: '2.0', id: 3, method: 'slow' });
    await arrived;
    const cancel = await post({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 3 } });
    expect(cancel.status).toBe(202);
    const res = await answer;
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(res.headers.get('mcp-session-id')).toBe('session-1');
    expect(await res.text()).toBe('');
  });
});
