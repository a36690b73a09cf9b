/**
 * `npm run soak`: does the router's memory stay flat over many calls on long-lived sessions?
 *
 * Starts mcp-router over streamable HTTP in front of the bench's stdio echo backend, opens S sessions that
 * live for the whole run (the raw JSON-RPC client of bench/load, one keep-alive connection each), and runs N
 * tools/call over them, closed-loop (one call outstanding per session). Every K calls it samples the router
 * process's RSS (VmRSS from /proc/<pid>/status) and its V8 heap and active handles from its own /metrics.
 * At the end: a table, a verdict, and bench/results/soak.json.
 *
 * The verdict is "flat" when both hold: RSS grew less than --max-growth-mb from the sample at 20 % of the
 * calls to the last one, and the least-squares slope of RSS over the second half of the run is under
 * --max-slope-mb per 10,000 calls. The first 20 % are warm-up (JIT, pools, V8 sizing its heap).
 *
 * Usage: node dist/bench/soak.js [--calls 50000] [--sessions 8] [--sample-every 5000]
 *                                [--max-growth-mb 30] [--max-slope-mb 3] [--out bench/results/soak.json]
 * Exit status: 0 when flat and without errors, 1 otherwise, 2 for bad flags.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { countedLoop, type Call, type CountedResult } from './load/closed-loop';
import { openWhenReady, waitForEchoTool } from './load/connect';
import { isEchoOf, type JsonRpcMessage } from './load/jsonrpc';
import type { McpSession } from './load/session';
import { rssBytes, Spawned } from './proc';
import { cleanEnv, ROOT, ROUTER_CLI, writeRouterConfig } from './targets';

const MB = 1024 * 1024;
const log = (line: string) => process.stderr.write(`${line}\n`);

const USAGE = `usage: node dist/bench/soak.js [--calls N] [--sessions S] [--sample-every K] [--max-growth-mb M] [--max-slope-mb M] [--out FILE]
  --calls          tools/call in all (default 50000)
  --sessions       long-lived HTTP sessions, one call outstanding on each (default 8)
  --sample-every   calls between memory samples (default: a tenth of --calls, 5000 for 50000)
  --max-growth-mb  bound on RSS growth from the 20 % sample to the end (default 30)
  --max-slope-mb   bound on the RSS slope over the second half, MB per 10,000 calls (default 3)
  --out            results JSON (default bench/results/soak.json)
`;

interface Settings {
  calls: number;
  sessions: number;
  sampleEvery: number;
  maxGrowthMB: number;
  maxSlopeMBPer10k: number;
  out: string;
}

function parseFlags(argv: string[]): Settings {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      process.stderr.write(USAGE);
      process.exit(0);
    }
    const [flag = '', inline] = arg.split('=', 2);
    const known = ['--calls', '--sessions', '--sample-every', '--max-growth-mb', '--max-slope-mb', '--out'];
    if (!known.includes(flag)) throw new Error(`unknown flag ${arg}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`${flag} wants a value`);
    values.set(flag, value);
  }
  const number = (flag: string, fallback: number, integer: boolean) => {
    const raw = values.get(flag);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
      throw new Error(`${flag} wants a positive ${integer ? 'whole ' : ''}number, not ${raw}`);
    return n;
  };
  const calls = number('--calls', 50_000, true);
  return {
    calls,
    sessions: number('--sessions', 8, true),
    sampleEvery: number('--sample-every', Math.max(1, Math.round(calls / 10)), true),
    maxGrowthMB: number('--max-growth-mb', 30, false),
    maxSlopeMBPer10k: number('--max-slope-mb', 3, false),
    out: values.get('--out') ?? join(ROOT, 'bench', 'results', 'soak.json'),
  };
}

interface Sample {
  calls: number;
  elapsedS: number;
  rssMB?: number;
  heapUsedMB?: number;
  heapTotalMB?: number;
  externalMB?: number;
  activeHandles?: number;
  errors: number;
}

/** One metric's value from Prometheus text, whatever its prefix (the router's are `mcp_router_`). */
function metric(text: string, name: string): number | undefined {
  const match = new RegExp(`^(?:\\w*_)?${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+)`, 'm').exec(text);
  return match ? Number(match[1]) : undefined;
}

async function readMetrics(url: string): Promise<Partial<Sample>> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    const text = await res.text();
    const mb = (name: string) => {
      const v = metric(text, name);
      return v === undefined ? undefined : v / MB;
    };
    return {
      heapUsedMB: mb('nodejs_heap_size_used_bytes'),
      heapTotalMB: mb('nodejs_heap_size_total_bytes'),
      externalMB: mb('nodejs_external_memory_bytes'),
      activeHandles: metric(text, 'nodejs_active_handles_total'),
    };
  } catch {
    return {};
  }
}

