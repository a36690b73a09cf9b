/**
 * A 2025 client through the router to a 2026-07-28 backend (tests/fixtures/v2-backend.ts, on the SDK v2), over
 * stdio and over streamable HTTP, both the dual-era server and a 2026-only one (`legacy: 'reject'`): the tools
 * are listed and called; a tool that asks for input (elicitation, sampling, several rounds) reaches the client
 * as the 2025 requests it knows; a tool added at run time shows up; a resource update reaches the subscribed
 * client; progress, logging and cancellation work. (The built fixture: run `npm run build` first.)
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';
import { join } from 'node:path';
import { silentLogger } from '../../src/logging/logger';
import type { Router } from '../../src/router/router';
import { wireRouter } from '../../src/wiring';
import { createClientSession } from '../../src/server/client-session';
import { backendStatus } from '../../src/management/backend-status';
import type { BackendConfig } from '../../src/config/types';
import { ROOT, backend, loaded } from '../helpers/config';
import { startHttpBackend } from '../fixtures/v2-http';

const V2 = join(ROOT, 'dist', 'tests', 'fixtures', 'v2-backend.js');

const text = (r: unknown) => ((r as CallToolResult).content[0] as { text: string }).text;

/** Resolves when `check` gives a value (checked once per turn of the event loop). */
function eventually<T>(check: () => T | undefined): Promise<T> {
  return new Promise((resolve) => {
    const tick = () => {
      const value = check();
      if (value !== undefined) return resolve(value);
      setImmediate(tick);
    };
    tick();
  });
}

interface Setup {
  router: Router;
  client: Client;
  close(): Promise<void>;
}

async function through(config: BackendConfig): Promise<Setup> {
  const router = wireRouter({ config: loaded([config]), logger: silentLogger() });
  router.start();
  await router.whenSettled();
  const session = createClientSession({ router, logger: silentLogger(), serverName: 'mcp-router', version: 'test' });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await session.connect(serverSide);
  const client = new Client({ name: 'era-2025', version: '1' }, { capabilities: { sampling: {}, elicitation: {} } });
  await client.connect(clientSide);
  return {
    router,
    client,
    async close() {
      await client.close();
      await router.stop();
    },
  };
}

const cases: [string, () => Promise<{ config: BackendConfig; stop(): void }>][] = [
  ['stdio', async () => ({ config: backend('v2', { command: process.execPath, args: [V2] }), stop: () => {} })],
  [
    'stdio, 2026 only',
    async () => ({
      config: backend('v2', { command: process.execPath, args: [V2, '--reject-legacy'] }),
      stop: () => {},
    }),
  ],
  [
    'streamable HTTP',
    async () => {
      const { url, child } = await startHttpBackend();
      return { config: backend('v2', { transport: 'streamable-http', url }), stop: () => child.kill() };
    },
  ],
  [
    'streamable HTTP, 2026 only',
    async () => {
      const { url, child } = await startHttpBackend(['--reject-legacy']);
      return { config: backend('v2', { transport: 'streamable-http', url }), stop: () => child.kill() };
    },
  ],
];

