import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { join } from 'node:path';
import { EVERYTHING, ROOT } from '../helpers/config';
import { startHttpCli, tempFile } from '../helpers/cli';

describe('what MCP carries gets through the router (server-everything behind it, over HTTP)', () => {
  it('progress notifications reach the caller with its own token; sampling reaches the caller and its answer goes back', async () => {
    const config = tempFile(
      'backends.yaml',
      `backends:\n  - name: everything\n    command: ${JSON.stringify(process.execPath)}\n    args: [${JSON.stringify(join(ROOT, 'node_modules', EVERYTHING))}, stdio]\n`,
    );
    const router = await startHttpCli(['--config', config]);
    const client = new Client({ name: 'pass-through', version: '1' }, { capabilities: { sampling: {} } });
    const sampled: string[] = [];
    client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
      sampled.push(JSON.stringify(request.params.messages));
      return { role: 'assistant', content: { type: 'text', text: 'an answer from the client' }, model: 'test-model' };
    });
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(router.url)));
      const progress: number[] = [];
      const long = (await client.callTool(
        { name: 'everything__trigger-long-running-operation', arguments: { duration: 0.3, steps: 3 } },
        undefined,
        { onprogress: (p) => void progress.push(p.progress) },
      )) as CallToolResult;
      expect(JSON.stringify(long.content)).toContain('Long running operation completed');
      expect(progress).toEqual([1, 2, 3]);

      const sampling = (await client.callTool({
        name: 'everything__trigger-sampling-request',
        arguments: { prompt: 'hello', maxTokens: 10 },
      })) as CallToolResult;
      expect(sampled).toHaveLength(1);
      expect(sampled[0]).toContain('hello');
      expect(JSON.stringify(sampling.content)).toContain('an answer from the client');
    } finally {
      await client.close();
      router.child.kill('SIGTERM');
    }
    expect(await router.exit).toBe(0);
  });
});