/** Least-squares slope of y over x. */
function slope(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? NaN : num / den;
}

interface Verdict {
  flat: boolean;
  /** The sample the growth is measured from: the first at or after 20 % of the calls. */
  fromCalls: number;
  toCalls: number;
  rssGrowthMB: number;
  maxGrowthMB: number;
  rssSlopeMBPer10k: number;
  maxSlopeMBPer10k: number;
  /** For information: the same for the heap in use (noisier: it depends on where the GC was). */
  heapGrowthMB?: number;
  heapSlopeMBPer10k?: number;
  handlesGrowth?: number;
}

function judge(samples: Sample[], settings: Settings): Verdict {
  const withRss = samples.filter((s) => s.rssMB !== undefined);
  const from = withRss.find((s) => s.calls >= settings.calls * 0.2) ?? withRss[0];
  const to = withRss[withRss.length - 1];
  if (!from || !to) throw new Error('no samples with an RSS reading to judge');
  const secondHalf = withRss.filter((s) => s.calls >= settings.calls * 0.5);
  const per10k = (points: Array<[number, number]>) => slope(points) * 10_000;
  const rssGrowthMB = to.rssMB! - from.rssMB!;
  const rssSlopeMBPer10k = per10k(secondHalf.map((s) => [s.calls, s.rssMB!]));
  const heap = (s: Sample) => s.heapUsedMB;
  const heapSecondHalf = secondHalf.filter((s) => heap(s) !== undefined);
  return {
    flat: rssGrowthMB < settings.maxGrowthMB && !(rssSlopeMBPer10k >= settings.maxSlopeMBPer10k),
    fromCalls: from.calls,
    toCalls: to.calls,
    rssGrowthMB,
    maxGrowthMB: settings.maxGrowthMB,
    rssSlopeMBPer10k,
    maxSlopeMBPer10k: settings.maxSlopeMBPer10k,
    heapGrowthMB: heap(to) !== undefined && heap(from) !== undefined ? heap(to)! - heap(from)! : undefined,
    heapSlopeMBPer10k: heapSecondHalf.length >= 2 ? per10k(heapSecondHalf.map((s) => [s.calls, heap(s)!])) : undefined,
    handlesGrowth:
      to.activeHandles !== undefined && from.activeHandles !== undefined
        ? to.activeHandles - from.activeHandles
        : undefined,
  };
}

function fmt(value: number | undefined, digits = 1): string {
  return value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits);
}

function signed(value: number, digits = 1): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;
}

