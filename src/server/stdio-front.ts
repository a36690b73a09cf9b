/**
 * The router served over stdio: one client, on stdin/stdout. Nothing else may write to stdout.
 *
 * The client's first message fixes the era of the connection: a request with the 2026 envelope (or
 * server/discover) makes it a 2026-07-28 connection, served by ModernStdio; anything else (initialize) a 2025
 * session on an SDK Server, created then.
 */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { coalesceWrites } from '../protocol/coalesce-writes';
import { hasEnvelopeClaim } from '../protocol/modern';
import type { ModernStdio } from './modern-stdio';
import { LineTransport } from './stdio-transport';

export interface StdioFrontOptions {
  createSession: () => Server | Promise<Server>;
  /** Serves a 2026-07-28 client; `send` writes one message to it. */
  createModern?: (send: (message: JSONRPCMessage) => void) => ModernStdio;
}

function opensModern(message: JSONRPCMessage): boolean {
  return (message as { method?: string }).method === 'server/discover' || hasEnvelopeClaim(message);
}

export async function serveStdio(options: StdioFrontOptions, onClientGone: () => void): Promise<() => Promise<void>> {
  const transport = new LineTransport(process.stdin, process.stdout);
  // With no other request of the client's in flight, it waits for this write alone: it goes at once.
  coalesceWrites(process.stdout, () => transport.requestsInFlight === 0);
  let server = undefined as Server | undefined;
  let modern = undefined as ModernStdio | undefined;
  // The client closing our stdin is how stdio clients say goodbye.
  transport.onclose = () => {
    modern?.close();
    onClientGone();
  };
  // A client that closed our stdout is gone too (EPIPE must not crash the router mid-stop).
  process.stdout.on('error', onClientGone);

  transport.onmessage = (first) => {
    if (options.createModern && opensModern(first)) {
      const served = options.createModern((message) => void transport.send(message));
      modern = served;
      transport.onmessage = (message) => served.receive(message);
      served.receive(first);
      return;
    }
    // A 2025 session: what arrives while its server is made waits, then goes to it in order.
    const waiting: JSONRPCMessage[] = [first];
    transport.onmessage = (message) => void waiting.push(message);
    void Promise.resolve(options.createSession()).then(async (session) => {
      server = session;
      transport.onmessage = undefined;
      await session.connect(transport);
      // connect() installed the session's handler (narrowing does not see that it changed).
      const deliver = transport.onmessage as ((message: JSONRPCMessage) => void) | undefined;
      for (const message of waiting) deliver?.(message);
    });
  };
  await transport.start();
  return async () => {
    modern?.close();
    if (server) await server.close();
    else await transport.close();
  };
}
