/**
 * The router-only measurements: start-up with 20 stdio backends (against spawning them directly), tools/list
 * over 50 backends × 20 tools, memory with 50 backends against 1 (which gives the memory one backend costs the
 * router), and memory with 1,000 open client sessions.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { findEchoTool, toolNames } from './load/jsonrpc';
import { StdioSession } from './load/stdio-client';
import { StreamableHttpSession } from './load/http-client';
import { median, percentileSorted } from './load/stats';
import { descendants, rssBytes, Spawned } from './proc';
import { cleanEnv, ECHO_BACKEND, ROUTER_CLI, ROOT, writeRouterConfig, type BenchBackend } from './targets';

const MB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface StartupResult {
  backends: number;
  runsMs: number[];
  medianMs: number;
  /** From spawn to the answer to initialize (the router may serve before its backends are up). */
  initializeMedianMs: number;
}

/** Spawn → tools/list lists every backend's echo tool, over stdio; `rounds` times. */
export async function measureStartup(workDir: string, backends: number, rounds: number): Promise<StartupResult> {
  const list: BenchBackend[] = Array.from({ length: backends }, (_, i) => ({ name: `echo_${i}` }));
  const config = writeRouterConfig(join(workDir, `router-startup-${backends}.yaml`), list, true);
  const runsMs: number[] = [];
  const initMs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const begin = performance.now();
    // The environment the direct spawns get: the bench's own may cost a Node process start-up time that the
    // direct side does not pay (NODE_EXTRA_CA_CERTS: about 50 ms per process on the bench machines).
    const session = new StdioSession(process.execPath, [ROUTER_CLI, '--config', config, '--transport', 'stdio'], {
      env: backendEnv(),
      cwd: ROOT,
    });
    try {
      await session.initialize(60_000);
      initMs.push(performance.now() - begin);
      const deadline = Date.now() + 60_000;
      for (;;) {
        const response = await session.request('tools/list', {}, 30_000);
        const echoes = new Set(toolNames(response.result).filter((n) => /^echo_\d+__echo$/.test(n)));
        if (echoes.size >= backends) break;
        if (Date.now() > deadline)
          throw new Error(`after 60 s only ${echoes.size} of ${backends} backends' tools are listed`);
        await sleep(20);
      }
      runsMs.push(performance.now() - begin);
    } finally {
      await session.close(5000);
    }
    await sleep(300);
  }
  return { backends, runsMs, medianMs: median(runsMs), initializeMedianMs: median(initMs) };
}

/**
 * The environment the router gives a stdio backend (src/backends/open-link.ts keeps these of its own), so that
 * the direct spawns below start the same processes; the router's start-up is measured under it too. The
 * bench's own environment may hold variables that cost every Node process start-up time (NODE_EXTRA_CA_CERTS:
 * the CA bundle parsed at start, tens of ms each).
 */
export function backendEnv(): Record<string, string> {
  const env = cleanEnv();
  const keep = ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'TERM', 'LANG', 'LC_ALL', 'TMPDIR'];
  const out: Record<string, string> = {};
  for (const key of keep) if (env[key] !== undefined) out[key] = env[key];
  return out;
}

/**
 * The floor under the router's start-up: the same number of echo backends spawned at once, directly, with the
 * environment the router gives them, until every one has answered tools/list. (On 2 cores, most of it is Node
 * and the SDK loading, 20 times.)
 */
export async function measureDirectStartup(backends: number, rounds: number): Promise<StartupResult> {
  const runsMs: number[] = [];
  const initMs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const begin = performance.now();
    const sessions = Array.from(
      { length: backends },
      () => new StdioSession(process.execPath, [ECHO_BACKEND], { env: backendEnv(), cwd: ROOT }),
    );
    try {
      await Promise.all(sessions.map((s) => s.initialize(60_000)));
      initMs.push(performance.now() - begin);
      await Promise.all(sessions.map((s) => s.request('tools/list', {}, 30_000)));
      runsMs.push(performance.now() - begin);
    } finally {
      await Promise.all(sessions.map((s) => s.close(2000)));
    }
    await sleep(300);
  }
  return { backends, runsMs, medianMs: median(runsMs), initializeMedianMs: median(initMs) };
}

