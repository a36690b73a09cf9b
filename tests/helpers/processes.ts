/** Which processes are still running, for the tests that check that the router leaves none behind. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Alive and not a zombie (an orphan nobody reaps yet has exited all the same). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
}

/** The live processes of a process group. */
export const groupMembers = (pgid: number): number[] =>
  spawnSync('pgrep', ['-g', String(pgid)], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean)
    .map(Number)
    .filter(isAlive);
