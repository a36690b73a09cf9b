/**
 * Stdio backends run in a process group of their own (POSIX), and ending one ends its whole group.
 *
 * Own group: Ctrl-C in a terminal sends SIGINT to the whole foreground group; backends in the router's group
 * would die at once, under the calls the router is still letting finish.
 * Whole group: a backend started through `sh -c`, `npx` or a wrapper script is a tree of processes; signalling
 * only the direct child leaves its real process behind, running, with parent PID 1.
 *
 * Every group still alive is remembered, so that when the router exits without its orderly stop (a second
 * signal, an uncaught failure, process.exit) a synchronous 'exit' handler ends what is left.
 */
import type { ChildProcess } from 'node:child_process';

export const OWN_GROUPS = process.platform !== 'win32';

export interface EndGraces {
  /** After stdin closes, how long the direct child gets to exit by itself. */
  stdinMs: number;
  /** After SIGTERM to the group, how long before SIGKILL. */
  termMs: number;
}

export const DEFAULT_GRACES: EndGraces = { stdinMs: 2_000, termMs: 2_000 };
const POLL_MS = 50;
/** At exit the router cannot wait: a short pause between SIGTERM and SIGKILL, blocking. */
const EXIT_PAUSE_MS = 200;

const liveGroups = new Set<number>();
let exitHandlerInstalled = false;

/** True while any process of the group exists (zombies included: they are reaped soon after). */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is gone already.
  }
}

/** Remembers a freshly spawned child's group (its pid is the group id, as it was spawned detached). */
export function trackGroup(pid: number): void {
  if (!OWN_GROUPS) return;
  liveGroups.add(pid);
  if (exitHandlerInstalled) return;
  exitHandlerInstalled = true;
  process.on('exit', endAllGroupsNow);
}

/** The synchronous last resort, run from process.on('exit'). */
export function endAllGroupsNow(): void {
  const alive = [...liveGroups].filter(groupAlive);
  if (alive.length === 0) return;
  for (const pgid of alive) signalGroup(pgid, 'SIGTERM');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, EXIT_PAUSE_MS);
  for (const pgid of alive) signalGroup(pgid, 'SIGKILL');
  liveGroups.clear();
}

/** Not unref'd: a router that is stopping stays up until its backends are ended (bounded by the graces). */
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function untilGone(isGone: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!isGone()) {
    if (Date.now() >= deadline) return false;
    await sleep(POLL_MS);
  }
  return true;
}

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/** True once the direct child has exited (at once when it has), false after `ms`. */
function exitWithin(child: ChildProcess, ms: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, ms);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

/**
 * Ends a backend: stdin closed (a well-behaved server exits on EOF), then SIGTERM to its group, then SIGKILL,
 * each after a grace. Resolves when nothing of the group is left (or SIGKILL has been sent).
 */
export async function endProcessTree(child: ChildProcess, graces: EndGraces = DEFAULT_GRACES): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  try {
    child.stdin?.end();
  } catch {
    // A pipe already broken: the signals below still apply.
  }
  await exitWithin(child, graces.stdinMs);
  if (!OWN_GROUPS) {
    if (!exited(child)) child.kill('SIGTERM');
    if (!(await exitWithin(child, graces.termMs))) child.kill('SIGKILL');
    return;
  }
  // The direct child may be gone while what it started lives on: the group decides.
  if (groupAlive(pid)) {
    signalGroup(pid, 'SIGTERM');
    if (!(await untilGone(() => !groupAlive(pid), graces.termMs))) signalGroup(pid, 'SIGKILL');
  }
  liveGroups.delete(pid);
}
