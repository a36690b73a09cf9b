/**
 * Issue 17.7: a backend's sampling, elicitation or roots request for a client that did not declare that
 * capability is answered to the backend at once with an error, and never reaches the client. A client that
 * declared it still gets it. (The built fixture: run `npm run build` first.)
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { CreateMessageRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';
import { join } from 'node:path';
import { silentLogger } from '../../src/logging/logger';
import type { Router } from '../../src/router/router';
import { wireRouter } from '../../src/wiring';
import { createClientSession } from '../../src/server/client-session';
import { ROOT, backend, loaded } from '../helpers/config';

const ASKS = join(ROOT, 'dist', 'tests', 'fixtures', 'client-asks-server.js');

let router: Router;
const clients: Client[] = [];

beforeAll(async () => {
  router = wireRouter({
    config: loaded([backend('asks', { command: process.execPath, args: [ASKS] })]),
    logger: silentLogger(),
  });
  router.start();
  await router.whenSettled();
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await router.stop();
});

/** A client session with these capabilities; `received` lists the requests the router sent it. */
async function connect(capabilities: ClientCapabilities) {
  const session = createClientSession({ router, logger: silentLogger(), serverName: 'mcp-router', version: 'test' });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await session.connect(serverSide);
  const client = new Client({ name: 'caps', version: '1' }, { capabilities });
  clients.push(client);
  const received: string[] = [];
  const start = clientSide.start.bind(clientSide);
  clientSide.start = async () => {
    await start();
    const deliver = clientSide.onmessage!;
    clientSide.onmessage = (message, extra) => {
      if ('method' in message && 'id' in message) received.push(message.method);
      deliver(message, extra);
    };
  };
  await client.connect(clientSide);
  return { client, received };
}

const ask = async (client: Client, method: string) =>
  (
    ((await client.callTool({ name: 'asks__ask', arguments: { method } })) as CallToolResult).content[0] as {
      text: string;
    }
  ).text;

describe("a backend's requests to a client that did not declare the capability", () => {
  it.each([
    ['sampling/createMessage', 'sampling'],
    ['elicitation/create', 'elicitation'],
    ['roots/list', 'roots'],
  ])('%s: the backend gets -32601 naming the capability; the client is never asked', async (method, capability) => {
    const { client, received } = await connect({});
    const answer = await ask(client, method);
    // (The backend's SDK puts "MCP error -32601: " before the message it received.)
    expect(answer).toBe(
      `error -32601: MCP error -32601: mcp-router: the client does not support ${capability} (it did not declare the "${capability}" capability), so ${method} was not sent to it`,
    );
    expect(received).toEqual([]);
  });

  it('a client that declared sampling is asked, and its answer reaches the backend', async () => {
    const { client, received } = await connect({ sampling: {} });
    client.setRequestHandler(CreateMessageRequestSchema, async () => ({
      role: 'assistant',
      content: { type: 'text', text: 'from the client' },
      model: 'test',
    }));
    const answer = await ask(client, 'sampling/createMessage');
    expect(answer).toContain('answered: ');
    expect(answer).toContain('from the client');
    expect(received).toEqual(['sampling/createMessage']);
  });
});
