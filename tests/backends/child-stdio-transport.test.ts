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

/** Answers each request line with an empty result for its id, but tells us it cancelled a `slow` one. */
const ANSWERER = [
  "let rest = '';",
  "const out = (m) => process.stdout.write(JSON.stringify(m) + '\\n');",
  "process.stdin.on('data', (c) => { rest += c; let i; while ((i = rest.indexOf('\\n')) >= 0) {",
  '  const m = JSON.parse(rest.slice(0, i)); rest = rest.slice(i + 1);',
  '  if (m.id === undefined || !m.method) continue;',
  "  if (m.method === 'slow') out({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: m.id } });",
  "  else out({ jsonrpc: '2.0', id: m.id, result: {} });",
  '} });',
].join('\n');

describe('ChildStdioTransport, what the process still owes us', () => {
  it('counts the requests it has not answered; cancelled ones, listen streams and our answers are not', async () => {
    const transport = new ChildStdioTransport(
      { command: process.execPath, args: ['-e', ANSWERER], env: { PATH: process.env.PATH ?? '' } },
      createLogger({ level: 'error' }),
    );
    const seen: unknown[] = [];
    transport.onmessage = (message) => seen.push((message as { id?: unknown }).id ?? 'notification');
    await transport.start();
    await transport.send({ jsonrpc: '2.0', id: 'a', method: 'ping' });
    await transport.send({ jsonrpc: '2.0', id: 'b', method: 'ping' });
    await transport.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'b' } });
    // A listen stream stays open without an answer: it would keep the process "busy" for good.
    await transport.send({ jsonrpc: '2.0', id: 'l', method: 'subscriptions/listen', params: {} });
    // Our answer to a request of the process's own is nothing it owes us.
    await transport.send({ jsonrpc: '2.0', id: 7, result: {} });
    expect(transport.unansweredRequests).toBe(1);
    await until(() => seen.length === 3);
    expect(seen).toEqual(['a', 'b', 'l']);
    expect(transport.unansweredRequests).toBe(0);
    // A request the process says it cancelled is off the count too.
    await transport.send({ jsonrpc: '2.0', id: 's', method: 'slow' });
    expect(transport.unansweredRequests).toBe(1);
    await until(() => seen.length === 4);
    expect(transport.unansweredRequests).toBe(0);
    await transport.close();
  });
});
