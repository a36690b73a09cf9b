/**
 * Issue 17.8: a backend answer over the size cap (one line on stdio over MAX_MESSAGE_CHARS) used to tear the
 * link down: every call in flight on it failed with "Connection closed", and the reason was logged nowhere.
 * Now that one call fails with an error naming the limit, a warning says why, and the link stays up: the call
 * in flight beside it and the calls after it are answered by the same process. The same holds for an HTTP
 * backend's JSON body or server-sent event over the cap (in bytes). (Built fixture: `npm run build`.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import winston from 'winston';
import Transport from 'winston-transport';
import { join } from 'node:path';
import { MAX_MESSAGE_CHARS } from '../../src/backends/line-reader';
import { wireRouter } from '../../src/wiring';
import type { BackendConfig } from '../../src/config/types';
import { ROOT, backend, loaded } from '../helpers/config';

const ASKS = join(ROOT, 'dist', 'tests', 'fixtures', 'client-asks-server.js');

class Capture extends Transport {
  readonly lines: { level: string; message: string }[] = [];
  override log(info: { level: string; message: string }, next: () => void): void {
    this.lines.push({ level: info.level, message: info.message });
    next();
  }
}

const servers: ChildProcess[] = [];
afterAll(() => servers.forEach((c) => c.kill('SIGKILL')));

/** The fixture serving streamable HTTP (`--json`: JSON bodies, else SSE streams); resolves with its URL. */
function httpFixture(json: boolean): Promise<string> {
  const child = spawn(process.execPath, [ASKS, '--http', ...(json ? ['--json'] : [])], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  servers.push(child);
  return new Promise((resolve) => {
    child.stdout.on('data', (d: Buffer) => {
      const m = /listening (http:\/\/\S+)/.exec(d.toString());
      if (m) resolve(m[1]!);
    });
  });
}

const cases: [string, () => Promise<Partial<BackendConfig>>, string][] = [
  ['stdio: one line on stdout', async () => ({ command: process.execPath, args: [ASKS] }), 'characters'],
  [
    'streamable HTTP: a JSON body',
    async () => ({ transport: 'streamable-http', url: await httpFixture(true) }),
    'bytes',
  ],
  [
    'streamable HTTP: one server-sent event',
    async () => ({ transport: 'streamable-http', url: await httpFixture(false) }),
    'bytes',
  ],
];

describe('a backend answer over the size cap', () => {
  it.each(cases)(
    '%s: fails that call alone, with the limit in the error and a warning in the log; the link stays up',
    async (_what, how, unit) => {
      const capture = new Capture();
      const router = wireRouter({
        config: loaded([backend('asks', await how())], { maxRetries: 0 }),
        logger: winston.createLogger({ level: 'info', transports: [capture] }),
      });
      router.start();
      try {
        await router.whenSettled();
        const link = router.linkOf('asks')!;
        const call = (name: string, args: Record<string, unknown>) =>
          router.dispatcher.forward(
            { method: 'tools/call', name: `asks__${name}` },
            { paramsFor: () => ({ name, arguments: args }), retrySafe: () => false },
          );
        const text = (r: Record<string, unknown>) => (r.content as { text: string }[])[0]!.text;

        const beside = call('wait', { ms: 300 }).then(text, (error: Error) => `error: ${error.message}`);
        const big = call('big', { chars: MAX_MESSAGE_CHARS + 1000 });
        await expect(big).rejects.toThrow(
          new RegExp(`over the limit of ${MAX_MESSAGE_CHARS} ${unit} for one message; this call failed`),
        );
        expect(await beside).toBe('waited');
        expect(text(await call('echo', { text: 'after' }))).toBe('after');
        expect(router.linkOf('asks')).toBe(link);
        expect(capture.lines).toContainEqual({
          level: 'warn',
          message: expect.stringMatching(/^the answer to call .+, over the limit of \d+: that call failed/),
        });
        expect(capture.lines.map((l) => l.message).join('\n')).not.toMatch(/connection lost/);
      } finally {
        await router.stop();
      }
    },
  );
});
