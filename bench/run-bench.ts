/**
 * `npm run bench`: the same load generator and the same stdio echo backend, measured directly, through
 * mcp-router (streamable HTTP and stdio), through its peers (mcp-proxy, supergateway, mcp-hub) and through the
 * floor proxies (bench/floor/), at 1 and 16 concurrent clients, with 2025 sessions and with 2026-07-28
 * stateless clients (the `-2026` targets). Targets alternate within each round and rounds repeat; the table
 * quotes medians. Then the router-only measurements (start-up, tools/list aggregation, memory with 50 backends
 * and with 1,000 sessions), the verdicts against issues 19 and 15, and bench/results/latest.json.
 *
 * Environment: BENCH_ROUNDS (3), BENCH_SECONDS (5, measured window), BENCH_WARMUP_SECONDS (3),
 * BENCH_CONCURRENCY ("1,16"), BENCH_TARGETS (comma-separated ids; `all`; `none` for the extras alone; default:
 * the targets marked byDefault), BENCH_EXTRAS (1; 0 skips),
 * BENCH_OUT (bench/results/latest.json), BENCH_QUIET_WAIT_SECONDS (5: how long each measurement may wait for
 * an idle machine), BENCH_QUIET_BUDGET_SECONDS (45: all such waits together), BENCH_NOISY_PERCENT (10: a run
 * during which the rest of the machine used more CPU than this, in % of one core, is noisy; medians use the
 * clean runs when there are any), BENCH_RETRY_BUDGET_SECONDS (120: time to measure mostly-noisy cells again,
 * when the machine has gone quiet; 0 turns it off).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { runLoad, type Measurement } from './load/run-load';
import { median, round } from './load/stats';
import {
  measureAggregation,
  measureSessions,
  measureStartupAgainstDirect,
  type AggregationResult,
  type SessionsResult,
  type StartupResult,
} from './extras';
import { runOrder } from './run-order';
import { ROOT, TARGETS, type Target } from './targets';
import { waitForQuiet } from './proc';
import { formatVerdict, verdicts, type ExtrasFigures } from './verdicts';

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, not ${raw}`);
  return value;
}

function chooseTargets(given: string | undefined): string[] {
  if (!given) return TARGETS.filter((t) => t.byDefault).map((t) => t.id);
  if (given.trim() === 'all') return TARGETS.map((t) => t.id);
  if (given.trim() === 'none') return [];
  const ids = given.split(',').map((s) => s.trim());
  const unknown = ids.filter((id) => !TARGETS.some((t) => t.id === id));
  if (unknown.length)
    throw new Error(
      `BENCH_TARGETS: unknown target(s) ${unknown.join(', ')}; known: ${TARGETS.map((t) => t.id).join(', ')}`,
    );
  return ids;
}

/** The fewest alternating pairs of start-up runs (router, then direct; direct, then router; ...). */
const STARTUP_PAIRS = 5;

const settings = {
  rounds: Math.round(envNumber('BENCH_ROUNDS', 3)),
  measureSeconds: envNumber('BENCH_SECONDS', 5),
  warmupSeconds: envNumber('BENCH_WARMUP_SECONDS', 3),
  concurrency: (process.env.BENCH_CONCURRENCY ?? '1,16')
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n > 0),
  targets: chooseTargets(process.env.BENCH_TARGETS),
  extras: process.env.BENCH_EXTRAS !== '0',
  /** Before each measurement, wait up to this long for the machine to be idle; all waits together are capped. */
  quietWaitSeconds: envNumber('BENCH_QUIET_WAIT_SECONDS', 5),
  quietBudgetSeconds: envNumber('BENCH_QUIET_BUDGET_SECONDS', 45),
  /**
   * A run during which the rest of the machine used more than this (% of one core) is noisy. A tenth of a core:
   * the kernel's own network work stays under it, and a fifth of a core taken by somebody else's job moved a
   * floor's calls/s at 1 client by a third (1,795 → 1,108–1,126 in one run), more than any ratio's margin.
   */
  noisyPercent: envNumber('BENCH_NOISY_PERCENT', 10),
  /** Time for measuring again the cells whose runs were mostly noisy, after the rounds. */
  retryBudgetSeconds: Number(process.env.BENCH_RETRY_BUDGET_SECONDS ?? 120),
  out: process.env.BENCH_OUT ?? join(ROOT, 'bench', 'results', 'latest.json'),
};

