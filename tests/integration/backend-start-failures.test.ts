/**
 * Issue 18.2: what a stdio backend that fails to start leaves in last_error (and so in list_backends, /status
 * and `mcp-router check`): its exit code or signal and the tail of its stderr, the spawn error with what it
 * means, and never a secret its config gave it (it may print one).
 */
import winston from 'winston';
import Transport from 'winston-transport';
import { wireRouter } from '../../src/wiring';
import { backend, loaded } from '../helpers/config';
import type { BackendConfig } from '../../src/config/types';

class Capture extends Transport {
  readonly lines: string[] = [];
  override log(info: { message: string }, next: () => void): void {
    this.lines.push(info.message);
    next();
  }
}

async function lastErrorOf(overrides: Partial<BackendConfig>) {
  const capture = new Capture();
  const router = wireRouter({
    config: loaded([backend('b', overrides)]),
    logger: winston.createLogger({ level: 'debug', transports: [capture] }),
  });
  router.start();
  try {
    await router.whenSettled();
    return { error: router.backendRef('b')!.getSnapshot().context.lastError?.message, logs: capture.lines.join('\n') };
  } finally {
    await router.stop();
  }
}

describe('a stdio backend that fails to start', () => {
  it('says how it exited and what its stderr said last, with the secrets of its config hidden', async () => {
    const secret = 'supersecret-123';
    const script = 'for i in $(seq 1 30); do echo "line $i" >&2; done; echo "auth with $TOKEN failed" >&2; exit 3';
    const { error, logs } = await lastErrorOf({ command: 'sh', args: ['-c', script], env: { TOKEN: secret } });
    expect(error).toMatch(/^the backend process exited with code 3; its stderr ends with:\n/);
    // The tail: the last 20 lines, not the first ones.
    expect(error).toContain('line 30\nauth with *** failed');
    expect(error).not.toContain('line 10\n');
    expect(error).not.toContain(secret);
    expect(logs).toContain('auth with *** failed');
    expect(logs).not.toContain(secret);
  });

  it('says which signal killed it', async () => {
    const { error } = await lastErrorOf({ command: 'sh', args: ['-c', 'kill -9 $$'] });
    expect(error).toBe('the backend process was killed by SIGKILL (nothing on stderr)');
  });

  it('a cwd that does not exist is named as such, and will not heal', async () => {
    const { error } = await lastErrorOf({ command: 'sh', args: ['-c', 'true'], cwd: '/nonexistent/mcp-router-cwd' });
    expect(error).toBe(
      `cannot start "sh": its cwd "/nonexistent/mcp-router-cwd" does not exist (ENOENT) [this will not heal by retrying: fix the backend's config; retrying every 30 s]`,
    );
  });
});