describe.each(cases)('a 2025 client, a 2026 backend over %s', (_name, start) => {
  let setup: Setup;
  let stop: () => void;

  beforeAll(async () => {
    const started = await start();
    stop = started.stop;
    setup = await through(started.config);
  });

  afterAll(async () => {
    await setup?.close();
    stop?.();
  });

  it('connects on 2026-07-28, and get_backend_health says so', () => {
    const link = setup.router.linkOf('v2')!;
    expect(link.era).toBe('modern');
    const status = backendStatus(setup.router.backendConfig('v2')!, setup.router.backendRef('v2')!.getSnapshot(), link);
    expect(status.protocol_version).toBe('2026-07-28');
    expect(status.connection_state).toBe('connected');
  });

  it('lists and calls its tools', async () => {
    const { tools } = await setup.client.listTools();
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['v2__echo', 'v2__ask_name', 'v2__summarize']));
    expect(text(await setup.client.callTool({ name: 'v2__echo', arguments: { text: 'hi' } }))).toBe('hi');
  });

  it('an elicitation the backend asks for in its result reaches the client, and its answer the backend', async () => {
    const asked: string[] = [];
    setup.client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request.params.message);
      return { action: 'accept', content: { name: 'Ada' } };
    });
    expect(text(await setup.client.callTool({ name: 'v2__ask_name', arguments: {} }))).toBe('hello Ada');
    expect(asked).toEqual(['name?']);
  });

  it('a sampling request the backend asks for in its result reaches the client', async () => {
    setup.client.setRequestHandler(CreateMessageRequestSchema, async () => ({
      model: 'test-model',
      role: 'assistant',
      content: { type: 'text', text: 'short' },
    }));
    expect(text(await setup.client.callTool({ name: 'v2__summarize', arguments: { text: 'long' } }))).toBe(
      'model said: short',
    );
  });

  it('as many rounds as the backend asks, each answered by the client', async () => {
    const asked: string[] = [];
    setup.client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request.params.message);
      return { action: 'accept', content: { ok: true } };
    });
    expect(text(await setup.client.callTool({ name: 'v2__rounds', arguments: { n: 3 } }))).toBe('done after 3 rounds');
    expect(asked).toEqual(['round 1?', 'round 2?', 'round 3?']);
  });

  it('a tool the backend adds at run time reaches the client’s list, with list_changed', async () => {
    let changed = 0;
    setup.client.setNotificationHandler(ToolListChangedNotificationSchema, async () => void changed++);
    expect(text(await setup.client.callTool({ name: 'v2__add_tool', arguments: { name: 'late' } }))).toBe('added');
    await eventually(() => (changed > 0 ? true : undefined));
    const { tools } = await setup.client.listTools();
    expect(tools.map((t) => t.name)).toContain('v2__late');
    expect(text(await setup.client.callTool({ name: 'v2__late', arguments: {} }))).toBe('late ran');
  });

  it('a subscribed resource’s update reaches the client', async () => {
    const updated: string[] = [];
    setup.client.setNotificationHandler(
      ResourceUpdatedNotificationSchema,
      async (n) => void updated.push(n.params.uri),
    );
    await setup.client.subscribeResource({ uri: 'v2://counter' });
    await setup.client.callTool({ name: 'v2__touch', arguments: {} });
    await eventually(() => (updated.length > 0 ? true : undefined));
    expect(updated).toEqual(['v2://counter']);
    const read = await setup.client.readResource({ uri: 'v2://counter' });
    expect(Number((read.contents[0] as { text: string }).text)).toBeGreaterThan(0);
  });

  it('progress and log messages of a call reach the client', async () => {
    const logs: unknown[] = [];
    setup.client.setNotificationHandler(LoggingMessageNotificationSchema, async (n) => void logs.push(n.params.data));
    await setup.client.setLoggingLevel('info');
    const progress: number[] = [];
    const result = await setup.client.callTool({ name: 'v2__slow', arguments: { steps: 2, ms: 10 } }, undefined, {
      onprogress: (p) => progress.push(p.progress),
    });
    expect(text(result)).toBe('slow done');
    expect(progress).toEqual([1, 2]);
    await eventually(() => (logs.length >= 2 ? true : undefined));
    expect(logs).toEqual(['step 1', 'step 2']);
  });

  it('a client’s cancel reaches the backend', async () => {
    const abort = new AbortController();
    // Cancelled once the backend has started it (its first progress), long before it would end.
    const call = setup.client.callTool({ name: 'v2__slow', arguments: { steps: 1000, ms: 20 } }, undefined, {
      signal: abort.signal,
      onprogress: () => abort.abort('enough'),
    });
    await expect(call).rejects.toBeDefined();
    for (;;) {
      const stats = text(await setup.client.callTool({ name: 'v2__stats', arguments: {} }));
      if (stats !== 'cancelled 0') return expect(stats).toBe('cancelled 1');
    }
  });
});
