import { spawn, type ChildProcess } from 'node:child_process';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { FLAKY, backend, eventually, loaded } from '../helpers/config';
import { startRouterWithClient } from '../helpers/router-client';

/** Our fixture as a streamable HTTP server; resolves with its URL once it listens. */
function startHttpFixture(port = 0): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FLAKY, '--http', String(port)], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, FIXTURE_NAME: 'web' },
    });
    child.stdout!.on('data', (d: Buffer) => {
      const m = /listening (http:\/\/\S+)/.exec(d.toString());
      if (m) resolve({ child, url: m[1]! });
    });
    child.once('exit', (code) => reject(new Error(`fixture exited with ${code}`)));
  });
}

const textOf = (r: unknown) => ((r as CallToolResult).content[0] as { text: string }).text;

describe('an HTTP backend of our own', () => {
  it('serves through the router, and after it goes away and comes back on the same port it serves again', async () => {
    let fixture = await startHttpFixture();
    const { port } = new URL(fixture.url);
    const env = await startRouterWithClient(
      loaded([
        backend('web', {
          transport: 'streamable-http',
          url: fixture.url,
          healthCheck: { enabled: true, intervalSeconds: 0.1, timeoutSeconds: 1 },
        }),
      ]),
    );
    const health = async () =>
      (await env.client.callTool({ name: 'get_backend_health', arguments: { backend_name: 'web' } }))
        .structuredContent as Record<string, any>;
    try {
      expect(textOf(await env.client.callTool({ name: 'web__echo', arguments: { text: 'first' } }))).toBe('first');
      fixture.child.kill('SIGKILL');
      await eventually(health, (h) => h.health_state === 'unhealthy' || h.connection_state !== 'connected');
      fixture = await startHttpFixture(Number(port));
      // The server restarted and forgot our session: the router re-initializes (404 → new session) or reconnects.
      await eventually(
        async () => {
          try {
            return textOf(await env.client.callTool({ name: 'web__echo', arguments: { text: 'again' } }));
          } catch (error) {
            return String(error);
          }
        },
        (t) => t === 'again',
        15_000,
      );
    } finally {
      await env.close();
      fixture.child.kill('SIGKILL');
    }
  });

  it('a server that forgot our session (404) gets a new one and the request is replayed once', async () => {
    const fixture = await startHttpFixture();
    const env = await startRouterWithClient(
      loaded([
        backend('web', {
          transport: 'streamable-http',
          url: fixture.url,
          healthCheck: { enabled: false, intervalSeconds: 30, timeoutSeconds: 5 },
        }),
      ]),
    );
    try {
      expect(textOf(await env.client.callTool({ name: 'web__count', arguments: {} }))).toBe('1');
      fixture.child.kill('SIGUSR2'); // forget every session
      await new Promise((r) => setTimeout(r, 100));
      expect(textOf(await env.client.callTool({ name: 'web__count', arguments: {} }))).toBe('2');
      const h = (await env.client.callTool({ name: 'get_backend_health', arguments: { backend_name: 'web' } }))
        .structuredContent as Record<string, any>;
      expect([h.connection_state, h.error_count]).toEqual(['connected', 0]);
    } finally {
      await env.close();
      fixture.child.kill('SIGKILL');
    }
  });
});
