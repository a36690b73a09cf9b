#!/usr/bin/env node
/**
 * Floor proxy over stdio: newline-delimited JSON-RPC on stdin/stdout, every request relayed to the echo
 * backend (see backend-pipe.ts for what a floor proxy is). Answers leave once per turn of the event loop.
 */
import { BackendPipe, initializeResult, type JsonRpc } from './backend-pipe';

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
    if (message.method === 'initialize') answer(initializeResult(message));
    else if (message.id !== undefined && message.method !== undefined) backend.call(message, answer);
  }
});
process.stdin.on('end', () => {
  backend.stop();
  process.exit(0);
});
