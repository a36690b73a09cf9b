/**
 * Issue #8 (hardening), tried as a new user would: the real CLI, real sockets, real child processes.
 *
 * What the README's "Security" section promises and what is pinned here (the rest is pinned elsewhere):
 * - the HTTP front binds 127.0.0.1 by default, refuses a foreign Host or Origin (403), and
 *   --allowed-hosts / --allowed-origins widen that by exactly what they name;
 * - a non-loopback bind without a token warns at every start; with MCP_AUTH_TOKEN it does not, and a request
 *   without the token gets 401;
 * - the client's Authorization, Cookie and mcp-session-id never reach a backend;
 * - SIGTERM / SIGINT with a call in flight: stop accepting, answer the call, end every stdio child, exit 0;
 *   a second signal during that stop: exit at once (130), still ending every stdio child;
 * - a router killed with SIGKILL leaves no stdio child behind (they see stdin close).
 * Ports come from the OS; every wait is a bounded poll.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { connect, createServer, type AddressInfo } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { FLAKY, MEMORY, ROOT, eventually } from '../helpers/config';
import { CLI, startHttpCli, tempFile } from '../helpers/cli';
import { groupMembers, isAlive } from '../helpers/processes';
import { INITIALIZE_BODY, MCP_POST_HEADERS } from '../helpers/raw-mcp';

const q = JSON.stringify;

/** The test runner's environment must not decide what "the default" is. */
const CLEAN_ENV: NodeJS.ProcessEnv = {
  MCP_HOST: undefined,
  MCP_PORT: undefined,
  MCP_TRANSPORT: undefined,
  MCP_BACKENDS_CONFIG: undefined,
  MCP_AUTH_TOKEN: undefined,
  MCP_ALLOWED_HOSTS: undefined,
  MCP_ALLOWED_ORIGINS: undefined,
  MCP_LOG_LEVEL: undefined,
};

const flakyBackend = (name: string) =>
  `  - name: ${name}\n    command: ${q(process.execPath)}\n    args: [${q(FLAKY)}]\n    env: { FIXTURE_NAME: ${name} }\n`;
const memoryBackend = () => {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-router-memory-'));
  return `  - name: memory\n    command: ${q(process.execPath)}\n    args: [${q(join(ROOT, 'node_modules', MEMORY))}]\n    env: { MEMORY_FILE_PATH: ${q(join(dir, 'memory.jsonl'))} }\n`;
};
const oneFlaky = () => tempFile('backends.yaml', `backends:\n${flakyBackend('f')}`);
/** A fixture of ours and a real server from the npm registry: both stdio children of the router. */
const flakyAndMemory = () => tempFile('backends.yaml', `backends:\n${flakyBackend('slow')}${memoryBackend()}`);

const INITIALIZE = INITIALIZE_BODY;
const MCP_HEADERS = MCP_POST_HEADERS;

interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One HTTP request on a connection of its own (so Host can be anything, and no pooled socket is reused). */
function raw(
  port: number,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string; address?: string },
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: options.address ?? '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path ?? '/mcp',
        headers: options.headers,
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** POST initialize to /mcp with the given extra headers; the status says whether the router let it in. */
async function initializeStatus(port: number, headers: Record<string, string> = {}): Promise<number> {
  return (await raw(port, { method: 'POST', headers: { ...MCP_HEADERS, ...headers }, body: INITIALIZE })).status;
}

/** 'connected' or the socket error's code (ECONNREFUSED when nothing listens there). */
function tryConnect(address: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? String(error)));
    // A firewall that drops packets would leave it hanging: say so rather than wait for the test's timeout.
    socket.setTimeout(5_000, () => {
      socket.destroy();
      resolve('timed out');
    });
  });
}

/** An address of this machine that is not loopback, if it has one. */
function externalIPv4(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

function childPids(pid: number): number[] {
  return spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean)
    .map(Number);
}

const survivors = (pids: number[]) => pids.filter(isAlive);

async function inFlight(url: string): Promise<number> {
  const text = await (await fetch(url.replace('/mcp', '/metrics'))).text();
  const m = /^mcp_router_requests_in_flight (\d+)/m.exec(text);
  return m ? Number(m[1]) : -1;
}