interface Run {
  round: number;
  /** Whether the machine was idle before it started (see waitForQuiet). */
  quietStart?: boolean;
  target: string;
  concurrency: number;
  readyMs?: number;
  measurement?: Measurement;
  error?: string;
}

interface Summary {
  target: string;
  /** Runs the medians are taken over: the clean ones when there are any, else all that measured. */
  usedRuns: number;
  cleanRuns: number;
  label: string;
  transport: string;
  era: string;
  role: string;
  concurrency: number;
  runs: number;
  failedRuns: number;
  callsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Summed over every run, not a median: an error anywhere is worth seeing. */
  errors: number;
  rssPeakMB: number;
  cpuPercent: number;
  backendsCpuPercent: number;
  loadgenCpuPercent: number;
  otherCpuPercent: number;
  firstError?: string;
}

const log = (line: string) => process.stderr.write(`${line}\n`);
let quietSpentMs = 0;

async function measureOnce(target: Target, concurrency: number, round: number, workDir: string): Promise<Run> {
  const run: Run = { round, target: target.id, concurrency };
  let running;
  const budgetLeft = settings.quietBudgetSeconds * 1000 - quietSpentMs;
  if (budgetLeft > 0) {
    const { waitedMs, quiet } = await waitForQuiet(Math.min(budgetLeft, settings.quietWaitSeconds * 1000));
    quietSpentMs += waitedMs;
    run.quietStart = quiet;
  }
  try {
    running = await target.start(workDir);
    run.readyMs = running.readyMs;
    run.measurement = await runLoad(
      {
        endpoint: running.endpoint,
        concurrency,
        warmupMs: settings.warmupSeconds * 1000,
        measureMs: settings.measureSeconds * 1000,
        readyTimeoutMs: 60_000,
      },
      running.pid,
    );
  } catch (error) {
    run.error = error instanceof Error ? error.message : String(error);
  } finally {
    await running?.stop().catch(() => {});
  }
  const m = run.measurement;
  log(
    m
      ? `  round ${round} ${pad(target.id, 23)} c=${pad(String(concurrency), 2)} ${fmt(m.callsPerSecond, 0).padStart(7)} calls/s  p50 ${fmt(m.p50Ms, 2)} ms  p99 ${fmt(m.p99Ms, 2)} ms  errors ${m.errors}${m.rssPeakMB !== undefined ? `  rss ${fmt(m.rssPeakMB, 1)} MB` : ''}  cpu ${fmt(m.cpuPercent, 0)}%${m.backendsCpuPercent ? ` +backends ${fmt(m.backendsCpuPercent, 0)}%` : ''} gen ${fmt(m.loadgenCpuPercent, 0)}% other ${fmt(m.otherCpuPercent, 0)}%${run.quietStart === false ? ' (machine busy at start)' : ''}${m.firstError ? `  (${m.firstError.slice(0, 120)})` : ''}`
      : `  round ${round} ${pad(target.id, 23)} c=${pad(String(concurrency), 2)} FAILED: ${run.error?.slice(0, 400)}`,
  );
  return run;
}

function pad(text: string, width: number): string {
  return text.padEnd(width);
}

function fmt(value: number | undefined, digits: number): string {
  return value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits);
}

function isClean(run: Run): boolean {
  return run.measurement !== undefined && (run.measurement.otherCpuPercent ?? 0) <= settings.noisyPercent;
}