/**
 * The router's start-up and the direct spawns, alternating run by run: the machines are shared, and a burst of
 * somebody else's work should land on both sides, not on one.
 */
export async function measureStartupAgainstDirect(
  workDir: string,
  backends: number,
  rounds: number,
): Promise<{ router: StartupResult; direct: StartupResult }> {
  const router: StartupResult[] = [];
  const direct: StartupResult[] = [];
  for (let round = 0; round < rounds; round++) {
    const routerFirst = round % 2 === 0;
    if (routerFirst) router.push(await measureStartup(workDir, backends, 1));
    direct.push(await measureDirectStartup(backends, 1));
    if (!routerFirst) router.push(await measureStartup(workDir, backends, 1));
  }
  const merge = (list: StartupResult[]): StartupResult => {
    const runsMs = list.flatMap((r) => r.runsMs);
    return {
      backends,
      runsMs,
      medianMs: median(runsMs),
      initializeMedianMs: median(list.map((r) => r.initializeMedianMs)),
    };
  };
  return { router: merge(router), direct: merge(direct) };
}

export interface AggregationResult {
  backends: number;
  toolsPerBackend: number;
  toolsListed: number;
  /** From spawn to a tools/list with every tool. */
  readyMs: number;
  calls: number;
  p50Ms: number;
  p99Ms: number;
  /** The router process alone, settled after the calls. */
  routerRssMB: number;
  /** The backends' processes together, for scale. */
  backendsRssMB: number;
}

/**
 * Starts the router over HTTP with `backends` echo backends of `toolsPerBackend` tools each (echo plus
 * tool_0..), waits until tools/list has them all, then times `calls` sequential tools/list.
 */
export async function measureAggregation(
  workDir: string,
  backends: number,
  toolsPerBackend: number,
  calls: number,
): Promise<AggregationResult> {
  const list: BenchBackend[] = Array.from({ length: backends }, (_, i) => ({
    name: `b${i}`,
    args: ['--tools', String(toolsPerBackend - 1)],
  }));
  const config = writeRouterConfig(join(workDir, `router-aggregate-${backends}.yaml`), list, true);
  const expected = backends * toolsPerBackend;
  const begin = performance.now();
  const spawned = new Spawned(
    'mcp-router',
    process.execPath,
    [ROUTER_CLI, '--config', config, '--transport', 'http', '--host', '127.0.0.1', '--port', '0'],
    { env: cleanEnv(), cwd: ROOT },
  );
  let session: StreamableHttpSession | undefined;
  try {
    const match = await spawned.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)\/mcp/, 120_000);
    session = new StreamableHttpSession(`http://127.0.0.1:${match[1]}/mcp`);
    await session.initialize();
    const deadline = Date.now() + 120_000;
    let listed = 0;
    for (;;) {
      const response = await session.request('tools/list', {});
      listed = toolNames(response.result).filter((n) => /^b\d+__(echo|tool_\d+)$/.test(n)).length;
      if (listed >= expected) break;
      if (Date.now() > deadline) throw new Error(`after 120 s tools/list has ${listed} of ${expected} tools`);
      await sleep(50);
    }
    const readyMs = performance.now() - begin;
    for (let i = 0; i < 20; i++) await session.request('tools/list', {});
    const latencies = new Float64Array(calls);
    for (let i = 0; i < calls; i++) {
      const t0 = performance.now();
      const response = await session.request('tools/list', {});
      latencies[i] = performance.now() - t0;
      if (response.error) throw new Error(`tools/list failed: ${response.error.message}`);
    }
    latencies.sort();
    // Let the garbage of the calls settle, then read the router's memory (median of a few samples).
    await sleep(1000);
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) {
      samples.push(rssBytes(spawned.pid) ?? NaN);
      await sleep(100);
    }
    const backendsRss = descendants(spawned.pid)
      .map((pid) => rssBytes(pid) ?? 0)
      .reduce((a, b) => a + b, 0);
    return {
      backends,
      toolsPerBackend,
      toolsListed: listed,
      readyMs,
      calls,
      p50Ms: percentileSorted(latencies, 50),
      p99Ms: percentileSorted(latencies, 99),
      routerRssMB: median(samples) / MB,
      backendsRssMB: backendsRss / MB,
    };
  } finally {
    await session?.close().catch(() => {});
    await spawned.stop(15_000);
  }
}

