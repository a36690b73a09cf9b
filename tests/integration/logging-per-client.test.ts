/**
 * A backend's log messages during a call go to the client whose call it is, at the level that client asked
 * for; a backend shared by clients that asked for different levels logs at the most verbose of them.
 */
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { silentLogger } from '../../src/logging/logger';
import type { Router } from '../../src/router/router';
import { wireRouter } from '../../src/wiring';
import { createClientSession } from '../../src/server/client-session';
import { backend, loaded, ROOT } from '../helpers/config';

const FIXTURE = join(ROOT, 'dist', 'tests', 'fixtures', 'conformance-server-2026.js');

describe('backend log messages reach the client whose call made them', () => {
  const logger = silentLogger();
  let router: Router;
  const clients: Client[] = [];

  beforeAll(async () => {
    router = wireRouter({
      config: loaded([backend('conf', { namespace: undefined, command: process.execPath, args: [FIXTURE] })], {
        enableNamespaces: false,
      }),
      logger,
    });
    router.start();
    await router.whenSettled();
  }, 30_000);
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await router.stop();
  });

  async function connect(name: string) {
    const server = createClientSession({ router, logger, serverName: 'mcp-router', version: 'test' });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const client = new Client({ name, version: '1.0.0' });
    const received: string[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void received.push(String(n.params.data)));
    await client.connect(clientSide);
    clients.push(client);
    return { client, received };
  }

  it('to the caller only, filtered by the level the caller set', async () => {
    const a = await connect('a');
    const b = await connect('b');
    await a.client.setLoggingLevel('debug');
    await b.client.setLoggingLevel('error');

    // a's call: every level (the shared backend logs at debug, a's level); nothing for b.
    await a.client.callTool({ name: 'test_log_levels', arguments: {} });
    expect(a.received).toEqual(
      ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'].map((l) => `${l} message`),
    );
    expect(b.received).toEqual([]);

    // b's call: only what b asked for; nothing more for a.
    a.received.length = 0;
    await b.client.callTool({ name: 'test_log_levels', arguments: {} });
    expect(b.received).toEqual(['error message', 'critical message', 'alert message', 'emergency message']);
    expect(a.received).toEqual([]);

    // A tool that logs as it goes (the conformance suite's): its messages, in order, to its caller.
    await a.client.callTool({ name: 'test_tool_with_logging', arguments: {} });
    expect(a.received).toEqual(['Tool execution started', 'Tool processing data', 'Tool execution completed']);
    expect(b.received).toHaveLength(4);
  }, 30_000);
});
