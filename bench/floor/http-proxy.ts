#!/usr/bin/env node
/**
 * Floor proxy over streamable HTTP on node:http, the server every Node MCP front uses (see backend-pipe.ts for
 * what a floor proxy is): POST /mcp with one JSON-RPC message, answered as plain JSON; a session id on
 * initialize; 202 for notifications. Prints its port on stdout.
 *
 * Usage: node dist/bench/floor/http-proxy.js
 */
import { createServer } from 'node:http';
import { BackendPipe, initializeResult, type JsonRpc } from './backend-pipe';

const backend = new BackendPipe();
let sessions = 0;

const server = createServer((req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(req.method === 'DELETE' ? 200 : 405).end();
    return;
  }
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => (body += chunk));
  req.on('end', () => {
    const message = JSON.parse(body) as JsonRpc;
    const reply = (answer: JsonRpc, headers: Record<string, string> = {}) => {
      const text = JSON.stringify(answer);
      res
        .writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers })
        .end(text);
    };
    if (message.method === 'initialize') reply(initializeResult(message), { 'mcp-session-id': `floor-${++sessions}` });
    else if (message.id === undefined) res.writeHead(202).end();
    else backend.call(message, (answer) => reply(answer));
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${typeof address === 'object' && address ? address.port : ''}\n`);
});
