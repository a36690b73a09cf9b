/**
 * Issue 17.5: when the router exits without its orderly stop (an uncaught failure after its backends were
 * spawned, a second signal that ends it at once, process.exit), the synchronous 'exit' handler of
 * src/backends/process-group.ts still ends every backend's process group, even one that ignores SIGTERM.
 * A real Node process runs the built module (run `npm run build` first).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, eventually } from '../helpers/config';
import { groupMembers } from '../helpers/processes';

const MODULE = join(ROOT, 'dist', 'src', 'backends', 'process-group.js');

const leftovers: number[] = [];
afterEach(() => {
  for (const pgid of leftovers.splice(0))
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // gone, as it should be
    }
});

/** A "router" that spawns a TERM-ignoring backend group, prints its pgid, then dies the way `how` says. */
function routerThatDies(how: string): Promise<{ pgid: number; code: number | null }> {
  const script = `
    const { spawn } = require('node:child_process');
    const { trackGroup } = require(${JSON.stringify(MODULE)});
    const child = spawn('sh', ['-c', 'trap "" TERM; sleep 1000 & wait'], { detached: true, stdio: 'ignore' });
    child.on('spawn', () => {
      trackGroup(child.pid);
      process.stdout.write(child.pid + '\\n');
      setTimeout(() => { ${how} }, 100);
    });`;
  return new Promise((resolve) => {
    const router = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    router.stdout.on('data', (d) => (out += d));
    router.on('close', (code) => resolve({ pgid: Number(out.trim()), code }));
  });
}

describe('the process groups of stdio backends when the router exits abruptly', () => {
  it.each([
    ['an uncaught exception', "throw new Error('boom')", 1],
    ['process.exit', 'process.exit(0)', 0],
  ])('after %s, no process of a backend group that ignores SIGTERM is left', async (_what, how, expected) => {
    const { pgid, code } = await routerThatDies(how);
    leftovers.push(pgid);
    expect(code).toBe(expected);
    expect(pgid).toBeGreaterThan(0);
    await eventually(
      () => groupMembers(pgid),
      (pids) => pids.length === 0,
      2_000,
    );
  });
});