const textOf = (r: unknown) => ((r as CallToolResult).content[0] as { text: string }).text;

/** Every process this file starts, so that a failed assertion leaves none behind. */
const started: ChildProcess[] = [];
const startedPids: number[] = [];
afterEach(() => {
  for (const child of started.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const pid of startedPids.splice(0)) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
});

async function router(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = await startHttpCli(args, { ...CLEAN_ENV, ...env });
  started.push(r.child);
  startedPids.push(...childPids(r.child.pid!));
  return { ...r, port: Number(new URL(r.url).port) };
}

async function stopped(r: { child: ChildProcess; exit: Promise<number | null> }): Promise<number | null> {
  r.child.kill('SIGTERM');
  return r.exit;
}

describe('HTTP front, as a user starts it: bind address, Host and Origin', () => {
  it('binds 127.0.0.1 by default, and refuses a foreign Host or Origin with 403', async () => {
    const r = await router(['--config', oneFlaky()]);
    expect(r.stderr()).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+\/mcp/);
    expect(r.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    // Bound to loopback only: the same port on another address of this machine has nobody listening.
    const external = externalIPv4();
    if (external) expect(await tryConnect(external, r.port)).toBe('ECONNREFUSED');

    // What a local client sends gets in.
    expect(await initializeStatus(r.port)).toBe(200);
    expect(await initializeStatus(r.port, { host: `localhost:${r.port}` })).toBe(200);
    expect(await initializeStatus(r.port, { origin: `http://127.0.0.1:${r.port}` })).toBe(200);
    // A name that resolves to us by DNS rebinding does not, with or without the port; nor does a foreign page.
    for (const host of ['attacker.example', `attacker.example:${r.port}`]) {
      const answer = await raw(r.port, { method: 'POST', headers: { ...MCP_HEADERS, host }, body: INITIALIZE });
      expect(answer.status).toBe(403);
      expect(answer.body).toContain('Host');
    }
    for (const origin of ['https://evil.example', `http://attacker.example:${r.port}`, 'http://localhost:1', 'null']) {
      expect([origin, await initializeStatus(r.port, { origin })]).toEqual([origin, 403]);
    }
    // The probes are behind the same check.
    expect((await raw(r.port, { path: '/healthz', headers: { host: 'attacker.example' } })).status).toBe(403);
    expect(await stopped(r)).toBe(0);
  });

  it('--allowed-hosts and --allowed-origins widen the check by what they name, and no further', async () => {
    const r = await router([
      '--config',
      oneFlaky(),
      '--allowed-hosts',
      'router.test,other.test:9',
      '--allowed-origins',
      'https://app.example',
    ]);
    expect(await initializeStatus(r.port, { host: 'router.test' })).toBe(200);
    // A client that reaches us as http://router.test:PORT/mcp sends the port in Host.
    expect(await initializeStatus(r.port, { host: `router.test:${r.port}` })).toBe(200);
    expect(await initializeStatus(r.port, { host: 'other.test:9' })).toBe(200);
    expect(await initializeStatus(r.port, { host: 'attacker.example' })).toBe(403);
    expect(await initializeStatus(r.port, { host: 'sub.router.test' })).toBe(403);
    expect(await initializeStatus(r.port, { origin: 'https://app.example' })).toBe(200);
    expect(await initializeStatus(r.port, { origin: 'https://evil.example' })).toBe(403);
    expect(await initializeStatus(r.port, { origin: 'http://app.example' })).toBe(403);
    // Loopback names stay allowed.
    expect(await initializeStatus(r.port)).toBe(200);
    expect(await stopped(r)).toBe(0);
  });
});

