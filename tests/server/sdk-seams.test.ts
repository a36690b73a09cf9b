/**
 * The SDK internals the router relies on (src/server/sdk-seams.ts). When one of these fails after an SDK
 * upgrade, the seam has gone: find the public way, or adapt the seam, before shipping.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { CallToolRequestSchema, CallToolResultSchema, ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { answerErrorsAsSent, requestHandlersOf } from '../../src/server/sdk-seams';

describe('SDK seams', () => {
  it("Server._requestHandlers is still the SDK's Map of method to handler", () => {
    const server = new Server({ name: 's', version: '1' }, { capabilities: { tools: {} } });
    server.setRequestHandler(CallToolRequestSchema, async () => ({ content: [] }));
    const handlers = requestHandlersOf(server);
    expect(handlers).toBeInstanceOf(Map);
    expect(handlers?.has('tools/call')).toBe(true);
  });

  it('wrapped handlers answer params of the wrong shape as -32602 naming the field, not -32603', async () => {
    const server = new Server({ name: 's', version: '1' }, { capabilities: { tools: {} } });
    server.setRequestHandler(CallToolRequestSchema, async () => ({ content: [] }));
    answerErrorsAsSent(server);
    const [a, b] = InMemoryTransport.createLinkedPair();
    await server.connect(b);
    const client = new Client({ name: 'c', version: '1' });
    await client.connect(a);
    try {
      const error = await client
        .request({ method: 'tools/call', params: { arguments: {} } } as never, CallToolResultSchema)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(McpError);
      expect((error as McpError).code).toBe(ErrorCode.InvalidParams);
      expect((error as McpError).message).toContain('Invalid tools/call request: params.name');
    } finally {
      await client.close();
    }
  });
});
