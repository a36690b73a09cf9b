import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { LoadedConfig } from '../../src/config/types';
import { silentLogger } from '../../src/logging/logger';
import { RouterMetrics } from '../../src/observability/metrics';
import { wireRouter } from '../../src/wiring';
import { createClientSession } from '../../src/server/client-session';
import { eventually, flaky, loaded } from '../helpers/config';

/** One router core, several client sessions on it (as HTTP clients would have). */
async function startRouter(config: LoadedConfig, metrics?: RouterMetrics) {
  const logger = silentLogger();
  const router = wireRouter({ config, logger, observer: metrics });
  router.start();
  await router.whenSettled();
  const clients: Client[] = [];
  const connect = async () => {
    const server = createClientSession({ router, logger, serverName: 'mcp-router', version: 'test' });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const client = new Client({ name: `client-${clients.length}`, version: '1.0.0' });
    await client.connect(clientSide);
    clients.push(client);
    return client;
  };
  return {
    router,
    connect,
    async close() {
      await Promise.all(clients.map((c) => c.close()));
      await router.stop();
    },
  };
}

const count = async (client: Client) =>
  Number(
    (
      ((await client.callTool({ name: 'tally__count', arguments: {} })) as CallToolResult).content[0] as {
        text: string;
      }
    ).text,
  );
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('backend sessions: shared or per client', () => {
  let env: Awaited<ReturnType<typeof startRouter>> | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  it('shared (the default): every client talks to the same backend process and sees its state', async () => {
    env = await startRouter(loaded([flaky('tally')]));
    const a = await env.connect();
    const b = await env.connect();
    expect([await count(a), await count(a), await count(b)]).toEqual([1, 2, 3]);
  });

  it('per-client: each client session gets its own backend process, and what one does never reaches another', async () => {
    env = await startRouter(loaded([flaky('tally', { session: 'per-client' })]));
    const a = await env.connect();
    const b = await env.connect();
    expect([await count(a), await count(a), await count(a)]).toEqual([1, 2, 3]);
    expect([await count(b), await count(b)]).toEqual([1, 2]);
    expect(await count(a)).toBe(4);
    // The calls went to the sessions' own instances; the configured backend only serves discovery.
    const explain = (await a.callTool({ name: 'get_backend_health', arguments: { backend_name: 'tally' } }))
      .structuredContent as { requests: number };
    expect(explain.requests).toBe(0);
  });

  it('per-client: metrics count every instance under the configured backend, not one series per session', async () => {
    const metrics = new RouterMetrics({ processMetrics: false });
    env = await startRouter(loaded([flaky('tally', { session: 'per-client' })]), metrics);
    for (let i = 0; i < 3; i++) {
      const client = await env.connect();
      await count(client);
      await client.close();
    }
    const { body } = await metrics.render();
    expect(body).toContain('mcp_router_requests_total{backend="tally",method="tools/call",outcome="success"} 3');
    expect(body).toContain('mcp_router_request_duration_seconds_count{backend="tally",method="tools/call"} 3');
    expect(body).not.toMatch(/mcp_router_request(s_total|_duration_seconds_count)\{backend="tally#/);
  });

  it("per-client: a session's instance ends with the session", async () => {
    env = await startRouter(loaded([flaky('tally', { session: 'per-client' })]));
    const a = await env.connect();
    await count(a);
    const [instance] = env.router.instancesOf('tally');
    const pid = env.router.linkOf(instance!)!.pid!;
    expect(alive(pid)).toBe(true);
    await a.close();
    await eventually(
      () => alive(pid),
      (up) => !up,
    );
    expect(env.router.instancesOf('tally')).toEqual([]);
    expect(env.router.backendRef(instance!)).toBeUndefined();
  });
});