export interface SessionsResult {
  sessions: number;
  /** From the first session's initialize to the last one's tools/list. */
  openMs: number;
  /** The router process alone with one session open, settled. */
  routerRssOneMB: number;
  /** The router process alone with every session open, settled (median of a few samples). */
  routerRssMB: number;
  /** The highest RSS sampled while the sessions opened. */
  routerRssPeakMB: number;
  /** (all − one) / (sessions − 1), in KB. */
  perSessionKB: number;
}

/**
 * Starts the router over HTTP with one echo backend and opens `sessions` client sessions (initialize,
 * notifications/initialized, one tools/list each, so that none counts as unused), each on a connection of its
 * own, and holds them open while it reads the router's memory. The router allows half its sessions to one
 * address, so the clients connect from several loopback addresses (127.0.0.2, .3, ...), as clients on several
 * hosts would.
 */
export async function measureSessions(workDir: string, sessions: number): Promise<SessionsResult> {
  const config = writeRouterConfig(join(workDir, 'router-sessions.yaml'), [{ name: 'echo' }], false);
  const spawned = new Spawned(
    'mcp-router',
    process.execPath,
    [ROUTER_CLI, '--config', config, '--transport', 'http', '--host', '127.0.0.1', '--port', '0'],
    { env: cleanEnv(), cwd: ROOT },
  );
  const open: StreamableHttpSession[] = [];
  const PER_ADDRESS = 250;
  const settledRss = async () => {
    await sleep(1000);
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) {
      samples.push(rssBytes(spawned.pid) ?? NaN);
      await sleep(100);
    }
    return median(samples) / MB;
  };
  try {
    const match = await spawned.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)\/mcp/, 120_000);
    const url = `http://127.0.0.1:${match[1]}/mcp`;
    const openOne = async (i: number) => {
      const session = new StreamableHttpSession(url, 'raw', `127.0.0.${2 + Math.floor(i / PER_ADDRESS)}`);
      open.push(session);
      await session.initialize();
      const listed = await session.request('tools/list', {});
      if (!findEchoTool(listed.result))
        throw new Error(`session ${i + 1}: tools/list without the echo tool: ${JSON.stringify(listed).slice(0, 200)}`);
    };
    // The first one waits for the backend to be listed, then the router settles.
    const readyBy = Date.now() + 60_000;
    for (;;) {
      try {
        await openOne(0);
        break;
      } catch (error) {
        await open
          .pop()
          ?.close()
          .catch(() => {});
        if (Date.now() > readyBy) throw error;
        await sleep(100);
      }
    }
    const routerRssOneMB = await settledRss();
    const begin = performance.now();
    let peak = routerRssOneMB * MB;
    for (let next = 1; next < sessions;) {
      const batch: Promise<void>[] = [];
      for (let k = 0; k < 50 && next < sessions; k++) batch.push(openOne(next++));
      const outcomes = await Promise.allSettled(batch);
      const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (failed)
        throw new Error(
          `opening session ${next} of ${sessions} failed: ${failed.reason instanceof Error ? failed.reason.message : String(failed.reason)}`,
        );
      peak = Math.max(peak, rssBytes(spawned.pid) ?? 0);
    }
    const openMs = performance.now() - begin;
    const routerRssMB = await settledRss();
    return {
      sessions,
      openMs,
      routerRssOneMB,
      routerRssMB,
      routerRssPeakMB: Math.max(peak / MB, routerRssMB),
      perSessionKB: ((routerRssMB - routerRssOneMB) * 1024) / Math.max(1, sessions - 1),
    };
  } finally {
    for (let i = 0; i < open.length; i += 100)
      await Promise.all(open.slice(i, i + 100).map((s) => s.close().catch(() => {})));
    await spawned.stop(15_000);
  }
}
