#!/usr/bin/env node
/**
 * Floor proxy for MCP 2026-07-28 over streamable HTTP on node:http: as http-proxy.ts, stateless (no session
 * id), with the little 2026 asks of a relay (era-2026.ts): server/discover answered here, the envelope's
 * revision and the standard headers checked against the body (HTTP 400 when they disagree), every result
 * stamped. Answers are plain JSON. Prints its port on stdout.
 *
 * Usage: node dist/bench/floor/http-proxy-2026.js
 */
import { createServer } from 'node:http';
import { BackendPipe, type JsonRpc } from './backend-pipe';
import { asResult2026, discoverResult, headerMismatch, mismatchError, versionError } from './era-2026';

const backend = new BackendPipe();

const server = createServer((req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(405).end();
    return;
  }
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => (body += chunk));
  req.on('end', () => {
    const message = JSON.parse(body) as JsonRpc;
    const reply = (status: number, answer: JsonRpc) => {
      const text = JSON.stringify(answer);
      res
        .writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
        .end(text);
    };
    if (message.id === undefined) {
      res.writeHead(202).end();
      return;
    }
    const refused = versionError(message);
    const mismatch = refused ? undefined : headerMismatch(message, (name) => req.headers[name] as string | undefined);
    if (refused) reply(400, refused);
    else if (mismatch) reply(400, mismatchError(message, mismatch));
    else if (message.method === 'server/discover') reply(200, discoverResult(message));
    else backend.call(message, (answer) => reply(200, asResult2026(answer, message.method ?? '')));
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${typeof address === 'object' && address ? address.port : ''}\n`);
});
