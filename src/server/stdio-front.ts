/**
 * The router served over stdio: one client, on stdin/stdout. Nothing else may write to stdout.
 */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { coalesceWrites } from '../protocol/coalesce-writes';
import { LineTransport } from './stdio-transport';

export async function serveStdio(server: Server, onClientGone: () => void): Promise<() => Promise<void>> {
  coalesceWrites(process.stdout);
  const transport = new LineTransport(process.stdin, process.stdout);
  // The client closing our stdin is how stdio clients say goodbye.
  transport.onclose = onClientGone;
  // A client that closed our stdout is gone too (EPIPE must not crash the router mid-stop).
  process.stdout.on('error', onClientGone);
  await server.connect(transport);
  return () => server.close();
}