function summarize(target: Target, concurrency: number, runs: Run[]): Summary {
  const mine = runs.filter((r) => r.target === target.id && r.concurrency === concurrency);
  const measured = mine.filter((r) => r.measurement);
  const clean = measured.filter(isClean);
  const ok = (clean.length > 0 ? clean : measured).map((r) => r.measurement!);
  return {
    target: target.id,
    usedRuns: ok.length,
    cleanRuns: clean.length,
    label: target.label,
    transport: target.transport,
    era: target.era,
    role: target.role,
    concurrency,
    runs: measured.length,
    failedRuns: mine.length - measured.length,
    callsPerSecond: median(ok.map((m) => m.callsPerSecond)),
    p50Ms: median(ok.map((m) => m.p50Ms)),
    p99Ms: median(ok.map((m) => m.p99Ms)),
    errors: measured.reduce((sum, r) => sum + r.measurement!.errors, 0),
    rssPeakMB: median(ok.map((m) => m.rssPeakMB)),
    cpuPercent: median(ok.map((m) => m.cpuPercent)),
    loadgenCpuPercent: median(ok.map((m) => m.loadgenCpuPercent)),
    backendsCpuPercent: median(ok.map((m) => m.backendsCpuPercent)),
    otherCpuPercent: median(ok.map((m) => m.otherCpuPercent)),
    firstError: ok.find((m) => m.firstError)?.firstError ?? mine.find((r) => r.error)?.error,
  };
}

