#!/usr/bin/env node
/**
 * Floor proxy for MCP 2026-07-28 over stdio: as stdio-proxy.ts, with the little 2026 asks of a relay
 * (era-2026.ts): server/discover answered here, every request's envelope checked for the revision, every result
 * stamped. Answers leave once per turn of the event loop.
 */
import { BackendPipe, type JsonRpc } from './backend-pipe';
import { asResult2026, discoverResult, versionError } from './era-2026';

const backend = new BackendPipe();
let queued: string[] = [];
const flush = () => {
  process.stdout.write(queued.join(''));
  queued = [];
};
const answer = (message: JsonRpc) => {
  if (queued.length === 0) setImmediate(flush);
  queued.push(`${JSON.stringify(message)}\n`);
};

let unread = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  unread += chunk;
  let nl: number;
  while ((nl = unread.indexOf('\n')) >= 0) {
    const message = JSON.parse(unread.slice(0, nl)) as JsonRpc;
    unread = unread.slice(nl + 1);
    const method = message.method;
    if (message.id === undefined || method === undefined) continue;
    const refused = versionError(message);
    if (refused) answer(refused);
    else if (message.method === 'server/discover') answer(discoverResult(message));
    else backend.call(message, (reply) => answer(asResult2026(reply, method)));
  }
});
process.stdin.on('end', () => {
  backend.stop();
  process.exit(0);
});
