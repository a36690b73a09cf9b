/**
 * A stdio backend spawned before its SDK client exists (open-link.ts launches it first, so that at start-up
 * every backend is spawned before the SDK client package loads): what the process sends meanwhile waits for
 * the client's start(), and is delivered then, in order.
 */
import { execFileSync } from 'node:child_process';
import { ChildStdioTransport } from '../../src/backends/child-stdio-transport';
import { openLink } from '../../src/backends/open-link';
import { createLogger } from '../../src/logging/logger';
import { backend } from '../helpers/config';

/** Writes a notification and a line that is no JSON-RPC message at once, then exits with code 3. */
const EARLY_TALKER = [
  "process.stdout.write(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'early' } }) + '\\n');",
  'process.stdout.write(\'{"hello":1}\\n\');',
  'process.exitCode = 3;',
].join('\n');

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 5));
}

describe('ChildStdioTransport launched before the client starts it', () => {
  it('holds what the process sent and its exit until start(), then delivers them in order', async () => {
    const transport = new ChildStdioTransport(
      { command: process.execPath, args: ['-e', EARLY_TALKER], env: { PATH: process.env.PATH ?? '' } },
      createLogger({ level: 'error' }),
    );
    const events: string[] = [];
    transport.onmessage = (message) => events.push(`message ${(message as { method?: string }).method}`);
    transport.onerror = (error) => events.push(`error ${error.message.split(':')[0]}`);
    transport.onclose = () => events.push('close');

    await transport.launch();
    await until(() => transport.ended() !== undefined);
    expect(events).toEqual([]);

    await transport.start();
    expect(events).toEqual(['message notifications/message', 'error not a JSON-RPC message', 'close']);
    expect(transport.ended()?.message).toMatch(/exited with code 3/);
    expect(() => transport.start()).toThrow(/already started/);
  });

  it('spawns once: launch() then start() is one process', async () => {
    const transport = new ChildStdioTransport(
      { command: process.execPath, args: ['-e', 'process.stdin.resume()'], env: { PATH: process.env.PATH ?? '' } },
      createLogger({ level: 'error' }),
    );
    await transport.launch();
    const pid = transport.pid;
    await transport.start();
    expect(transport.pid).toBe(pid);
    await transport.close();
  });
});

describe('openLink over stdio, the process launched before the client', () => {
  it('leaves no process behind when the connect fails before the client takes the transport', async () => {
    const marker = `open-link-launch-${process.pid}-${Date.now()}`;
    const config = backend('early', { command: process.execPath, args: ['-e', 'process.stdin.resume()', marker] });
    // An unrecognized prior: the SDK client refuses it before it touches the transport.
    const failed = openLink(config, {
      logger: createLogger({ level: 'error' }),
      clientInfo: { name: 'test', version: '0' },
      onLost: () => {},
      prior: { kind: 'modern', discover: {} } as never,
    });
    await expect(failed).rejects.toThrow(/unrecognized prior/);
    const running = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
    expect(running.split('\n').filter((line) => line.includes(marker))).toEqual([]);
  });
});

/** Answers each request line with an empty result for its id; ignores notifications. */
const ANSWERER = [
  "let rest = '';",
  "process.stdin.on('data', (c) => { rest += c; let i; while ((i = rest.indexOf('\\n')) >= 0) {",
  '  const m = JSON.parse(rest.slice(0, i)); rest = rest.slice(i + 1);',
  "  if (m.id !== undefined && m.method) process.stdout.write(JSON.stringify({ jsonrpc: '2.0', id: m.id, result: {} }) + '\\n');",
  '} });',
].join('\n');

describe('ChildStdioTransport, what the process still owes us', () => {
  it('counts the requests it has not answered: cancelled ones and answered ones are off the count', async () => {
    const transport = new ChildStdioTransport(
      { command: process.execPath, args: ['-e', ANSWERER], env: { PATH: process.env.PATH ?? '' } },
      createLogger({ level: 'error' }),
    );
    const answered: unknown[] = [];
    transport.onmessage = (message) => answered.push((message as { id?: unknown }).id);
    await transport.start();
    // The process is idle: the write that wakes it leaves before this turn ends (see coalesce-writes.ts).
    await transport.send({ jsonrpc: '2.0', id: 'a', method: 'ping' });
    await transport.send({ jsonrpc: '2.0', id: 'b', method: 'ping' });
    await transport.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'b' } });
    expect(transport.unansweredRequests).toBe(1);
    await until(() => answered.length === 2);
    expect(answered).toEqual(['a', 'b']);
    expect(transport.unansweredRequests).toBe(0);
    await transport.close();
  });
});