describe('HTTP front on a non-loopback address: the warning and the token', () => {
  const WARNING = /not loopback, with no auth token/;

  it('binding 0.0.0.0 without a token warns at every start', async () => {
    for (let start = 0; start < 2; start++) {
      const r = await router(['--config', oneFlaky(), '--host', '0.0.0.0']);
      expect(r.stderr()).toMatch(WARNING);
      expect(r.stderr().match(new RegExp(WARNING.source, 'g'))).toHaveLength(1);
      // It really is reachable from outside, which is why it warns; and no token is asked for.
      const external = externalIPv4();
      if (external) expect(await tryConnect(external, r.port)).toBe('connected');
      expect(await initializeStatus(r.port)).toBe(200);
      expect(await stopped(r)).toBe(0);
    }
  });

  it('with MCP_AUTH_TOKEN: no warning, 401 without the token (or with a wrong one), served with it', async () => {
    const token = 'e2e-router-token-5bd1';
    const r = await router(['--config', oneFlaky(), '--host', '0.0.0.0'], { MCP_AUTH_TOKEN: token });
    expect(r.stderr()).not.toMatch(WARNING);
    expect(r.stderr()).not.toContain(token);
    const without = await raw(r.port, { method: 'POST', headers: MCP_HEADERS, body: INITIALIZE });
    expect(without.status).toBe(401);
    expect(without.headers['www-authenticate']).toBe('Bearer');
    expect(await initializeStatus(r.port, { authorization: 'Bearer wrong' })).toBe(401);
    expect(await initializeStatus(r.port, { authorization: token })).toBe(401);
    expect((await raw(r.port, { path: '/metrics' })).status).toBe(401);
    expect((await raw(r.port, { path: '/status.json' })).status).toBe(401);
    // Probes stay open; the token lets a real client in.
    expect((await raw(r.port, { path: '/healthz' })).status).toBe(200);
    const client = new Client({ name: 'e2e', version: '1' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(r.url), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    expect(textOf(await client.callTool({ name: 'f__echo', arguments: { text: 'with the token' } }))).toBe(
      'with the token',
    );
    await client.close();
    expect(await stopped(r)).toBe(0);
  });
});

/** Our fixture as a streamable HTTP server that remembers the headers of every request it received. */
async function startHttpFixture(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [FLAKY, '--http', '0'], {
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, FIXTURE_NAME: 'web' },
  });
  started.push(child);
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`fixture exited with ${code}`)));
  });
  return { child, url };
}

describe('what belongs to the client stays with the client', () => {
  it("a backend gets only the headers its config gives it: never the client's Authorization, Cookie or session id", async () => {
    const fixture = await startHttpFixture();
    const token = 'e2e-router-token-77aa';
    const config = tempFile(
      'backends.yaml',
      `backends:
  - name: web
    url: ${q(fixture.url)}
    headers: { Authorization: "Bearer \${WEB_BACKEND_TOKEN}", X-Backend-Key: web-key }
  - name: mine
    url: ${q(fixture.url)}
    session: per-client
    headers: { X-Backend-Key: mine-key }
`,
    );
    const r = await router(['--config', config], { MCP_AUTH_TOKEN: token, WEB_BACKEND_TOKEN: 'backend-token' });
    const transport = new StreamableHTTPClientTransport(new URL(r.url), {
      requestInit: {
        headers: {
          authorization: `Bearer ${token}`,
          cookie: 'sid=client-cookie; theme=dark',
          'x-client-secret': 'client-only',
        },
      },
    });
    const client = new Client({ name: 'e2e', version: '1' });
    await client.connect(transport);
    try {
      const clientSession = transport.sessionId!;
      expect(clientSession).toBeTruthy();
      // Through the shared backend and through this client's own (per-client) instance.
      expect(textOf(await client.callTool({ name: 'web__echo', arguments: { text: 'a' } }))).toBe('a');
      expect(textOf(await client.callTool({ name: 'mine__echo', arguments: { text: 'b' } }))).toBe('b');
      const seen = JSON.parse(
        textOf(await client.callTool({ name: 'web__seen_headers', arguments: {} })),
      ) as IncomingHttpHeaders[];

      const keys = new Set(seen.map((h) => h['x-backend-key']));
      expect(keys).toEqual(new Set(['web-key', 'mine-key']));
      for (const h of seen) {
        expect(h.cookie).toBeUndefined();
        expect(h['x-client-secret']).toBeUndefined();
        expect(h.authorization).toBe(h['x-backend-key'] === 'web-key' ? 'Bearer backend-token' : undefined);
        // The session id a backend sees is one it issued itself, never the one the router gave our client.
        expect(h['mcp-session-id']).not.toBe(clientSession);
      }
      const everything = JSON.stringify(seen);
      for (const secret of [token, 'client-cookie', 'client-only', clientSession])
        expect(everything).not.toContain(secret);
    } finally {
      await client.close();
    }
    expect(await stopped(r)).toBe(0);
  });
});

