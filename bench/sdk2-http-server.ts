#!/usr/bin/env node
/**
 * The SDK v2's own 2026-07-28 HTTP serving, as a reference the bench's 2026 client is checked against: the echo
 * tool from `createMcpHandler` (`legacy: 'reject'`: 2026-07-28 only), on node:http through the few lines of
 * adapter below (the SDK's `@modelcontextprotocol/node` adapter is not installed). The handler builds a server
 * per request, through web Request/Response objects. Prints its port on stdout.
 *
 * Usage: node dist/bench/sdk2-http-server.js
 */
import { createServer } from 'node:http';
import { createMcpHandler, Server } from '@modelcontextprotocol/server';

const inputSchema = {
  type: 'object' as const,
  properties: { text: { type: 'string', description: 'what to answer' } },
  required: ['text'],
};

const handler = createMcpHandler(
  () => {
    const server = new Server({ name: 'bench-echo-sdk2-http', version: '1.0.0' }, { capabilities: { tools: {} } });
    server.setRequestHandler('tools/list', async () => ({
      tools: [{ name: 'echo', description: 'Answers its text argument.', inputSchema }],
    }));
    server.setRequestHandler('tools/call', async (request) => {
      const text = request.params.arguments?.text;
      return { content: [{ type: 'text' as const, text: typeof text === 'string' ? text : '' }] };
    });
    return server;
  },
  { legacy: 'reject', responseMode: 'json' },
);

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
    const body = req.method === 'POST' ? Buffer.concat(chunks) : undefined;
    handler
      .fetch(new Request(`http://127.0.0.1${req.url ?? '/'}`, { method: req.method, headers, body }))
      .then(async (response) => {
        const text = await response.text();
        res.writeHead(response.status, Object.fromEntries(response.headers)).end(text);
      })
      .catch((error: unknown) => {
        process.stderr.write(`sdk2-http-server: ${String(error)}\n`);
        res.writeHead(500).end();
      });
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${typeof address === 'object' && address ? address.port : ''}\n`);
});
