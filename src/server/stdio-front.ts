/**
 * The router served over stdio: one client, on stdin/stdout. Nothing else may write to stdout.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { coalesceWrites } from './coalesce-writes';

export async function serveStdio(server: Server, onClientGone: () => void): Promise<() => Promise<void>> {
  coalesceWrites(process.stdout);
  const transport = new StdioServerTransport();
  transport.onclose = onClientGone;
  // The client closing our stdin is how stdio clients say goodbye.
  process.stdin.once('end', onClientGone);
  // A client that closed our stdout is gone too (EPIPE must not crash the router mid-stop).
  process.stdout.on('error', onClientGone);
  await server.connect(transport);
  return () => server.close();
}
