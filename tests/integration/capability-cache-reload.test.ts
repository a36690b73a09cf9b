import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { ToolListChangedNotificationSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { SimulatedClock } from 'xstate';
import { silentLogger } from '../../src/logging/logger';
import type { Router } from '../../src/router/router';
import { wireRouter } from '../../src/wiring';
import { createClientSession } from '../../src/server/client-session';
import { DEFAULT_ROUTING, parseBackend } from '../../src/config';
import { FLAKY, eventually, flaky, loaded } from '../helpers/config';

async function withClient(router: Router) {
  const server = createClientSession({ router, logger: silentLogger(), serverName: 'r', version: 't' });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(b);
  const client = new Client({ name: 't', version: '1' });
  let listChanged = 0;
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => void listChanged++);
  await client.connect(a);
  return { client, listChanged: () => listChanged };
}

const names = async (client: Client) => (await client.listTools()).tools.map((t) => t.name);

describe('capability cache and list_changed', () => {
  it("a backend's tools/list_changed refreshes it at once and clients get list_changed", async () => {
    const router = wireRouter({ config: loaded([flaky('dyn')]), logger: silentLogger() });
    router.start();
    await router.whenSettled();
    const { client, listChanged } = await withClient(router);
    try {
      await client.callTool({ name: 'dyn__add_tool', arguments: { name: 'fresh' } });
      await eventually(
        () => names(client),
        (n) => n.includes('dyn__fresh'),
      );
      expect(listChanged()).toBeGreaterThan(0);
      expect(
        ((await client.callTool({ name: 'dyn__fresh', arguments: {} })) as CallToolResult).content[0],
      ).toMatchObject({ text: 'dynamic fresh' });
    } finally {
      await client.close();
      await router.stop();
    }
  });

  it('lists are trusted for the cache TTL, then refreshed in the background (simulated clock)', async () => {
    const clock = new SimulatedClock();
    const router = wireRouter({
      config: loaded(
        [
          flaky(
            'quiet',
            { healthCheck: { enabled: false, intervalSeconds: 30, timeoutSeconds: 5 } },
            { FIXTURE_SILENT_ADD: '1' },
          ),
        ],
        { cacheTtlSeconds: 300 },
      ),
      logger: silentLogger(),
      clock,
    });
    router.start();
    await router.whenSettled();
    const { client } = await withClient(router);
    try {
      await client.callTool({ name: 'quiet__add_tool', arguments: { name: 'late' } });
      clock.increment(299_999);
      await new Promise((r) => setTimeout(r, 200));
      expect(await names(client)).not.toContain('quiet__late');
      clock.increment(1);
      await eventually(
        () => names(client),
        (n) => n.includes('quiet__late'),
      );
    } finally {
      await client.close();
      await router.stop();
    }
  });

  it('a reload drains a removed backend: its call in flight finishes, then it is gone', async () => {
    const keep = flaky('keep');
    const leave = flaky('leave');
    const router = wireRouter({ config: loaded([keep, leave]), logger: silentLogger() });
    router.start();
    await router.whenSettled();
    const { client } = await withClient(router);
    try {
      const slow = client.callTool({ name: 'leave__read_slow', arguments: { ms: 500 } });
      await eventually(
        () => router.traffic.inFlight('leave'),
        (n) => n === 1,
      );
      const applied = router.applyConfig(loaded([keep]));
      expect(((await slow) as CallToolResult).content[0]).toMatchObject({ text: 'slow' });
      expect(await applied).toEqual({ added: [], removed: ['leave'], changed: [] });
      expect(await names(client)).not.toContain('leave__echo');
      expect(router.backendNames()).toEqual(['keep']);
    } finally {
      await client.close();
      await router.stop();
    }
  });
});

describe('register_backend / unregister_backend', () => {
  it('adds and removes a backend at runtime, validated like the file, and says it is not persisted', async () => {
    const router = wireRouter({
      config: loaded([flaky('base')], { allowBackendChanges: true }),
      logger: silentLogger(),
    });
    router.managementHooks = {
      parseBackend: (raw) =>
        parseBackend(raw, { env: {}, routing: DEFAULT_ROUTING, others: router.backendNames(), baseDir: '/' }),
    };
    router.start();
    await router.whenSettled();
    const { client } = await withClient(router);
    try {
      const refused = (await client.callTool({
        name: 'register_backend',
        arguments: { backend: { name: 'x', comand: 'node' } },
      })) as CallToolResult;
      expect(refused.isError).toBe(true);
      expect(JSON.stringify(refused.content)).toMatch(/comand/);
      const added = await client.callTool({
        name: 'register_backend',
        arguments: { backend: { name: 'extra', command: process.execPath, args: [FLAKY] } },
      });
      expect(added.structuredContent).toMatchObject({ registered: 'extra', persisted: false });
      await eventually(
        () => names(client),
        (n) => n.includes('extra__echo'),
      );
      const removed = await client.callTool({ name: 'unregister_backend', arguments: { backend_name: 'extra' } });
      expect(removed.structuredContent).toMatchObject({ unregistered: 'extra', persisted: false });
      expect(await names(client)).not.toContain('extra__echo');
    } finally {
      await client.close();
      await router.stop();
    }
  });
});