describe('start-up', () => {
  it('binds before it spawns: with its port taken it exits 1 and has started no backend', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    const marker = join(mkdtempSync(join(tmpdir(), 'mcp-router-bind-')), 'spawned');
    const config = tempFile(
      'backends.yaml',
      `backends:\n  - name: witness\n    command: sh\n    args: ["-c", ${JSON.stringify(`echo > '${marker}'; exec sleep 1000`)}]\n`,
    );
    try {
      const child = spawn(process.execPath, [CLI, '--config', config, '--transport', 'http', '--port', String(port)], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code).toBe(1);
      expect(stderr).toMatch(/EADDRINUSE|in use/);
      expect(existsSync(marker)).toBe(false);
    } finally {
      taken.close();
    }
  });
});

describe('shutdown', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'on %s with a slow call in flight: stops accepting, answers the call, ends every stdio child, exits 0',
    async (signal) => {
      const r = await router(['--config', flakyAndMemory()]);
      const children = childPids(r.child.pid!);
      expect(children).toHaveLength(2);
      const client = new Client({ name: 'e2e', version: '1' });
      await client.connect(new StreamableHTTPClientTransport(new URL(r.url)));
      let settled = false;
      const call = client
        .callTool({ name: 'slow__read_slow', arguments: { ms: 2_000 } })
        .finally(() => (settled = true));
      await eventually(
        () => inFlight(r.url),
        (n) => n === 1,
      );

      r.child.kill(signal);
      // New connections are refused while the call is still running.
      await eventually(
        () => tryConnect('127.0.0.1', r.port),
        (code) => code === 'ECONNREFUSED',
      );
      expect(settled).toBe(false);
      // The call in flight is answered, with its result.
      expect(textOf(await call)).toBe('slow');
      expect(await r.exit).toBe(0);
      expect(r.stderr()).toContain(`stopping (${signal})`);
      // No stdio child outlives the router by more than a few seconds.
      await eventually(
        () => survivors(children),
        (alive) => alive.length === 0,
        5_000,
      );
      await client.close().catch(() => {});
    },
  );

  // Ctrl-C twice: the user wants the router gone now, not after the 10 s grace. It still ends its backends.
  it('a second SIGINT during the stop exits at once with 130, and still ends every stdio child', async () => {
    const r = await router(['--config', flakyAndMemory()]);
    const children = childPids(r.child.pid!);
    expect(children).toHaveLength(2);
    const client = new Client({ name: 'e2e', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(r.url)));
    // Far longer than the grace: with the second signal ignored, the router would exit 0 when the grace ends.
    let answer: string | undefined;
    void client
      .callTool({ name: 'slow__read_slow', arguments: { ms: 60_000 } })
      .then(textOf, (error: Error) => `error: ${error.message}`)
      .then((text) => (answer = text));
    await eventually(
      () => inFlight(r.url),
      (n) => n === 1,
    );
    r.child.kill('SIGINT');
    await eventually(
      () => r.stderr(),
      (s) => s.includes('stopping (SIGINT)'),
    );
    r.child.kill('SIGINT');
    expect(await r.exit).toBe(130);
    expect(r.stderr()).toContain('SIGINT during the stop: exiting now, 1 request(s) in flight unanswered');
    expect(answer).not.toBe('slow');
    await eventually(
      () => survivors(children),
      (alive) => alive.length === 0,
      5_000,
    );
    await client.close().catch(() => {});
  });

  // Ctrl-C in a terminal sends SIGINT to the whole foreground process group. Stdio backends have a group of
  // their own (src/backends/process-group.ts): in the router's, they died at once, and the call in flight
  // was answered "Connection closed" instead of its result.
  it('on Ctrl-C in a terminal (SIGINT to the whole process group) the call in flight is still answered', async () => {
    const child = spawn(process.execPath, [CLI, '--transport', 'http', '--port', '0', '--config', flakyAndMemory()], {
      env: { ...process.env, ...CLEAN_ENV },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // a process group of its own, as a shell gives a foreground job
    });
    started.push(child);
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
    const url = await eventually(
      () => /listening on (http:\/\/\S+\/mcp)/.exec(stderr)?.[1],
      (u) => u !== undefined,
    );
    const children = childPids(child.pid!);
    startedPids.push(...children);
    expect(children).toHaveLength(2);
    const client = new Client({ name: 'e2e', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url!)));
    const call = client
      .callTool({ name: 'slow__read_slow', arguments: { ms: 1_500 } })
      .then(textOf, (error: Error) => `error: ${error.message}`);
    await eventually(
      () => inFlight(url!),
      (n) => n === 1,
    );
    process.kill(-child.pid!, 'SIGINT');
    const answer = await call;
    expect(await exit).toBe(0);
    await eventually(
      () => survivors(children),
      (alive) => alive.length === 0,
      5_000,
    );
    await client.close().catch(() => {});
    expect(answer).toBe('slow');
  });

  it('over stdio, on SIGTERM with a slow call in flight: answers the call, ends every stdio child, exits 0', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, '--config', flakyAndMemory(), '--transport', 'stdio', '--metrics-port', '0'],
      env: Object.fromEntries(
        Object.entries({ ...process.env, ...CLEAN_ENV }).filter((e): e is [string, string] => e[1] !== undefined),
      ),
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr!.on('data', (d) => (stderr += d));
    const client = new Client({ name: 'e2e', version: '1' });
    await client.connect(transport);
    const pid = transport.pid!;
    startedPids.push(pid);
    const children = childPids(pid);
    startedPids.push(...children);
    expect(children).toHaveLength(2);
    const status = await eventually(
      () => /metrics and status on (http:\/\/\S+)\/status/.exec(stderr)?.[1],
      (u) => u !== undefined,
    );
    const exited = new Promise<void>((resolve) => (client.onclose = resolve));

    let settled = false;
    const call = client.callTool({ name: 'slow__read_slow', arguments: { ms: 1_000 } }).finally(() => (settled = true));
    await eventually(
      () => inFlight(`${status}/mcp`),
      (n) => n === 1,
    );
    process.kill(pid, 'SIGTERM');
    await eventually(
      () => stderr,
      (s) => s.includes('stopping (SIGTERM)'),
    );
    expect(settled).toBe(false);
    expect(textOf(await call)).toBe('slow');
    await exited;
    await eventually(
      () => isAlive(pid),
      (alive) => !alive,
    );
    await eventually(
      () => survivors(children),
      (alive) => alive.length === 0,
      5_000,
    );
  });

  // Issue 17.5: the router signalled only its direct child. A backend behind `sh -c` whose processes ignore stdin
  // EOF and SIGTERM (here: sh waits on a sleep after the server ends, and a second sleep runs in the background,
  // both with TERM ignored) stayed alive, parent PID 1. Now the whole process group is ended: SIGTERM, then
  // SIGKILL after a grace.
  it('on stop, a `sh -c` backend whose processes ignore stdin EOF and SIGTERM leaves no process of its group behind', async () => {
    const script = `(trap "" TERM; exec sleep 1000) & trap "" TERM; ${q(process.execPath)} ${q(FLAKY)}; sleep 1000`;
    const config = tempFile(
      'backends.yaml',
      `backends:\n  - name: tree\n    command: sh\n    args: ["-c", ${q(script)}]\n    env: { FIXTURE_NAME: tree }\n`,
    );
    const r = await router(['--config', config]);
    const [sh] = childPids(r.child.pid!);
    const group = await eventually(
      () => groupMembers(sh!),
      (pids) => pids.length === 3, // sh, the server, the background sleep
    );
    startedPids.push(...group);
    const client = new Client({ name: 'e2e', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(r.url)));
    expect(textOf(await client.callTool({ name: 'tree__whoami', arguments: {} }))).toBe('tree');
    await client.close();

    expect(await stopped(r)).toBe(0);
    expect(survivors(group)).toEqual([]);
    expect(groupMembers(sh!)).toEqual([]);
  });

  it('when the router is killed with SIGKILL, its stdio children (our fixture and an npm server) see stdin close and exit', async () => {
    const r = await router(['--config', flakyAndMemory()]);
    const children = childPids(r.child.pid!);
    expect(children).toHaveLength(2);
    expect(survivors(children)).toEqual(children);
    r.child.kill('SIGKILL');
    await r.exit;
    await eventually(
      () => survivors(children),
      (alive) => alive.length === 0,
      5_000,
    );
  });
});