function table(samples: Sample[]): string {
  const rows = [['calls', 'RSS MB', 'heap MB', 'heap total MB', 'handles', 'errors', 'elapsed s']];
  for (const s of samples) {
    rows.push([
      s.calls.toLocaleString('en-US'),
      fmt(s.rssMB),
      fmt(s.heapUsedMB),
      fmt(s.heapTotalMB),
      fmt(s.activeHandles, 0),
      String(s.errors),
      fmt(s.elapsedS),
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((cell, i) => cell.padStart(widths[i]!)).join('  ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

async function main(): Promise<number> {
  let settings: Settings;
  try {
    settings = parseFlags(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`soak: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const workDir = mkdtempSync(join(tmpdir(), 'mcp-router-soak-'));
  const config = writeRouterConfig(join(workDir, 'router-1-echo.yaml'), [{ name: 'echo' }], false);
  log(
    `mcp-router soak: ${settings.calls.toLocaleString('en-US')} tools/call over ${settings.sessions} long-lived HTTP sessions, a sample every ${settings.sampleEvery.toLocaleString('en-US')} calls`,
  );
  log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );

  const router = new Spawned(
    'mcp-router',
    process.execPath,
    [ROUTER_CLI, '--config', config, '--transport', 'http', '--host', '127.0.0.1', '--port', '0'],
    { env: cleanEnv(), cwd: ROOT },
  );
  // Node's own warnings (a MaxListenersExceededWarning is what a listener leak on a shared AbortSignal looks
  // like) and the router's warn/error lines, counted over the whole run.
  const warnings: string[] = [];
  let pendingLine = '';
  router.child.stderr?.on('data', (chunk: Buffer) => {
    const lines = (pendingLine + chunk.toString('utf8')).split('\n');
    pendingLine = lines.pop() ?? '';
    for (const l of lines) if (/Warning|\b(warn|error)\b/.test(l)) warnings.push(l.slice(0, 300));
  });
  const stopRouter = () => router.stop(15_000);
  const onSignal = () => void stopRouter().then(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const sessions: McpSession[] = [];
  try {
    const match = await router.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)\/mcp/, 60_000);
    const base = `http://127.0.0.1:${match[1]}`;
    const endpoint = { kind: 'http' as const, url: `${base}/mcp` };
    const metricsUrl = `${base}/metrics`;
    for (let i = 0; i < settings.sessions; i++) sessions.push(await openWhenReady(endpoint, 30_000));
    const tool = await waitForEchoTool(sessions[0]!, 30_000);
    const pid = router.pid;

    const samples: Sample[] = [];
    const metricsReads: Promise<void>[] = [];
    const began = Date.now();
    const sample = (calls: number, errors: number) => {
      const rss = rssBytes(pid);
      const s: Sample = {
        calls,
        elapsedS: (Date.now() - began) / 1000,
        rssMB: rss === undefined ? undefined : rss / MB,
        errors,
      };
      samples.push(s);
      metricsReads.push(readMetrics(metricsUrl).then((m) => void Object.assign(s, m)));
    };
    sample(0, 0);
    await metricsReads[0];

    const clients: Call[] = sessions.map((session) => async (text: string) => {
      const answer: JsonRpcMessage = await session.request('tools/call', { name: tool, arguments: { text } });
      if (isEchoOf(answer, text)) return true;
      return answer.error
        ? `JSON-RPC error ${answer.error.code}: ${answer.error.message}`
        : `unexpected answer: ${JSON.stringify(answer.result).slice(0, 200)}`;
    });
    let lastLog = Date.now();
    const result: CountedResult = await countedLoop(clients, settings.calls, (completed, errors) => {
      if (completed % settings.sampleEvery === 0) {
        sample(completed, errors);
        const s = samples[samples.length - 1]!;
        if (Date.now() - lastLog > 2000 || completed === settings.calls) {
          lastLog = Date.now();
          log(`  ${completed.toLocaleString('en-US').padStart(9)} calls  RSS ${fmt(s.rssMB)} MB  ${fmt(s.elapsedS)} s`);
        }
      }
    });
    if (samples[samples.length - 1]!.calls !== result.calls) sample(result.calls, result.errors);
    await Promise.all(metricsReads);

    const verdict = judge(samples, settings);
    const listenerWarnings = warnings.filter((w) => /MaxListenersExceeded/.test(w)).length;
    const out: string[] = [''];
    out.push(
      `${result.calls.toLocaleString('en-US')} tools/call over ${settings.sessions} sessions in ${fmt(result.durationMs / 1000)} s (${fmt(result.callsPerSecond, 0)} calls/s, p50 ${fmt(result.p50Ms, 2)} ms, p99 ${fmt(result.p99Ms, 2)} ms); errors: ${result.errors}${result.firstError ? ` (first: ${result.firstError.slice(0, 200)})` : ''}`,
    );
    out.push(
      'RSS: the router process (VmRSS); heap: V8 heap in use and allocated, and active handles, from its /metrics.',
    );
    out.push(table(samples));
    out.push('');
    out.push(
      `verdict: ${verdict.flat ? 'FLAT' : 'GROWING'}: RSS ${signed(verdict.rssGrowthMB)} MB from ${verdict.fromCalls.toLocaleString('en-US')} calls (20 %) to ${verdict.toCalls.toLocaleString('en-US')} (bound < ${verdict.maxGrowthMB} MB); ` +
        `slope over the second half ${Number.isFinite(verdict.rssSlopeMBPer10k) ? signed(verdict.rssSlopeMBPer10k, 2) : '-'} MB per 10k calls (bound < ${verdict.maxSlopeMBPer10k})`,
    );
    out.push(
      `  heap in use ${verdict.heapGrowthMB === undefined ? '-' : signed(verdict.heapGrowthMB)} MB over the same span, slope ${verdict.heapSlopeMBPer10k === undefined ? '-' : signed(verdict.heapSlopeMBPer10k, 2)} MB per 10k; ` +
        `active handles ${verdict.handlesGrowth === undefined ? '-' : signed(verdict.handlesGrowth, 0)}; MaxListenersExceeded warnings: ${listenerWarnings}; router warn/error lines: ${warnings.length}`,
    );
    for (const w of warnings.slice(0, 5)) out.push(`  ${w}`);

    mkdirSync(dirname(settings.out), { recursive: true });
    writeFileSync(
      settings.out,
      JSON.stringify(
        {
          when: new Date().toISOString(),
          settings: { ...settings, out: undefined },
          machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, loadavg: loadavg() },
          result,
          samples,
          verdict,
          warnings: { maxListenersExceeded: listenerWarnings, lines: warnings.slice(0, 50) },
        },
        null,
        2,
      ) + '\n',
    );
    out.push(`results: ${relative(process.cwd(), settings.out) || settings.out}`);
    process.stdout.write(out.join('\n') + '\n');
    return verdict.flat && result.errors === 0 && result.calls === settings.calls ? 0 : 1;
  } finally {
    await Promise.all(sessions.map((s) => s.close().catch(() => {})));
    await stopRouter();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`soak failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
