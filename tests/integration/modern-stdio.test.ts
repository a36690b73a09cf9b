/**
 * The 2026-07-28 front over stdio, as lines on the real CLI's pipes: requests run side by side, each answered
 * under its own id, and a client cancels one with notifications/cancelled naming it: the backend hears it and
 * the request is left unanswered, while the others are answered.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { CLI, tempFile } from '../helpers/cli';
import { ROOT } from '../helpers/config';
import { envelope, type Fields } from '../helpers/modern-wire';

const FLAKY = join(ROOT, 'dist', 'tests', 'fixtures', 'flaky-server.js');

interface Line {
  id?: number;
  method?: string;
  result?: Fields;
  error?: Fields;
}

describe('the 2026-07-28 front over stdio', () => {
  let router: ChildProcess;
  const lines: Line[] = [];
  const texts: string[] = [];
  const waiters = new Set<() => void>();
  let nextId = 1;

  const send = (message: Fields) => router.stdin!.write(`${JSON.stringify(message)}\n`);
  const request = (method: string, params: Fields = {}) => {
    const id = nextId++;
    send({ jsonrpc: '2.0', id, method, params: { ...params, _meta: envelope() } });
    return id;
  };
  const answerTo = (id: number) =>
    new Promise<Line>((resolve) => {
      const check = () => {
        const line = lines.find((l) => l.id === id && l.method === undefined);
        if (!line) return false;
        waiters.delete(check as () => void);
        resolve(line);
        return true;
      };
      if (!check()) waiters.add(check as () => void);
    });
  const call = async (name: string) => (await answerTo(request('tools/call', { name, arguments: {} }))).result!;
  const served = async () => (await call('served')).structuredContent as { hang: number; cancelled: number };

  beforeAll(() => {
    const config = tempFile(
      'backends.yaml',
      [
        'routing:',
        '  enable_namespace_prefixing: false',
        'backends:',
        '  - name: flaky',
        `    command: ${JSON.stringify(process.execPath)}`,
        `    args: [${JSON.stringify(FLAKY)}]`,
        '',
      ].join('\n'),
    );
    router = spawn(process.execPath, [CLI, '--config', config, '--transport', 'stdio'], {
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    let buffered = '';
    router.stdout!.setEncoding('utf8');
    router.stdout!.on('data', (chunk: string) => {
      buffered += chunk;
      let at;
      while ((at = buffered.indexOf('\n')) >= 0) {
        texts.push(buffered.slice(0, at));
        lines.push(JSON.parse(buffered.slice(0, at)) as Line);
        buffered = buffered.slice(at + 1);
      }
      for (const waiter of [...waiters]) waiter();
    });
  });

  afterAll(async () => {
    const exited = new Promise((resolve) => router.once('exit', resolve));
    router.stdin!.end();
    await exited;
  });

  it('answers server/discover, tools/list and calls, each under its own id', async () => {
    const discover = await answerTo(request('server/discover'));
    expect(discover.result).toMatchObject({ supportedVersions: ['2026-07-28'], resultType: 'complete' });
    const list = await answerTo(request('tools/list'));
    expect((list.result!.tools as Fields[]).map((t) => t.name)).toContain('hang');
    // Written once and spliced in: the line is what JSON.stringify writes.
    expect(texts[lines.indexOf(list)]).toBe(JSON.stringify(list));
    const [a, b] = await Promise.all([call('count'), call('count')]);
    expect(a).toMatchObject({ resultType: 'complete' });
    expect(b).toMatchObject({ resultType: 'complete' });
  });

  it('notifications/cancelled naming a call reaches the backend, and the call is left unanswered', async () => {
    const hang = request('tools/call', { name: 'hang', arguments: {} });
    while ((await served()).hang !== 1) await new Promise((r) => setImmediate(r));
    send({
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: hang, reason: 'no longer needed' },
    });
    while ((await served()).cancelled !== 1) await new Promise((r) => setImmediate(r));
    // Answers to later requests have come back; the cancelled one has none.
    expect(lines.some((l) => l.id === hang)).toBe(false);
  });
});
