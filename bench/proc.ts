/**
 * Processes the bench starts: spawn with captured output, wait for a line, read memory from /proc, stop them
 * (and whatever they spawned) by pid.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus } from 'node:os';

/** A free TCP port on 127.0.0.1, from the OS. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resident memory of one process in bytes (VmRSS), undefined when it is gone. */
export function rssBytes(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) a process has used so far, in ms; undefined when it is gone. */
export function cpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the comm: state(0) ppid(1) ... utime(11) stime(12), in clock ticks (USER_HZ, 100 on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

/** The machine's CPU counters (all cores, clock ticks) from /proc/stat: busy and total. */
export function machineTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  // A field missing from /proc/stat makes the sums NaN, as arithmetic on undefined would.
  const [user = NaN, nice = NaN, system = NaN, idle = NaN, iowait = NaN, irq = NaN, softirq = NaN, steal = NaN] = line
    .trim()
    .split(/\s+/)
    .slice(1, 9)
    .map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

/**
 * Waits (at most `maxMs`) for half a second in which the whole machine stays under `busyPercent` of one core,
 * so that a measurement does not start in the middle of somebody else's job. Answers the ms waited and whether
 * it found quiet.
 */
export async function waitForQuiet(maxMs: number, busyPercent = 25): Promise<{ waitedMs: number; quiet: boolean }> {
  const begin = Date.now();
  for (;;) {
    const a = machineTicks();
    await new Promise((r) => setTimeout(r, 500));
    const b = machineTicks();
    const busy = b.total > a.total ? ((b.busy - a.busy) / (b.total - a.total)) * 100 * cpus().length : 0;
    if (busy < busyPercent) return { waitedMs: Date.now() - begin, quiet: true };
    if (Date.now() - begin >= maxMs) return { waitedMs: Date.now() - begin, quiet: false };
  }
}

/** Every live descendant of pid (children, their children, ...), from /proc. */
export function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(entry), ppid);
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [child, ppid] of parentOf) {
      if (ppid === parent && !found.includes(child)) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface Sampled {
  peakBytes?: number;
  medianBytes?: number;
  samples: number;
  /** The process alone, % of one core. */
  cpuPercent?: number;
  /** Its descendants (a router's or peer's backends), % of one core. */
  childrenCpuPercent?: number;
  /** The whole machine, % of one core (up to 100 × cores). */
  machineCpuPercent?: number;
}

/**
 * Samples a process's RSS at a fixed period until stopped; answers the peak and the median, the share of one
 * core it and its descendants used meanwhile, and how busy the whole machine was (to see interference).
 */
export class RssSampler {
  private readonly samples: number[] = [];
  private timer?: NodeJS.Timeout;
  private cpuAtStart?: number;
  private children: Array<{ pid: number; at: number }> = [];
  private machineAtStart = { busy: 0, total: 0 };
  private startedAt = 0;

  constructor(
    private readonly pid: number,
    private readonly everyMs = 200,
  ) {}

  start(): void {
    this.cpuAtStart = cpuMs(this.pid);
    this.children = descendants(this.pid).flatMap((pid) => {
      const at = cpuMs(pid);
      return at === undefined ? [] : [{ pid, at }];
    });
    this.machineAtStart = machineTicks();
    this.startedAt = Date.now();
    this.take();
    this.timer = setInterval(() => this.take(), this.everyMs);
  }

  stop(): Sampled {
    if (this.timer) clearInterval(this.timer);
    this.take();
    const cpuNow = cpuMs(this.pid);
    const elapsed = Date.now() - this.startedAt;
    const machine = machineTicks();
    const ticks = machine.total - this.machineAtStart.total;
    let childrenMs = 0;
    for (const child of this.children) childrenMs += (cpuMs(child.pid) ?? child.at) - child.at;
    const sorted = [...this.samples].sort((a, b) => a - b);
    return {
      peakBytes: sorted.length ? sorted[sorted.length - 1] : undefined,
      medianBytes: sorted.length ? sorted[sorted.length >> 1] : undefined,
      samples: sorted.length,
      cpuPercent:
        cpuNow !== undefined && this.cpuAtStart !== undefined && elapsed > 0
          ? ((cpuNow - this.cpuAtStart) / elapsed) * 100
          : undefined,
      childrenCpuPercent: elapsed > 0 ? (childrenMs / elapsed) * 100 : undefined,
      machineCpuPercent:
        ticks > 0 ? ((machine.busy - this.machineAtStart.busy) / ticks) * 100 * cpus().length : undefined,
    };
  }

  private take(): void {
    const rss = rssBytes(this.pid);
    if (rss !== undefined) this.samples.push(rss);
  }
}

export class Spawned {
  readonly child: ChildProcess;
  private output = '';
  private readonly watchers: Array<() => void> = [];
  readonly exited: Promise<void>;

  constructor(
    readonly label: string,
    command: string,
    args: string[],
    options: SpawnOptions = {},
  ) {
    this.child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    const collect = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-20_000);
      for (const watcher of this.watchers) watcher();
    };
    this.child.stdout?.on('data', collect);
    this.child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.once('error', (error) => {
        this.output += `\nspawn error: ${error.message}`;
        resolve();
      });
    });
    this.exited.then(() => {
      for (const watcher of this.watchers) watcher();
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get tail(): string {
    return this.output.slice(-1500);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Waits for a line of its output (stdout or stderr) to match; answers the match. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(this.output);
        if (match) {
          finish();
          resolve(match);
        } else if (!this.running) {
          finish();
          reject(new Error(`${this.label} exited before printing ${pattern}: ${this.tail}`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`${this.label} did not print ${pattern} within ${timeoutMs} ms: ${this.tail}`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        const at = this.watchers.indexOf(check);
        if (at >= 0) this.watchers.splice(at, 1);
      };
      this.watchers.push(check);
      check();
    });
  }

  /** SIGTERM, a grace period, then SIGKILL for it and any descendant still alive. */
  async stop(graceMs = 5000): Promise<void> {
    const pid = this.child.pid;
    if (pid === undefined) return;
    const family = this.running ? descendants(pid) : [];
    if (this.running) {
      this.child.kill('SIGTERM');
      await Promise.race([this.exited, new Promise((r) => setTimeout(r, graceMs))]);
      if (this.running) {
        this.child.kill('SIGKILL');
        await this.exited;
      }
    }
    // Give orphans a moment to notice their parent went away, then make sure.
    const deadline = Date.now() + 2000;
    while (family.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    for (const orphan of family) {
      if (alive(orphan)) {
        try {
          process.kill(orphan, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  }
}
