/**
 * No lock-out: sessions that never make a request after initialize expire quickly, one peer cannot hold
 * every session slot, /readyz says 503 when the slots are full, and sockets that never send a byte are closed.
 */
import { connect } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import { silentLogger } from '../../src/logging/logger';
import type { Router } from '../../src/router/router';
import { wireRouter } from '../../src/wiring';
import { createClientSession } from '../../src/server/client-session';
import { HttpFront } from '../../src/server/http-front';
import { flaky, loaded } from '../helpers/config';
import { INITIALIZE_BODY, MCP_POST_HEADERS } from '../helpers/raw-mcp';

const initialize = INITIALIZE_BODY;
const headers = MCP_POST_HEADERS;

describe('lock-out', () => {
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

  async function front(options: Partial<ConstructorParameters<typeof HttpFront>[0]> = {}) {
    const f = new HttpFront({
      host: '127.0.0.1',
      port: 0,
      logger,
      createSession: () => createClientSession({ router, logger, serverName: 'r', version: 't' }),
      extraRoutes: (req, res) => (req.url === '/readyz' ? (res.writeHead(200).end('{"ready":true}'), true) : false),
      ...options,
    });
    fronts.push(f);
    return { f, url: await f.listen() };
  }

  async function open(url: string): Promise<{ status: number; id: string | null; body: string }> {
    const res = await fetch(url, { method: 'POST', headers, body: initialize });
    return { status: res.status, id: res.headers.get('mcp-session-id'), body: await res.text() };
  }

  const listTools = (url: string, id: string) =>
    fetch(url, {
      method: 'POST',
      headers: { ...headers, 'mcp-session-id': id, 'mcp-protocol-version': '2025-06-18' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
    });

  it('closes sessions that make no request after initialize within a minute; used ones stay', async () => {
    const { f, url } = await front();
    const idle = (await open(url)).id!;
    const used = (await open(url)).id!;
    expect((await listTools(url, used)).status).toBe(200);
    expect(f.sweepIdleSessions(Date.now() + 30_000)).toBe(0);
    expect(f.sweepIdleSessions(Date.now() + 61_000)).toBe(1);
    expect((await listTools(url, idle)).status).toBe(404);
    expect((await listTools(url, used)).status).toBe(200);
  });

  it('one peer holds at most its share of the slots, and /readyz says 503 when all are taken', async () => {
    const { url } = await front({ maxSessions: 4 });
    expect((await open(url)).status).toBe(200);
    expect((await open(url)).status).toBe(200);
    const third = await open(url);
    expect(third.status).toBe(503);
    expect(third.body).toMatch(/this address holds 2 sessions/);
    const readyz = url.replace(/\/mcp$/, '/readyz');
    expect((await fetch(readyz)).status).toBe(200);

    const full = await front({ maxSessions: 2, maxSessionsPerPeer: 2 });
    await open(full.url);
    await open(full.url);
    expect((await open(full.url)).status).toBe(503);
    const answer = await fetch(full.url.replace(/\/mcp$/, '/readyz'));
    expect(answer.status).toBe(503);
    expect(await answer.json()).toMatchObject({ ready: false, reason: expect.stringMatching(/session slots/) });
  });

  it('sets header, request and keep-alive timeouts and a connection cap; closes sockets that never send a byte', async () => {
    const { f, url } = await front({ connectionLimits: { headersTimeoutMs: 300, checkIntervalMs: 50 } });
    const http = (f as unknown as { http: HttpServer }).http;
    expect(http.headersTimeout).toBe(300);
    expect(http.requestTimeout).toBeGreaterThan(0);
    expect(http.keepAliveTimeout).toBeGreaterThan(0);
    expect(http.maxConnections).toBeGreaterThan(0);
    expect(Number.isFinite(http.maxConnections)).toBe(true);
    const socket = connect(Number(new URL(url).port), '127.0.0.1');
    let received = '';
    socket.on('data', (d) => (received += d));
    await new Promise<void>((resolve) => socket.on('close', () => resolve()));
    expect(received).toMatch(/^HTTP\/1\.1 408/);
  });
});
