import { spawn } from 'node:child_process';
import fc from 'fast-check';
import { FLAKY } from '../helpers/config';
import { CLI, tempFile } from '../helpers/cli';

const line = fc
  .oneof(
    fc.string({ maxLength: 120 }).filter((s) => !s.includes('\n')),
    fc.json({ depthSize: 'small' }),
    fc
      .record({
        jsonrpc: fc.oneof(fc.constant('2.0'), fc.integer()),
        id: fc.oneof(fc.integer({ min: 1000 }), fc.string({ maxLength: 8 }), fc.object()),
        method: fc.oneof(
          fc.constantFrom('tools/call', 'resources/read', 'prompts/get', 'ping'),
          fc.string({ maxLength: 30 }),
        ),
        params: fc.oneof(
          fc.anything({ maxDepth: 2 }),
          fc.record({ name: fc.string({ maxLength: 200 }), arguments: fc.anything({ maxDepth: 2 }) }),
        ),
      })
      .map((m) => JSON.stringify(m)),
  )
  .map((l) => (typeof l === 'string' ? l : JSON.stringify(l)).replace(/\n/g, ' '));

describe('fuzzing the stdio front', () => {
  it('answers thousands of malformed lines and keeps serving', async () => {
    const config = tempFile(
      'backends.yaml',
      `backends:\n  - name: f\n    command: ${JSON.stringify(process.execPath)}\n    args: [${JSON.stringify(FLAKY)}]\n`,
    );
    const child = spawn(process.execPath, [CLI, '--config', config, '--transport', 'stdio'], {
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    const responses: Record<string, unknown>[] = [];
    let buffer = '';
    child.stdout.on('data', (d) => {
      buffer += d;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        responses.push(JSON.parse(buffer.slice(0, nl)));
        buffer = buffer.slice(nl + 1);
      }
    });
    const send = (l: string) => child.stdin.write(`${l}\n`);
    const answered = (id: unknown) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const deadline = Date.now() + 20_000;
        const poll = () => {
          const r = responses.find((x) => x.id === id);
          if (r) return resolve(r);
          if (Date.now() > deadline) return reject(new Error(`no answer to ${String(id)}`));
          setTimeout(poll, 10);
        };
        poll();
      });
    send(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 'init',
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'fuzz', version: '1' } },
      }),
    );
    await answered('init');
    send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    const lines = fc.sample(line, { numRuns: 2000, seed: 42 });
    for (const l of lines) send(l);
    send(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 'after',
        method: 'tools/call',
        params: { name: 'f__echo', arguments: { text: 'still here' } },
      }),
    );
    const after = await answered('after');
    expect(JSON.stringify(after.result)).toContain('still here');
    // Not JSON at all: each got a parse error with id null.
    const notJson = lines.filter((l) => {
      try {
        JSON.parse(l);
        return false;
      } catch {
        return l.trim() !== '';
      }
    }).length;
    expect(responses.filter((r) => (r.error as { code?: number } | undefined)?.code === -32700).length).toBe(notJson);
    expect(child.exitCode).toBeNull();
    child.stdin.end();
    await new Promise((r) => child.once('close', r));
  }, 60_000);
});
