/**
 * Issue 17.5: removing a stdio backend (a reload without it) ends its whole process group, not only the direct
 * child: a `sh -c` backend whose processes ignore stdin EOF and SIGTERM leaves nothing behind. (Built fixture:
 * `npm run build` first.)
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { silentLogger } from '../../src/logging/logger';
import { Router } from '../../src/router/router';
import { FLAKY, backend, eventually, loaded } from '../helpers/config';

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

const groupMembers = (pgid: number): number[] =>
  spawnSync('pgrep', ['-g', String(pgid)], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean)
    .map(Number)
    .filter(alive);

let pgid: number | undefined;
afterEach(() => {
  if (pgid === undefined) return;
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // gone, as it should be
  }
});

it('a backend removed by a reload leaves no process of its group behind, even ones that ignore SIGTERM', async () => {
  const script = `(trap "" TERM; exec sleep 1000) & trap "" TERM; ${JSON.stringify(process.execPath)} ${JSON.stringify(FLAKY)}; sleep 1000`;
  const tree = backend('tree', { command: 'sh', args: ['-c', script] });
  const router = new Router({ config: loaded([tree]), logger: silentLogger() });
  router.start();
  try {
    await router.whenSettled();
    pgid = router.linkOf('tree')!.pid!;
    const group = await eventually(
      () => groupMembers(pgid!),
      (pids) => pids.length === 3,
    );
    expect(await router.applyConfig(loaded([]))).toMatchObject({ removed: ['tree'] });
    await eventually(
      () => group.filter(alive),
      (left) => left.length === 0,
    );
    expect(groupMembers(pgid)).toEqual([]);
  } finally {
    await router.stop();
  }
});
