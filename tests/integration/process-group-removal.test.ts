/**
 * Issue 17.5: removing a stdio backend (a reload without it) ends its whole process group, not only the direct
 * child: a `sh -c` backend whose processes ignore stdin EOF and SIGTERM leaves nothing behind. (Built fixture:
 * `npm run build` first.)
 */
import { silentLogger } from '../../src/logging/logger';
import { wireRouter } from '../../src/wiring';
import { FLAKY, backend, eventually, loaded } from '../helpers/config';
import { groupMembers, isAlive } from '../helpers/processes';

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
  const router = wireRouter({ config: loaded([tree]), logger: silentLogger() });
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
      () => group.filter(isAlive),
      (left) => left.length === 0,
    );
    expect(groupMembers(pgid)).toEqual([]);
  } finally {
    await router.stop();
  }
});
