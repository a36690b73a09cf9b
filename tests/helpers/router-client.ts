import { MANAGEMENT_TOOL_NAMES } from '../../src/management/tool-names';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { LoadedConfig } from '../../src/config/types';
import { silentLogger } from '../../src/logging/logger';
import { wireRouter } from '../../src/wiring';
import { createClientSession } from '../../src/server/client-session';

/** A router core with one in-memory client session: the real request path without a transport. */
export async function startRouterWithClient(config: LoadedConfig) {
  const logger = silentLogger();
  const router = wireRouter({ config, logger, reservedToolNames: MANAGEMENT_TOOL_NAMES });
  router.start();
  await router.whenSettled();
  const server = createClientSession({ router, logger, serverName: 'mcp-router', version: 'test' });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'test-client', version: '1.0.0' });
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
