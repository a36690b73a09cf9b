import { createServer } from 'node:net';
import WebSocket from 'ws';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { FLAKY, eventually } from '../helpers/config';
import { startHttpCli, tempFile } from '../helpers/cli';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe('--inspect: the Stately inspector relay', () => {
  it('shows the supervisor and every backend actor live, with secrets sanitized', async () => {
    const port = await freePort();
    const config = tempFile(
      'backends.yaml',
      `backends:\n  - name: alpha\n    command: ${JSON.stringify(process.execPath)}\n    args: [${JSON.stringify(FLAKY)}]\n    env: { API_TOKEN: "very-secret-value" }\n`,
    );
    const router = await startHttpCli(['--config', config, `--inspect=${port}`]);
    const messages: string[] = [];
    const ws = new WebSocket(`ws://127.0.0.1:${port}`);
    ws.on('message', (data) => messages.push(data.toString()));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const client = new Client({ name: 'e2e', version: '1' });
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(router.url)));
      await client.callTool({ name: 'alpha__echo', arguments: { text: 'watched' } });
      // Wait for the event itself: the machines' definitions, sent first, name every event type too.
      await eventually(
        () => messages.join('\n'),
        (all) => all.includes('"type":"attempt.succeeded"'),
      );
      const all = messages.join('\n');
      expect(all).toContain('"type":"request.dispatch"');
      expect(all).toContain('"type":"attempt.started"');
      expect(all).toMatch(/backend:alpha|"alpha"/);
      expect(all).toMatch(/"circuit"/);
      expect(all).not.toContain('very-secret-value');
      expect(router.stderr()).toContain(`Stately inspector: open http://localhost:${port}`);
    } finally {
      ws.close();
      await client.close();
      router.child.kill('SIGTERM');
    }
    expect(await router.exit).toBe(0);
  });
});
