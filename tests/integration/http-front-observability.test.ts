import { get } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { silentLogger } from '../../src/logging/logger';
import { observabilityRoutes } from '../../src/server/http-routes';
import { RouterMetrics } from '../../src/observability/metrics';
import type { Router } from '../../src/router/router';
import { wireRouter } from '../../src/wiring';
import { createClientSession } from '../../src/server/client-session';
import { HttpFront } from '../../src/server/http-front';
import { eventually, flaky, loaded } from '../helpers/config';

/** Parses Prometheus text exposition into { 'name{labels}': value }. */
function parseProm(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

describe('HTTP front with observability endpoints', () => {
  const logger = silentLogger();
  let router: Router;
  let front: HttpFront;
  let url: string;
  const clients: Client[] = [];

  beforeAll(async () => {
    const metrics = new RouterMetrics({ processMetrics: false });
    router = wireRouter({
      config: loaded([flaky('alpha'), flaky('beta', {}, { FIXTURE_FAIL_ALL: '1' })], { maxRetries: 0 }),
      logger,
      observer: metrics,
    });
    router.start();
    await router.whenSettled();
    front = new HttpFront({
      host: '127.0.0.1',
      port: 0,
      logger,
      createSession: () => createClientSession({ router, logger, serverName: 'mcp-router', version: 't' }),
      extraRoutes: observabilityRoutes(router, metrics),
    });
    url = await front.listen();
  });
  afterAll(async () => {
    for (const c of clients) await c.close();
    await front.close();
    await router.stop();
  });

  async function connect(): Promise<Client> {
    const client = new Client({ name: 't', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    clients.push(client);
    return client;
  }

  it('serves several clients at once, each with its own session', async () => {
    const [a, b] = await Promise.all([connect(), connect()]);
    const [ra, rb] = await Promise.all([
      a.callTool({ name: 'alpha__echo', arguments: { text: 'from a' } }),
      b.callTool({ name: 'alpha__echo', arguments: { text: 'from b' } }),
    ]);
    expect(JSON.stringify(ra.content)).toContain('from a');
    expect(JSON.stringify(rb.content)).toContain('from b');
    expect(front.sessionCount).toBeGreaterThanOrEqual(2);
  });

  it('answers an unknown session id with 404', async () => {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': 'nope',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(404);
  });

  it('answers malformed JSON with a JSON-RPC parse error', async () => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: '{"jsonrpc":',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error.code).toBe(-32700);
  });

  it('refuses a foreign Origin and a foreign Host with 403 (DNS rebinding)', async () => {
    const origin = await fetch(url.replace('/mcp', '/healthz'), { headers: { origin: 'https://evil.example' } });
    expect(origin.status).toBe(403);
    const { port } = new URL(url);
    const hostStatus = await new Promise<number>((resolve, reject) =>
      get({ host: '127.0.0.1', port, path: '/healthz', headers: { host: 'attacker.example' } }, (res) =>
        resolve(res.statusCode ?? 0),
      ).on('error', reject),
    );
    expect(hostStatus).toBe(403);
  });

  it('/healthz is 200 and /readyz is 200 with a routable backend', async () => {
    expect((await fetch(url.replace('/mcp', '/healthz'))).status).toBe(200);
    const ready = await fetch(url.replace('/mcp', '/readyz'));
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as any).ready).toBe(true);
  });

  it('/metrics counts the calls made, per backend and outcome', async () => {
    const client = await connect();
    for (let i = 0; i < 3; i++) await client.callTool({ name: 'alpha__echo', arguments: { text: 'x' } });
    await expect(client.callTool({ name: 'beta__count', arguments: {} })).rejects.toThrow();
    const metrics = parseProm(await (await fetch(url.replace('/mcp', '/metrics'))).text());
    expect(
      metrics.get('mcp_router_requests_total{backend="alpha",method="tools/call",outcome="success"}'),
    ).toBeGreaterThanOrEqual(5);
    expect(metrics.get('mcp_router_requests_total{backend="beta",method="tools/call",outcome="failure"}')).toBe(1);
    expect(metrics.get('mcp_router_backend_circuit_state{backend="alpha",state="closed"}')).toBe(1);
    expect(metrics.get('mcp_router_backend_connection_state{backend="beta",state="connected"}')).toBe(1);
    expect(
      metrics.get('mcp_router_request_duration_seconds_count{backend="alpha",method="tools/call"}'),
    ).toBeGreaterThanOrEqual(5);
  });

  it('/metrics shows the requests in flight at the moment of the scrape', async () => {
    const client = await connect();
    const scrape = async () =>
      parseProm(await (await fetch(url.replace('/mcp', '/metrics'))).text()).get('mcp_router_requests_in_flight');
    expect(await scrape()).toBe(0);
    const controller = new AbortController();
    const hanging = client
      .callTool({ name: 'alpha__hang', arguments: {} }, undefined, { signal: controller.signal })
      .catch(() => 'cancelled');
    await eventually(scrape, (n) => n === 1);
    controller.abort();
    expect(await hanging).toBe('cancelled');
    await eventually(scrape, (n) => n === 0);
  });

  it('serves old clients over the legacy HTTP+SSE transport at /sse', async () => {
    const client = new Client({ name: 'old', version: '1' });
    await client.connect(new SSEClientTransport(new URL(url.replace('/mcp', '/sse'))));
    clients.push(client);
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('alpha__echo');
    const result = await client.callTool({ name: 'alpha__echo', arguments: { text: 'over sse' } });
    expect((result.content as { text: string }[])[0]!.text).toBe('over sse');
    // The POST endpoint knows only the sessions its streams opened.
    const stray = await fetch(url.replace('/mcp', '/messages?sessionId=nope'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
    });
    expect(stray.status).toBe(404);
  });

  it('/status.json lists every backend and the routing table', async () => {
    const doc = (await (await fetch(url.replace('/mcp', '/status.json'))).json()) as any;
    expect(doc.backends.map((b: { name: string }) => b.name)).toEqual(['alpha', 'beta']);
    expect(doc.routes.find((r: { name: string }) => r.name === 'alpha__echo').backends).toEqual(['alpha']);
  });
});
