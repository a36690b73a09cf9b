/**
 * Kill, hang and recovery drills for 2026-07-28 backends (tests/fixtures/v2-backend.ts), over streamable HTTP and
 * stdio, as the 2025 drills do for 2025 backends: a killed backend is taken out of the way and serves again once
 * it is back; a hung one fails its health probe (server/discover: 2026 has no ping) and is healthy again once it
 * answers. (The built fixture: run `npm run build` first.)
 */
import type { ChildProcess } from 'node:child_process';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { BackendConfig } from '../../src/config/types';
import { backend, eventually, loaded } from '../helpers/config';
import { startRouterWithClient } from '../helpers/router-client';
import { V2_BACKEND, startHttpBackend } from '../fixtures/v2-http';

const textOf = (r: unknown) => ((r as CallToolResult).content[0] as { text: string }).text;
const fastHealth = { enabled: true, intervalSeconds: 0.1, timeoutSeconds: 0.5 };

async function drillRouter(config: BackendConfig) {
  const env = await startRouterWithClient(loaded([config]));
  const health = async () =>
    (await env.client.callTool({ name: 'get_backend_health', arguments: { backend_name: 'v2' } }))
      .structuredContent as Record<string, any>;
  const echo = async (text: string) => {
    try {
      return textOf(await env.client.callTool({ name: 'v2__echo', arguments: { text } }));
    } catch (error) {
      return String(error);
    }
  };
  return { env, health, echo };
}

describe('a 2026 backend over streamable HTTP', () => {
  let server: { child: ChildProcess; url: string } | undefined;
  afterEach(() => void server?.child.kill('SIGKILL'));

  it('killed: taken out of the way; back on the same port: serves again, still on 2026-07-28', async () => {
    server = await startHttpBackend();
    const { port } = new URL(server.url);
    const { env, health, echo } = await drillRouter(
      backend('v2', { transport: 'streamable-http', url: server.url, healthCheck: fastHealth }),
    );
    try {
      expect(await echo('first')).toBe('first');
      expect((await health()).protocol_version).toBe('2026-07-28');
      server.child.kill('SIGKILL');
      await eventually(health, (h) => h.health_state === 'unhealthy' || h.connection_state !== 'connected');
      expect((await health()).healthy).toBe(false);
      server = await startHttpBackend(['--port', port]);
      await eventually(
        () => echo('again'),
        (t) => t === 'again',
        20_000,
      );
      await eventually(health, (h) => h.healthy === true && h.protocol_version === '2026-07-28');
    } finally {
      await env.close();
    }
  });

  it('hung: its server/discover probe times out and it turns unhealthy; answering again, healthy', async () => {
    server = await startHttpBackend();
    const { env, health } = await drillRouter(
      backend('v2', { transport: 'streamable-http', url: server.url, healthCheck: fastHealth }),
    );
    try {
      await eventually(health, (h) => h.last_probe?.ok === true);
      server.child.kill('SIGSTOP');
      const sick = await eventually(health, (h) => h.health_state === 'unhealthy');
      expect(sick.last_probe.error).toMatch(/server\/discover/);
      server.child.kill('SIGCONT');
      await eventually(health, (h) => h.health_state === 'healthy' && h.last_probe?.ok === true);
    } finally {
      server.child.kill('SIGCONT');
      await env.close();
    }
  });
});

describe('a 2026 backend over stdio', () => {
  it('killed: respawned, serves again on 2026-07-28', async () => {
    const { env, health, echo } = await drillRouter(
      backend('v2', { command: process.execPath, args: [V2_BACKEND], healthCheck: fastHealth }),
    );
    try {
      expect(await echo('first')).toBe('first');
      const first = env.router.linkOf('v2')!.pid!;
      process.kill(first, 'SIGKILL');
      await eventually(
        () => echo('again'),
        (t) => t === 'again',
        20_000,
      );
      const h = await health();
      expect(h.protocol_version).toBe('2026-07-28');
      expect(env.router.linkOf('v2')!.pid).not.toBe(first);
    } finally {
      await env.close();
    }
  });

  it('hung: unhealthy while it does not answer, healthy once it does', async () => {
    const { env, health } = await drillRouter(
      backend('v2', { command: process.execPath, args: [V2_BACKEND], healthCheck: fastHealth }),
    );
    const pid = env.router.linkOf('v2')!.pid!;
    try {
      await eventually(health, (h) => h.last_probe?.ok === true);
      process.kill(pid, 'SIGSTOP');
      await eventually(health, (h) => h.health_state === 'unhealthy');
      process.kill(pid, 'SIGCONT');
      await eventually(health, (h) => h.health_state === 'healthy' && h.last_probe?.ok === true);
    } finally {
      process.kill(pid, 'SIGCONT');
      await env.close();
    }
  });
});
