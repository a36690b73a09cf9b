/**
 * What the bench measures: the echo backend directly, mcp-router over streamable HTTP and over stdio, and the
 * peers (mcp-proxy, supergateway, mcp-hub), each started the way its README says, in front of the same backend;
 * the floor proxies (bench/floor/); and the same for MCP 2026-07-28 clients (the `-2026` targets: stateless
 * requests with the `_meta` envelope), plus the router in front of the echo backend on SDK v2.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openWhenReady, waitForEchoTool } from './load/connect';
import type { Era } from './load/jsonrpc';
import { RefusedError, type Endpoint } from './load/session';
import { freePort, Spawned } from './proc';

/** dist/bench at run time; the repository is two levels up. */
export const ROOT = resolve(__dirname, '..', '..');
export const ECHO_BACKEND = join(__dirname, 'echo-backend.js');
/** The same echo backend on the MCP SDK v2 (`@modelcontextprotocol/server`), serving both eras. */
export const ECHO_BACKEND_V2 = join(__dirname, 'echo-backend-v2.js');
export const ROUTER_CLI = join(ROOT, 'dist', 'src', 'cli.js');
const NODE = process.execPath;

/**
 * floor: the least any proxy in the middle costs on this machine (bench/floor/), for reading the ratios.
 * reference: a server measured directly, to check the bench's own clients and to read another row against.
 */
export type Role = 'direct' | 'router' | 'peer' | 'floor' | 'reference';

export interface Running {
  endpoint: Endpoint;
  /** The process whose memory is quoted (HTTP servers); stdio targets are spawned, and reported, by the worker. */
  pid?: number;
  /** From spawn to serving the echo tool, for HTTP targets. */
  readyMs?: number;
  stop(): Promise<void>;
}

export interface Target {
  id: string;
  label: string;
  role: Role;
  /** What the load generator speaks to it. */
  transport: 'stdio' | 'streamable HTTP' | 'SSE';
  /** The protocol era of the load generator's clients: 2025 sessions or 2026-07-28 stateless requests. */
  era: Era;
  /** Measured when BENCH_TARGETS is not given (the references are measured on request, or with `all`). */
  byDefault: boolean;
  /** Why it cannot run here, or undefined. */
  unavailable(): string | undefined;
  start(workDir: string): Promise<Running>;
}

/** The environment for the processes under test: the bench's own, minus router settings that would leak in. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key.startsWith('MCP_') || key.startsWith('NODE_OPTIONS')) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

const q = (value: string) => JSON.stringify(value);

export interface BenchBackend {
  name: string;
  args?: string[];
  /** The backend's script: the echo backend (SDK v1) unless given. */
  script?: string;
}

