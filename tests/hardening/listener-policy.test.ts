/**
 * Every listener applies the same Host/Origin policy and token: the stdio mode's --metrics-port side listener
 * as the HTTP front, and a wildcard bind (0.0.0.0) still refuses Host names that are not the machine's own.
 */
import { request } from 'node:http';
import { hostname } from 'node:os';
import type { IncomingMessage } from 'node:http';
import { silentLogger } from '../../src/logging/logger';
import { checkHostAndOrigin } from '../../src/server/host-policy';
import { HttpFront } from '../../src/server/http-front';
import { startSideListener, type SideListener } from '../../src/server/side-listener';

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const routes = (req: IncomingMessage, res: import('node:http').ServerResponse) => {
  const path = (req.url ?? '').split('?')[0];
  if (path !== '/status.json' && path !== '/healthz') return false;
  res.writeHead(200, { 'content-type': 'application/json' }).end('{"backends":[]}');
  return true;
};

describe('the --metrics-port side listener', () => {
  const listeners: SideListener[] = [];
  afterAll(() => listeners.forEach((l) => l.close()));

  async function side(options: { authToken?: string; allowedHosts?: string[] } = {}) {
    const l = await startSideListener({
      host: '127.0.0.1',
      port: 0,
      routes,
      logger: silentLogger(),
      allowedHosts: options.allowedHosts ?? [],
      allowedOrigins: [],
      authToken: options.authToken,
    });
    listeners.push(l);
    return l.url.replace(/\/status$/, '');
  }

  it('refuses a foreign Host and a foreign Origin (a page of another site reading /status.json)', async () => {
    const base = await side();
    const port = new URL(base).port;
    expect((await get(`${base}/status.json`)).status).toBe(200);
    expect((await get(`${base}/status.json`, { host: `evil.example:${port}` })).status).toBe(403);
    expect((await get(`${base}/status.json`, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await get(`${base}/status.json`, { origin: `http://localhost:${port}` })).status).toBe(200);
  });

  it('requires the token like the HTTP front, except for /healthz and /readyz', async () => {
    const base = await side({ authToken: 's3cret' });
    expect((await get(`${base}/status.json`)).status).toBe(401);
    expect((await get(`${base}/status.json`, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await get(`${base}/status.json`, { authorization: 'Bearer s3cret' })).status).toBe(200);
    expect((await get(`${base}/healthz`)).status).toBe(200);
  });
});

describe('a wildcard bind', () => {
  const policy = (allowedHosts: string[] = []) => ({ host: '0.0.0.0', port: 8000, allowedHosts, allowedOrigins: [] });
  const req = (host: string, origin?: string) =>
    ({ headers: { host, ...(origin ? { origin } : {}) } }) as unknown as IncomingMessage;

  it('refuses Host names that are not the machine own, unless allowed', () => {
    const p = policy();
    expect(checkHostAndOrigin(req('evil.example'), p)).toMatch(/Host "evil.example" is not allowed/);
    expect(checkHostAndOrigin(req('evil.example:8000'), p)).toMatch(/not allowed/);
    expect(checkHostAndOrigin(req('attacker.rebind.example:8000'), p)).toMatch(/not allowed/);
    for (const ok of ['localhost:8000', '127.0.0.1:8000', '[::1]:8000', '0.0.0.0:8000', `${hostname()}:8000`])
      expect(checkHostAndOrigin(req(ok), p)).toBeUndefined();
    expect(checkHostAndOrigin(req('localhost:8000', 'http://evil.example'), p)).toMatch(/Origin/);
    const allowed = policy(['router.internal']);
    expect(checkHostAndOrigin(req('router.internal:8000'), allowed)).toBeUndefined();
    expect(checkHostAndOrigin(req('localhost:8000'), allowed)).toBeUndefined();
    expect(checkHostAndOrigin(req('evil.example:8000'), allowed)).toMatch(/not allowed/);
  });

  it('the HTTP front bound on 0.0.0.0 answers 403 to a foreign Host', async () => {
    const front = new HttpFront({
      host: '0.0.0.0',
      port: 0,
      logger: silentLogger(),
      createSession: () => {
        throw new Error('not reached');
      },
      extraRoutes: routes,
    });
    const url = await front.listen();
    try {
      const port = new URL(url).port;
      const base = `http://127.0.0.1:${port}`;
      expect((await get(`${base}/status.json`, { host: `evil.example:${port}` })).status).toBe(403);
      expect((await get(`${base}/status.json`, { host: `localhost:${port}` })).status).toBe(200);
    } finally {
      await front.close();
    }
  });
});
