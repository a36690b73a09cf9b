import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { silentLogger } from '../../src/logging/logger';
import type { Router } from '../../src/router/router';
import { wireRouter } from '../../src/wiring';
import { createClientSession } from '../../src/server/client-session';
import { HttpFront } from '../../src/server/http-front';
import { flaky, loaded } from '../helpers/config';
import { INITIALIZE_REQUEST, MCP_POST_HEADERS } from '../helpers/raw-mcp';

const initialize = INITIALIZE_REQUEST;
const headers = MCP_POST_HEADERS;

describe('the HTTP front keeps out who does not belong', () => {
  const logger = silentLogger();
  let router: Router;
  const fronts: HttpFront[] = [];

  beforeAll(async () => {
    router = wireRouter({ config: loaded([flaky('f')]), logger });
    router.start();
    await router.whenSettled();
  });
  afterAll(async () => {
    for (const f of fronts) await f.close();
    await router.stop();
  });

  async function front(options: Partial<ConstructorParameters<typeof HttpFront>[0]> = {}): Promise<string> {
    const f = new HttpFront({
      host: '127.0.0.1',
      port: 0,
      logger,
      createSession: () => createClientSession({ router, logger, serverName: 'r', version: 't' }),
      ...options,
    });
    fronts.push(f);
    return f.listen();
  }

  it('with a token, refuses requests without it (401) and serves those with it', async () => {
    const url = await front({
      authToken: 's3cret',
      extraRoutes: (req, res) => (req.url === '/healthz' ? (res.writeHead(200).end(), true) : false),
    });
    expect((await fetch(url, { method: 'POST', headers, body: JSON.stringify(initialize) })).status).toBe(401);
    expect(
      (
        await fetch(url, {
          method: 'POST',
          headers: { ...headers, authorization: 'Bearer wrong' },
          body: JSON.stringify(initialize),
        })
      ).status,
    ).toBe(401);
    const client = new Client({ name: 't', version: '1' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: 'Bearer s3cret' } } }),
    );
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    await client.close();
    expect((await fetch(url.replace('/mcp', '/healthz'))).status).toBe(200);
  });

  it('answers a body over the cap with 413', async () => {
    const url = await front({ maxBodyBytes: 1024 });
    const big = { ...initialize, params: { ...initialize.params, pad: 'x'.repeat(4096) } };
    expect((await fetch(url, { method: 'POST', headers, body: JSON.stringify(big) })).status).toBe(413);
  });

  it('answers 503 beyond the session cap', async () => {
    const url = await front({ maxSessions: 1 });
    expect((await fetch(url, { method: 'POST', headers, body: JSON.stringify(initialize) })).status).toBe(200);
    expect((await fetch(url, { method: 'POST', headers, body: JSON.stringify(initialize) })).status).toBe(503);
  });

  it('closes sessions idle past the timeout, after which their id is unknown (404)', async () => {
    const f = new HttpFront({
      host: '127.0.0.1',
      port: 0,
      logger,
      sessionIdleMs: 60_000,
      createSession: () => createClientSession({ router, logger, serverName: 'r', version: 't' }),
    });
    fronts.push(f);
    const url = await f.listen();
    const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(initialize) });
    const sid = res.headers.get('mcp-session-id')!;
    expect(f.sessionCount).toBe(1);
    expect(f.sweepIdleSessions(Date.now() + 61_000)).toBe(1);
    expect(f.sessionCount).toBe(0);
    const after = await fetch(url, {
      method: 'POST',
      headers: { ...headers, 'mcp-session-id': sid },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
    });
    expect(after.status).toBe(404);
  });

  it('refuses a batch when the negotiated protocol version has no batching', async () => {
    const url = await front();
    const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(initialize) });
    const sid = res.headers.get('mcp-session-id')!;
    const batch = await fetch(url, {
      method: 'POST',
      headers: { ...headers, 'mcp-session-id': sid },
      body: JSON.stringify([
        { jsonrpc: '2.0', id: 2, method: 'tools/list' },
        { jsonrpc: '2.0', id: 3, method: 'ping' },
      ]),
    });
    expect(batch.status).toBe(400);
    expect(((await batch.json()) as any).error.code).toBe(-32600);
  });

  it('accepts a batch from a 2025-03-26 client', async () => {
    const url = await front();
    const res = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ ...initialize, params: { ...initialize.params, protocolVersion: '2025-03-26' } }),
    });
    const sid = res.headers.get('mcp-session-id')!;
    const batch = await fetch(url, {
      method: 'POST',
      headers: { ...headers, 'mcp-session-id': sid },
      body: JSON.stringify([
        { jsonrpc: '2.0', id: 2, method: 'tools/list' },
        { jsonrpc: '2.0', id: 3, method: 'ping' },
      ]),
    });
    expect(batch.status).toBe(200);
    expect(((await batch.json()) as unknown[]).length).toBe(2);
  });

  it('widens the allowed hosts and origins only as told', async () => {
    const url = await front({ hostPolicy: { allowedOrigins: ['https://app.example'] } });
    const post = (origin: string) =>
      fetch(url, { method: 'POST', headers: { ...headers, origin }, body: JSON.stringify(initialize) });
    expect((await post('https://app.example')).status).toBe(200);
    expect((await post('https://other.example')).status).toBe(403);
  });
});