/** A router configuration (YAML) with stdio echo backends. */
export function writeRouterConfig(file: string, backends: BenchBackend[], namespaces: boolean): string {
  const lines = ['routing:', `  enable_namespace_prefixing: ${namespaces}`, 'backends:'];
  for (const backend of backends) {
    lines.push(
      `  - name: ${q(backend.name)}`,
      `    command: ${q(NODE)}`,
      `    args: [${[backend.script ?? ECHO_BACKEND, ...(backend.args ?? [])].map(q).join(', ')}]`,
    );
  }
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** Waits until the server behind an HTTP endpoint lists the echo tool (probing with a session of its own). */
async function probe(spawned: Spawned, endpoint: Endpoint, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!spawned.running) throw new Error(`${spawned.label} exited: ${spawned.tail}`);
    try {
      const session = await openWhenReady(endpoint, Math.max(1000, deadline - Date.now()));
      try {
        await waitForEchoTool(session, Math.max(1000, deadline - Date.now()));
        return;
      } finally {
        await session.close();
      }
    } catch (error) {
      // A refusal (the server answered, and said no) will not change by asking again.
      if (error instanceof RefusedError)
        throw new Error(`${spawned.label} refused: ${error.message}`, { cause: error });
      if (Date.now() > deadline)
        throw new Error(
          `${spawned.label} never served the echo tool: ${(error as Error).message}; output: ${spawned.tail}`,
          { cause: error },
        );
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

async function startHttp(
  label: string,
  command: string,
  args: string[],
  env: Record<string, string>,
  endpointFor: (port: number) => Endpoint,
  port: number | (() => Promise<number>),
): Promise<Running> {
  const begin = Date.now();
  const spawned = new Spawned(label, command, args, { env, cwd: ROOT });
  try {
    const endpoint = endpointFor(typeof port === 'number' ? port : await port());
    await probe(spawned, endpoint);
    return { endpoint, pid: spawned.pid, readyMs: Date.now() - begin, stop: () => spawned.stop() };
  } catch (error) {
    await spawned.stop();
    throw error;
  }
}

/**
 * Starts a node script that listens on a port of its choosing and prints it (`printed`'s first group), then
 * waits until it serves the echo tool at /mcp.
 */
async function startOnOwnPort(
  label: string,
  args: string[],
  printed: RegExp,
  timeoutMs: number,
  stopGraceMs?: number,
  era: Era = '2025',
): Promise<Running> {
  const begin = Date.now();
  const spawned = new Spawned(label, NODE, args, { env: cleanEnv(), cwd: ROOT });
  try {
    const match = await spawned.waitFor(printed, timeoutMs);
    const endpoint: Endpoint = { kind: 'http', url: `http://127.0.0.1:${match[1]}/mcp`, era };
    await probe(spawned, endpoint);
    return { endpoint, pid: spawned.pid, readyMs: Date.now() - begin, stop: () => spawned.stop(stopGraceMs) };
  } catch (error) {
    await spawned.stop();
    throw error;
  }
}

function missing(path: string, what: string): string | undefined {
  return existsSync(path) ? undefined : `${what} not found (${path})`;
}

function directTarget(id: string, label: string, script: string, era: Era, byDefault: boolean): Target {
  return {
    id,
    label,
    role: id === 'direct' ? 'direct' : 'reference',
    transport: 'stdio',
    era,
    byDefault,
    unavailable: () => missing(script, label),
    async start() {
      return { endpoint: { kind: 'stdio', command: NODE, args: [script], env: cleanEnv(), era }, stop: async () => {} };
    },
  };
}

/** Extra node flags for the router process, for profiling: BENCH_ROUTER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof". */
function routerNodeArgs(): string[] {
  return (process.env.BENCH_ROUTER_NODE_ARGS ?? '').split(' ').filter(Boolean);
}

function routerConfig(workDir: string, script: string): string {
  const name = script === ECHO_BACKEND ? 'router-1-echo.yaml' : 'router-1-echo-v2.yaml';
  return writeRouterConfig(join(workDir, name), [{ name: 'echo', script }], false);
}

/** The router over streamable HTTP, for clients of `era`, in front of one echo backend (`script`). */
function routerHttp(id: string, label: string, era: Era, script = ECHO_BACKEND): Target {
  return {
    id,
    label,
    role: 'router',
    transport: 'streamable HTTP',
    era,
    byDefault: true,
    unavailable: () => missing(ROUTER_CLI, 'mcp-router (dist/src/cli.js)') ?? missing(script, 'echo backend'),
    async start(workDir) {
      const args = [
        ...routerNodeArgs(),
        ROUTER_CLI,
        '--config',
        routerConfig(workDir, script),
        '--transport',
        'http',
        '--host',
        '127.0.0.1',
        '--port',
        '0',
      ];
      return startOnOwnPort('mcp-router', args, /listening on http:\/\/127\.0\.0\.1:(\d+)\/mcp/, 60_000, 15_000, era);
    },
  };
}

/** The router over stdio, for clients of `era`, in front of one echo backend (`script`). */
function routerStdio(id: string, label: string, era: Era, script = ECHO_BACKEND, byDefault = true): Target {
  return {
    id,
    label,
    role: 'router',
    transport: 'stdio',
    era,
    byDefault,
    unavailable: () => missing(ROUTER_CLI, 'mcp-router (dist/src/cli.js)') ?? missing(script, 'echo backend'),
    async start(workDir) {
      const config = routerConfig(workDir, script);
      return {
        endpoint: {
          kind: 'stdio',
          command: NODE,
          args: [...routerNodeArgs(), ROUTER_CLI, '--config', config, '--transport', 'stdio'],
          env: cleanEnv(),
          cwd: ROOT,
          era,
        },
        stop: async () => {},
      };
    },
  };
}

// mcp-proxy README: `npx mcp-proxy --port 8080 -- tsx server.js` serves /mcp (streamable HTTP) and /sse.
const MCP_PROXY = join(ROOT, 'bench', 'node_modules', 'mcp-proxy', 'dist', 'bin', 'mcp-proxy.mjs');
const mcpProxy: Target = {
  id: 'mcp-proxy',
  label: 'mcp-proxy',
  role: 'peer',
  transport: 'streamable HTTP',
  era: '2025',
  byDefault: true,
  unavailable: () => missing(MCP_PROXY, 'mcp-proxy (npm ci --prefix bench)'),
  async start() {
    const port = await freePort();
    return startHttp(
      'mcp-proxy',
      NODE,
      [MCP_PROXY, '--port', String(port), '--', NODE, ECHO_BACKEND],
      cleanEnv(),
      (p) => ({ kind: 'http', url: `http://127.0.0.1:${p}/mcp` }),
      port,
    );
  },
};

// supergateway README, "stdio → Streamable HTTP", stateful mode:
//   npx -y supergateway --stdio "cmd" --outputTransport streamableHttp --stateful --sessionTimeout 60000 --port 8000
// Stateful, because the load generator's clients are sessions (stateless spawns a child per request).
// --logLevel none: its default (info) logs every message, which would only slow it down.
const SUPERGATEWAY = join(ROOT, 'bench', 'node_modules', 'supergateway', 'dist', 'index.js');
const supergateway: Target = {
  id: 'supergateway',
  label: 'supergateway',
  role: 'peer',
  transport: 'streamable HTTP',
  era: '2025',
  byDefault: true,
  unavailable: () => missing(SUPERGATEWAY, 'supergateway (npm ci --prefix bench)'),
  async start() {
    const port = await freePort();
    const args = [
      SUPERGATEWAY,
      '--stdio',
      `${q(NODE)} ${q(ECHO_BACKEND)}`,
      '--outputTransport',
      'streamableHttp',
      '--stateful',
      '--sessionTimeout',
      '60000',
      '--port',
      String(port),
      '--logLevel',
      'none',
    ];
    return startHttp(
      'supergateway',
      NODE,
      args,
      cleanEnv(),
      (p) => ({ kind: 'http', url: `http://127.0.0.1:${p}/mcp` }),
      port,
    );
  },
};

// mcp-hub README: `mcp-hub --port 3000 --config path/to/config.json`; clients connect to
// http://localhost:PORT/mcp, which is the legacy SSE transport (GET /mcp, POST /messages?sessionId=...).
// Its logs and workspace cache go under XDG_STATE_HOME, pointed at the bench's scratch folder.
const MCP_HUB = join(ROOT, 'bench', 'node_modules', 'mcp-hub', 'dist', 'cli.js');
const mcpHub: Target = {
  id: 'mcp-hub',
  label: 'mcp-hub',
  role: 'peer',
  transport: 'SSE',
  era: '2025',
  byDefault: true,
  unavailable: () => missing(MCP_HUB, 'mcp-hub (npm ci --prefix bench)'),
  async start(workDir) {
    const home = join(workDir, 'mcp-hub-home');
    for (const sub of ['state', 'config', 'data', 'cache']) mkdirSync(join(home, sub), { recursive: true });
    const config = join(workDir, 'mcp-hub.json');
    writeFileSync(config, JSON.stringify({ mcpServers: { echo: { command: NODE, args: [ECHO_BACKEND] } } }, null, 2));
    const env = cleanEnv({
      XDG_STATE_HOME: join(home, 'state'),
      XDG_CONFIG_HOME: join(home, 'config'),
      XDG_DATA_HOME: join(home, 'data'),
      XDG_CACHE_HOME: join(home, 'cache'),
    });
    const port = await freePort();
    return startHttp(
      'mcp-hub',
      NODE,
      [MCP_HUB, '--port', String(port), '--config', config],
      env,
      (p) => ({ kind: 'sse', url: `http://127.0.0.1:${p}/mcp` }),
      port,
    );
  },
};

const FLOOR = join(__dirname, 'floor');

function floorHttp(id: string, label: string, script: string, era: Era, byDefault: boolean): Target {
  const path = join(FLOOR, script);
  return {
    id,
    label,
    role: 'floor',
    transport: 'streamable HTTP',
    era,
    byDefault,
    unavailable: () => missing(path, label),
    start: () => startOnOwnPort(label, [path], /^(\d+)$/m, 30_000, undefined, era),
  };
}

function floorStdio(id: string, label: string, script: string, era: Era): Target {
  const path = join(FLOOR, script);
  return {
    id,
    label,
    role: 'floor',
    transport: 'stdio',
    era,
    byDefault: true,
    unavailable: () => missing(path, label),
    async start() {
      return { endpoint: { kind: 'stdio', command: NODE, args: [path], env: cleanEnv(), era }, stop: async () => {} };
    },
  };
}

const SDK2_HTTP_SERVER = join(__dirname, 'sdk2-http-server.js');
/** The SDK v2's own 2026-07-28 HTTP serving (createMcpHandler), to check the 2026 HTTP client against. */
const sdk2Http: Target = {
  id: 'sdk2-http-2026',
  label: 'SDK v2 createMcpHandler (echo)',
  role: 'reference',
  transport: 'streamable HTTP',
  era: '2026',
  byDefault: false,
  unavailable: () => missing(SDK2_HTTP_SERVER, 'SDK v2 HTTP server'),
  start: () => startOnOwnPort('sdk2-http-server', [SDK2_HTTP_SERVER], /^(\d+)$/m, 30_000, undefined, '2026'),
};

export const TARGETS: Target[] = [
  directTarget('direct', 'direct (echo backend)', ECHO_BACKEND, '2025', true),
  routerHttp('router-http', 'mcp-router', '2025'),
  routerStdio('router-stdio', 'mcp-router', '2025'),
  routerHttp('router-http-2026', 'mcp-router', '2026'),
  routerStdio('router-stdio-2026', 'mcp-router', '2026'),
  routerHttp('router-http-backend-v2', 'mcp-router, SDK v2 backend', '2025', ECHO_BACKEND_V2),
  routerStdio('router-stdio-backend-v2', 'mcp-router, SDK v2 backend', '2025', ECHO_BACKEND_V2, false),
  mcpProxy,
  supergateway,
  mcpHub,
  floorHttp('floor-http', 'floor: bare proxy', 'http-proxy.js', '2025', true),
  floorHttp('floor-net-http', 'floor: bare proxy, no node:http', 'net-http-proxy.js', '2025', false),
  floorStdio('floor-stdio', 'floor: bare proxy', 'stdio-proxy.js', '2025'),
  floorHttp('floor-http-2026', 'floor: bare proxy', 'http-proxy-2026.js', '2026', true),
  floorStdio('floor-stdio-2026', 'floor: bare proxy', 'stdio-proxy-2026.js', '2026'),
  directTarget('direct-v2', 'direct (echo backend, SDK v2)', ECHO_BACKEND_V2, '2025', false),
  directTarget('direct-2026', 'direct (echo backend, SDK v2)', ECHO_BACKEND_V2, '2026', false),
  sdk2Http,
];
