/**
 * Issue 17.8: a backend answer over the size cap (one line on stdio over MAX_MESSAGE_CHARS) used to tear the
 * link down: every call in flight on it failed with "Connection closed", and the reason was logged nowhere.
 * Now that one call fails with an error naming the limit, a warning says why, and the link stays up: the call
 * in flight beside it and the calls after it are answered by the same process. (Built fixture: `npm run build`.)
 */
import winston from 'winston';
import Transport from 'winston-transport';
import { join } from 'node:path';
import { MAX_MESSAGE_CHARS } from '../../src/backends/line-reader';
import { Router } from '../../src/router/router';
import { ROOT, backend, loaded } from '../helpers/config';

const ASKS = join(ROOT, 'dist', 'tests', 'fixtures', 'client-asks-server.js');

class Capture extends Transport {
  readonly lines: { level: string; message: string }[] = [];
  override log(info: { level: string; message: string }, next: () => void): void {
    this.lines.push({ level: info.level, message: info.message });
    next();
  }
}

describe('a backend answer over the size cap', () => {
  it('fails that call alone, with the limit in the error and a warning in the log; the link stays up', async () => {
    const capture = new Capture();
    const router = new Router({
      config: loaded([backend('asks', { command: process.execPath, args: [ASKS] })], { maxRetries: 0 }),
      logger: winston.createLogger({ level: 'info', transports: [capture] }),
    });
    router.start();
    try {
      await router.whenSettled();
      const pid = router.linkOf('asks')!.pid;
      const call = (name: string, args: Record<string, unknown>) =>
        router.dispatcher.forward(
          { method: 'tools/call', name: `asks__${name}` },
          { paramsFor: () => ({ name, arguments: args }), retrySafe: () => false },
        );
      const text = (r: Record<string, unknown>) => (r.content as { text: string }[])[0].text;

      const beside = call('wait', { ms: 300 });
      const big = call('big', { chars: MAX_MESSAGE_CHARS + 1000 });
      await expect(big).rejects.toThrow(
        new RegExp(`over the limit of ${MAX_MESSAGE_CHARS} characters for one message; this call failed`),
      );
      expect(text(await beside)).toBe('waited');
      expect(text(await call('echo', { text: 'after' }))).toBe('after');
      expect(router.linkOf('asks')!.pid).toBe(pid);
      expect(capture.lines).toContainEqual({
        level: 'warn',
        message: expect.stringMatching(/^the answer to call .+ characters, over the limit of \d+: that call failed/),
      });
      expect(capture.lines.map((l) => l.message).join('\n')).not.toMatch(/connection lost/);
    } finally {
      await router.stop();
    }
  });
});
