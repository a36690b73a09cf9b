#!/usr/bin/env node
/**
 * Floor proxy over streamable HTTP with no HTTP server at all: HTTP/1.1 parsed by hand on node:net (requests
 * with a content-length body on keep-alive connections, which is all the load generator sends). Nobody should
 * serve users this way; it shows what is left when even node:http's cost is taken away. Otherwise as
 * http-proxy.ts. Prints its port on stdout.
 */
import { createServer, type Socket } from 'node:net';
import { BackendPipe, initializeResult, type JsonRpc } from './backend-pipe';

const backend = new BackendPipe();
let sessions = 0;

function reply(socket: Socket, status: number, body: string, headers: Record<string, string> = {}): void {
  let head = `HTTP/1.1 ${status} ${status === 202 ? 'Accepted' : 'OK'}\r\nconnection: keep-alive\r\ncontent-length: ${Buffer.byteLength(body)}\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  socket.write(`${head}\r\n${body}`);
}

const server = createServer((socket) => {
  socket.setNoDelay(true);
  socket.on('error', () => {});
  let unread: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    unread = unread.length ? Buffer.concat([unread, chunk]) : chunk;
    for (;;) {
      const headEnd = unread.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const head = unread.subarray(0, headEnd).toString('latin1');
      const length = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
      if (unread.length < headEnd + 4 + length) return;
      const body = unread.subarray(headEnd + 4, headEnd + 4 + length).toString('utf8');
      unread = unread.subarray(headEnd + 4 + length);
      if (!head.startsWith('POST')) {
        reply(socket, 200, '');
        continue;
      }
      const message = JSON.parse(body) as JsonRpc;
      if (message.method === 'initialize')
        reply(socket, 200, JSON.stringify(initializeResult(message)), {
          'content-type': 'application/json',
          'mcp-session-id': `floor-${++sessions}`,
        });
      else if (message.id === undefined) reply(socket, 202, '');
      else
        backend.call(message, (answer) =>
          reply(socket, 200, JSON.stringify(answer), { 'content-type': 'application/json' }),
        );
    }
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${typeof address === 'object' && address ? address.port : ''}\n`);
});
