/**
 * A backend whose answer the router can read but not write back (nested deeper than JSON.stringify goes):
 * the caller gets an error, and the router keeps serving everyone. Before, over HTTP with an SSE answer the
 * router crashed (the throw came in a callback nobody caught), and as plain JSON or over stdio the call was
 * never answered.
 */
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CLI, startHttpCli, tempFile } from '../helpers/cli';
import { ROOT } from '../helpers/config';

const DEEP = join(ROOT, 'dist', 'tests', 'fixtures', 'deep-result-server.js');

function config(): string {
  return tempFile(
    'deep.yaml',
    `backends:\n  - name: d\n    command: ${JSON.stringify(process.execPath)}\n    args: [${JSON.stringify(DEEP)}]\n`,
  );
}

async function exercise(client: Client): Promise<void> {
  // Answered as plain JSON, then (a progress notification first) as an SSE stream.
  await expect(client.callTool({ name: 'd__deep', arguments: {} })).rejects.toThrow(
    /-32603.*could not be written: nested too deep/,
  );
  await expect(
    client.callTool({ name: 'd__deep', arguments: {} }, undefined, { onprogress: () => {} }),
  ).rejects.toThrow(/could not be written/);
  // Still serving.
  const backends = await client.callTool({ name: 'list_backends', arguments: {} });
  expect(backends.isError).toBeFalsy();
}

describe('a backend answer too deep to write back', () => {
  it('over HTTP: the caller gets an error and the router keeps serving', async () => {
    const router = await startHttpCli(['--config', config()]);
    const client = new Client({ name: 'deep', version: '1' });
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(router.url)));
      await exercise(client);
      expect(router.child.exitCode).toBeNull();
    } finally {
      await client.close().catch(() => {});
      router.child.kill('SIGTERM');
      await router.exit;
    }
  }, 30_000);

  it('over stdio: the caller gets an error and the router keeps serving', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, '--config', config(), '--transport', 'stdio'],
      stderr: 'ignore',
    });
    const client = new Client({ name: 'deep', version: '1' });
    try {
      await client.connect(transport);
      await exercise(client);
    } finally {
      await client.close();
    }
  }, 30_000);
});