/** A text table: the first `left` columns left-aligned, the rest right-aligned; short rows are padded. */
function table(given: string[][], left: number): string {
  const rows = given.map((r) => given[0]!.map((_, i) => r[i] ?? ''));
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r.map((cell, i) => (i < left ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** Why each extras figure the verdicts read is missing, if it is. */
function extrasMissing(
  routerReason: string | undefined,
  extras: boolean,
  errors: Record<string, string>,
): Record<string, string> {
  const all = routerReason ? `router not available: ${routerReason}` : !extras ? 'skipped (BENCH_EXTRAS=0)' : undefined;
  const failed = (key: string) => (errors[key] ? `failed: ${errors[key]!.slice(0, 160)}` : undefined);
  const either = (key: string) => all ?? failed(key) ?? 'not measured';
  return {
    rss50: either('aggregation50'),
    aggregation50: either('aggregation50'),
    sessions: either('sessions1000'),
    startup: either('startup20'),
  };
}

function eraName(era: string): string {
  return era === '2026' ? '2026-07-28' : '2025-11-25';
}

async function main(): Promise<void> {
  const started = Date.now();
  const workDir = mkdtempSync(join(tmpdir(), 'mcp-router-bench-'));
  const chosen = TARGETS.filter((t) => settings.targets.includes(t.id));
  const availability = chosen.map((t) => ({ target: t, reason: t.unavailable() }));
  const active = availability.filter((a) => !a.reason).map((a) => a.target);
  log(
    `mcp-router bench: ${settings.rounds} round(s), ${settings.warmupSeconds} s warm-up + ${settings.measureSeconds} s measured, clients ${settings.concurrency.join(' and ')}`,
  );
  log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  for (const a of availability) if (a.reason) log(`  ${a.target.id}: not available (${a.reason})`);

  const runs: Run[] = [];
  for (let round = 1; round <= settings.rounds; round++) {
    // Every target once per round; what a ratio compares runs side by side, and the order rotates (run-order.ts).
    const order = runOrder(active, round);
    const concurrencies = round % 2 === 1 ? settings.concurrency : [...settings.concurrency].reverse();
    for (const target of order) {
      for (const c of concurrencies) runs.push(await measureOnce(target, c, round, workDir));
    }
  }

  // Cells with fewer clean runs than half the rounds (somebody else's job shared the machine) are measured
  // again, alternating, while the retry budget lasts.
  const retryUntil = Date.now() + settings.retryBudgetSeconds * 1000;
  const perRun = (settings.warmupSeconds + settings.measureSeconds + 3) * 1000;
  for (let pass = 1; settings.retryBudgetSeconds > 0; pass++) {
    const noisy = active.flatMap((target) =>
      settings.concurrency
        .filter((c) => {
          const cell = runs.filter((r) => r.target === target.id && r.concurrency === c);
          // A cell whose every run failed is not noisy: measuring it again would fail again (a refusal, say).
          const measured = cell.filter((r) => r.measurement);
          return measured.length > 0 && cell.filter(isClean).length < Math.ceil(settings.rounds / 2);
        })
        .map((c) => ({ target, c })),
    );
    if (noisy.length === 0 || Date.now() + perRun > retryUntil) break;
    log(`measuring again (noisy machine), pass ${pass}: ${noisy.map((n) => `${n.target.id}@${n.c}`).join(', ')}`);
    let busy = false;
    for (const { target, c } of noisy) {
      if (Date.now() + perRun > retryUntil) break;
      // Another run in the same noise would not help: measure again only when the machine has gone quiet.
      if (!(await waitForQuiet(5000)).quiet) {
        busy = true;
        break;
      }
      runs.push(await measureOnce(target, c, settings.rounds + pass, workDir));
    }
    if (busy) {
      log('  the machine is still busy: no more measuring again');
      break;
    }
  }

  const summaries: Summary[] = [];
  for (const target of chosen) for (const c of settings.concurrency) summaries.push(summarize(target, c, runs));

  let startup20: StartupResult | undefined;
  let directStartup20: StartupResult | undefined;
  let aggregation50: AggregationResult | undefined;
  let aggregation1: AggregationResult | undefined;
  let sessions1000: SessionsResult | undefined;
  const extrasErrors: Record<string, string> = {};
  const routerReason = TARGETS.find((t) => t.id === 'router-http')!.unavailable();
  if (settings.extras && !routerReason) {
    log('router extras:');
    try {
      // The target compares the two: as many runs each, alternating. At least 5 pairs: one start-up takes 2 to 3 s
      // and its runs spread over 500 ms or more on these machines, so a median of 3 moves with one bad run.
      const pair = await measureStartupAgainstDirect(workDir, 20, Math.max(settings.rounds, STARTUP_PAIRS));
      startup20 = pair.router;
      directStartup20 = pair.direct;
      log(
        `  start-up with 20 stdio backends: median ${fmt(startup20.medianMs, 0)} ms (runs ${startup20.runsMs.map((v) => v.toFixed(0)).join(', ')})`,
      );
      log(
        `  20 echo backends spawned directly, all answering tools/list: median ${fmt(directStartup20.medianMs, 0)} ms (runs ${directStartup20.runsMs.map((v) => v.toFixed(0)).join(', ')})`,
      );
    } catch (error) {
      extrasErrors.startup20 = (error as Error).message;
      log(`  start-up with 20 backends FAILED: ${extrasErrors.startup20}`);
    }
    try {
      aggregation50 = await measureAggregation(workDir, 50, 20, 200);
      log(
        `  tools/list, 50 backends × 20 tools: p50 ${fmt(aggregation50.p50Ms, 2)} ms, p99 ${fmt(aggregation50.p99Ms, 2)} ms; router RSS ${fmt(aggregation50.routerRssMB, 1)} MB`,
      );
    } catch (error) {
      extrasErrors.aggregation50 = (error as Error).message;
      log(`  50 backends FAILED: ${extrasErrors.aggregation50}`);
    }
    try {
      aggregation1 = await measureAggregation(workDir, 1, 20, 200);
      log(
        `  tools/list, 1 backend × 20 tools: p50 ${fmt(aggregation1.p50Ms, 2)} ms; router RSS ${fmt(aggregation1.routerRssMB, 1)} MB`,
      );
    } catch (error) {
      extrasErrors.aggregation1 = (error as Error).message;
      log(`  1 backend FAILED: ${extrasErrors.aggregation1}`);
    }
    try {
      sessions1000 = await measureSessions(workDir, 1000);
      log(
        `  1,000 open client sessions: router RSS ${fmt(sessions1000.routerRssMB, 1)} MB (${fmt(sessions1000.routerRssOneMB, 1)} MB with one; ${fmt(sessions1000.perSessionKB, 0)} KB per session); opened in ${fmt(sessions1000.openMs, 0)} ms`,
      );
    } catch (error) {
      extrasErrors.sessions1000 = (error as Error).message;
      log(`  1,000 sessions FAILED: ${extrasErrors.sessions1000}`);
    }
  }
  const perBackendMB =
    aggregation50 && aggregation1 ? (aggregation50.routerRssMB - aggregation1.routerRssMB) / 49 : undefined;

  // The table.
  const rows: string[][] = [
    [
      'target',
      'id',
      'transport',
      'protocol',
      'clients',
      'calls/s',
      'p50 ms',
      'p99 ms',
      'errors',
      'RSS MB',
      'CPU %',
      'gen CPU %',
      'other CPU %',
      'clean/runs',
    ],
  ];
  for (const s of summaries) {
    const reason = availability.find((a) => a.target.id === s.target)?.reason;
    if (reason) {
      rows.push([s.label, s.target, s.transport, eraName(s.era), String(s.concurrency), 'not available']);
      continue;
    }
    rows.push([
      s.label,
      s.target,
      s.transport,
      eraName(s.era),
      String(s.concurrency),
      s.runs ? fmt(s.callsPerSecond, 0) : 'failed',
      fmt(s.p50Ms, 2),
      fmt(s.p99Ms, 2),
      s.runs ? String(s.errors) : '-',
      fmt(s.rssPeakMB, 1),
      fmt(s.cpuPercent, 0),
      fmt(s.loadgenCpuPercent, 0),
      fmt(s.otherCpuPercent, 0),
      `${s.cleanRuns}/${s.runs}${s.failedRuns ? ` (${s.failedRuns} failed)` : ''}`,
    ]);
  }
  const extrasFigures: ExtrasFigures = {
    rss50BackendsMB: aggregation50?.routerRssMB,
    rss1000SessionsMB: sessions1000?.routerRssMB,
    startupRouterMs: startup20?.medianMs,
    startupDirectMs: directStartup20?.medianMs,
    toolsList1000P99Ms: aggregation50?.p99Ms,
    missing: extrasMissing(routerReason, settings.extras, extrasErrors),
  };
  const verdictList = verdicts(summaries, extrasFigures);
  const out: string[] = [];
  out.push('');
  out.push(
    `medians of ${settings.rounds} round(s) (of the clean runs where there are any); ${settings.measureSeconds} s measured after ${settings.warmupSeconds} s warm-up; errors summed over all runs;`,
  );
  out.push(
    'RSS MB (peak) and CPU % (of one core) are the process under test alone: the router or peer without its backends; for direct, the echo backend. gen CPU % is the load generator;',
  );
  out.push(
    `other CPU % is everything else the machine did meanwhile (other jobs, kernel network work): above ${settings.noisyPercent} % the run counts as noisy. ${cpus().length} cores = ${cpus().length * 100} %.`,
  );
  out.push(
    'protocol: 2025-11-25 clients open a session (initialize); 2026-07-28 clients send stateless requests, the _meta envelope on each.',
  );
  if (rows.length > 1) out.push(table(rows, 5));
  const failed = summaries.filter((s) => s.runs === 0 && s.failedRuns > 0);
  if (failed.length) {
    out.push('');
    out.push('failed targets (every run failed):');
    for (const s of failed)
      out.push(`  ${s.target} @${s.concurrency}: ${s.firstError?.replace(/\s+/g, ' ').slice(0, 300)}`);
  }
  for (const [issue, title] of [
    ['19', 'issue 19 targets (router against the floor proxies, both eras; memory, start-up, tools/list):'],
    ['15', 'issue 15 target (the 2026-07-28 path within 10% of the 2025 one):'],
    ['ref', 'readings, not targets (SDK v2 backend against v1: issue 16; the floors and references):'],
  ] as const) {
    const mine = verdictList.filter((r) => r.issue === issue);
    if (mine.length === 0) continue;
    out.push('');
    out.push(title);
    for (const r of mine) out.push(formatVerdict(r));
  }
  const judged = verdictList.filter((r) => r.issue !== 'ref' && r.bar !== 'reading');
  out.push(
    `  ${judged.filter((r) => r.met === true).length} met, ${judged.filter((r) => r.met === false).length} not met, ${judged.filter((r) => r.met === undefined).length} not measured`,
  );
  out.push('');
  if (routerReason) out.push(`router extras: not available (${routerReason})`);
  else if (!settings.extras) out.push('router extras: skipped (BENCH_EXTRAS=0)');
  else {
    out.push('router extras:');
    out.push(
      `  start-up, 20 stdio backends (spawn → tools/list lists all 20):  ${startup20 ? `${fmt(startup20.medianMs, 0)} ms median of ${startup20.runsMs.length}` : `failed: ${extrasErrors.startup20}`}`,
    );
    out.push(
      `    the 20 echo backends spawned directly at once, until each answers tools/list:  ${directStartup20 ? `${fmt(directStartup20.medianMs, 0)} ms median of ${directStartup20.runsMs.length}` : `failed: ${extrasErrors.startup20}`}`,
    );
    out.push(
      `  tools/list, 50 backends × 20 tools (${aggregation50?.toolsListed ?? 1000} tools):  ${aggregation50 ? `p50 ${fmt(aggregation50.p50Ms, 2)} ms, p99 ${fmt(aggregation50.p99Ms, 2)} ms over ${aggregation50.calls} calls; ready after ${fmt(aggregation50.readyMs, 0)} ms` : `failed: ${extrasErrors.aggregation50}`}`,
    );
    out.push(
      `  router RSS: 50 backends ${fmt(aggregation50?.routerRssMB, 1)} MB, 1 backend ${fmt(aggregation1?.routerRssMB, 1)} MB, per backend ${fmt(perBackendMB, 2)} MB (backends' own processes not counted: ${fmt(aggregation50?.backendsRssMB, 0)} MB for the 50)`,
    );
    out.push(
      `  router RSS, 1 backend and 1,000 open client sessions (HTTP):  ${sessions1000 ? `${fmt(sessions1000.routerRssMB, 1)} MB settled, ${fmt(sessions1000.routerRssPeakMB, 1)} MB peak; ${fmt(sessions1000.routerRssOneMB, 1)} MB with one session, ${fmt(sessions1000.perSessionKB, 0)} KB per session` : `failed: ${extrasErrors.sessions1000}`}`,
    );
  }
  out.push(`took ${((Date.now() - started) / 1000).toFixed(0)} s`);
  process.stdout.write(out.join('\n') + '\n');

  const report = {
    generatedAt: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model,
      node: process.version,
      totalMemMB: round(totalmem() / 1024 / 1024, 0),
      loadavgAtEnd: loadavg(),
    },
    settings,
    targets: availability.map((a) => ({
      id: a.target.id,
      label: a.target.label,
      role: a.target.role,
      transport: a.target.transport,
      available: !a.reason,
      reason: a.reason,
    })),
    summary: summaries.map((s) => ({
      ...s,
      callsPerSecond: round(s.callsPerSecond, 1),
      p50Ms: round(s.p50Ms, 3),
      p99Ms: round(s.p99Ms, 3),
      rssPeakMB: round(s.rssPeakMB, 1),
      cpuPercent: round(s.cpuPercent, 0),
      loadgenCpuPercent: round(s.loadgenCpuPercent, 0),
      backendsCpuPercent: round(s.backendsCpuPercent, 0),
      otherCpuPercent: round(s.otherCpuPercent, 0),
    })),
    verdicts: verdictList.map((r) => ({ ...r, value: round(r.value, 3) })),
    extras: {
      startup20,
      directStartup20,
      aggregation50,
      aggregation1,
      sessions1000,
      rssPerBackendMB: perBackendMB,
      errors: extrasErrors,
    },
    runs,
    durationSeconds: (Date.now() - started) / 1000,
  };
  mkdirSync(dirname(settings.out), { recursive: true });
  writeFileSync(
    settings.out,
    JSON.stringify(report, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n',
  );
  log(`wrote ${relative(process.cwd(), settings.out) || settings.out}`);
  rmSync(workDir, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
