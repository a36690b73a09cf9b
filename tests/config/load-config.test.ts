/**
 * What the loader accepts and how it normalizes it: the original Python router's file unchanged, stdio
 * backends, defaults, the bundled demo and the examples.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BUNDLED_CONFIG, DEFAULT_ROUTING, loadConfig } from '../../src/config';
import { FIXTURES, writeConfig } from './config-files';

const env = { HOME: '/home/u' };

describe("the original Python MCP Router's backends.yaml", () => {
  const config = loadConfig(join(FIXTURES, 'original-router-backends.yaml'), { env });
  const byName = Object.fromEntries(config.backends.map((b) => [b.name, b]));

  it('is read unchanged, every backend in file order', () => {
    expect(config.backends.map((b) => b.name)).toEqual([
      'db',
      'api',
      'analytics-primary',
      'analytics-secondary',
      'n8n',
      'time',
      'weather',
    ]);
  });

  it('keeps url, namespace and priority (lower preferred, as in the original)', () => {
    expect(byName.db).toMatchObject({ url: 'http://localhost:8001', namespace: 'db', priority: 10, transport: 'auto' });
    expect(byName['analytics-secondary']).toMatchObject({ namespace: 'analytics', priority: 20 });
  });

  it('reads routes with pattern, strategy and fallback_to (one name becomes a one-link chain)', () => {
    expect(byName.db!.routes).toEqual([
      { pattern: '*_user', strategy: 'path', fallbackTo: [] },
      { pattern: 'query*', strategy: 'path', fallbackTo: [] },
    ]);
    expect(byName['analytics-primary']!.routes).toEqual([
      { pattern: 'analyze_*', strategy: 'fallback', fallbackTo: ['analytics-secondary'] },
    ]);
    // the original's config repository defaults a missing pattern to `*`
    expect(byName.time!.routes).toEqual([{ pattern: '*', strategy: 'capability', fallbackTo: [] }]);
  });

  it('reads health_check (endpoint accepted, the router pings over MCP) and circuit_breaker', () => {
    expect(byName.db!.healthCheck).toEqual({ enabled: true, intervalSeconds: 30, timeoutSeconds: 5 });
    expect(byName.api!.healthCheck).toEqual({ enabled: false, intervalSeconds: 10, timeoutSeconds: 5 });
    expect(byName.api!.circuitBreaker).toEqual({ failureThreshold: 3, timeoutSeconds: 30, halfOpenAttempts: 2 });
  });

  it("applies the original's defaults where a field is absent: priority 10, breaker 5 / 60 s / 3", () => {
    expect(byName.weather!.priority).toBe(10);
    expect(byName['analytics-secondary']!.circuitBreaker).toEqual({
      failureThreshold: 5,
      timeoutSeconds: 60,
      halfOpenAttempts: 3,
    });
  });

  it('reads `source:` as a URL, and auto_start: false as registered but not started', () => {
    expect(byName.n8n).toMatchObject({ url: 'http://127.0.0.1:9000/', transport: 'auto', autoStart: false });
    expect(byName.db!.autoStart).toBe(true);
  });

  it('runs a package or GitHub `source:` with uvx over stdio, passing `port` on as PORT', () => {
    expect(byName.time).toMatchObject({
      transport: 'stdio',
      command: 'uvx',
      args: ['mcp-server-time'],
      env: { PORT: '9101' },
      namespace: 'time',
    });
    expect(byName.weather).toMatchObject({
      transport: 'stdio',
      command: 'uvx',
      args: ['--from', 'git+https://github.com/example-org/mcp-weather', 'mcp-weather'],
    });
  });

  it('reads the routing: block, max_attempts counting the first attempt', () => {
    expect(config.routing).toEqual({
      ...DEFAULT_ROUTING,
      maxRetries: 2,
      retryBackoff: 2,
      maxBackoffSeconds: 10,
      cacheTtlSeconds: 300,
      requestTimeoutSeconds: 30,
    });
  });
});

describe('normalizing a backend', () => {
  it('accepts stdio backends with command, args, env and a cwd relative to the file', () => {
    const file = writeConfig(
      'backends.yaml',
      'backends:\n  - name: fs\n    command: node\n    args: [server.js]\n    env: { A: "1" }\n    cwd: sub/dir\n',
    );
    const [b] = loadConfig(file, { env }).backends;
    expect(b).toMatchObject({
      name: 'fs',
      namespace: 'fs',
      transport: 'stdio',
      command: 'node',
      args: ['server.js'],
      env: { A: '1' },
      cwd: join(dirname(file), 'sub', 'dir'),
    });
  });

  it('resolves a relative cwd against the file, whatever the working directory, and keeps an absolute one', () => {
    const file = writeConfig(
      'backends.yaml',
      'backends:\n  - { name: up, command: node, cwd: .. }\n  - { name: abs, command: node, cwd: /opt/x }\n',
    );
    const cwd = process.cwd();
    try {
      process.chdir('/');
      const [up, abs] = loadConfig(file, { env }).backends;
      expect(up!.cwd).toBe(dirname(dirname(file)));
      expect(abs!.cwd).toBe('/opt/x');
    } finally {
      process.chdir(cwd);
    }
  });

  it('fills every default: namespace from the name, auto transport, shared session, no cwd', () => {
    const [b] = loadConfig(writeConfig('b.yaml', 'backends:\n  - { name: web.v2, url: "https://h.example/mcp" }\n'), {
      env,
    }).backends;
    expect(b).toEqual({
      name: 'web.v2',
      namespace: 'web_v2', // a namespace must fit a tool name: the dot becomes _
      priority: 10,
      transport: 'auto',
      protocol: 'auto',
      command: undefined,
      args: [],
      env: {},
      cwd: undefined,
      url: 'https://h.example/mcp',
      headers: {},
      routes: [],
      healthCheck: { enabled: true, intervalSeconds: 30, timeoutSeconds: 5 },
      circuitBreaker: { failureThreshold: 5, timeoutSeconds: 60, halfOpenAttempts: 3 },
      session: 'shared',
      autoStart: true,
      secrets: [],
    });
  });

  it('maps transport: streamable-http and http to streamable-http, sse to sse', () => {
    const yaml =
      'backends:\n  - { name: a, url: "http://h/a", transport: streamable-http }\n  - { name: b, url: "http://h/b", transport: http }\n  - { name: c, url: "http://h/c", transport: sse }\n  - { name: d, command: x, transport: stdio }\n';
    expect(loadConfig(writeConfig('t.yaml', yaml), { env }).backends.map((b) => b.transport)).toEqual([
      'streamable-http',
      'streamable-http',
      'sse',
      'stdio',
    ]);
  });

  it('takes health intervals from the routing settings, which flags and variables may override', () => {
    const file = writeConfig(
      'b.yaml',
      'routing:\n  health_check: { interval_seconds: 12 }\nbackends:\n  - { name: a, command: x }\n  - { name: b, command: x, health_check: { timeout_seconds: 1 } }\n',
    );
    const [a, b] = loadConfig(file, { env, overrides: { healthCheckTimeoutSeconds: 2 } }).backends;
    expect(a!.healthCheck).toEqual({ enabled: true, intervalSeconds: 12, timeoutSeconds: 2 });
    expect(b!.healthCheck).toEqual({ enabled: true, intervalSeconds: 12, timeoutSeconds: 1 });
  });

  it('accepts fallback_to as a list, session per-client, headers, and a route without strategy', () => {
    const yaml = `backends:
  - name: a
    url: https://a.example/mcp
    headers: { Authorization: Bearer x }
    session: per-client
    routes:
      - { pattern: "search_*", fallback_to: [b, c] }
  - { name: b, url: "https://b.example/mcp", namespace: a }
  - { name: c, url: "https://c.example/mcp", namespace: a }
`;
    const [a] = loadConfig(writeConfig('b.yaml', yaml), { env }).backends;
    expect(a).toMatchObject({
      session: 'per-client',
      headers: { Authorization: 'Bearer x' },
      routes: [{ pattern: 'search_*', strategy: undefined, fallbackTo: ['b', 'c'] }],
    });
  });

  it('shares settings through YAML anchors and <<: merges kept under a top-level x- key', () => {
    const yaml =
      'x-node: &node\n  command: node\n  priority: 5\nbackends:\n  - <<: *node\n    name: a\n  - <<: *node\n    name: b\n    priority: 1\n';
    expect(
      loadConfig(writeConfig('b.yaml', yaml), { env }).backends.map((b) => [b.name, b.command, b.priority]),
    ).toEqual([
      ['a', 'node', 5],
      ['b', 'node', 1],
    ]);
  });

  it('accepts an empty backends list (backends may be registered at run time)', () => {
    expect(loadConfig(writeConfig('b.yaml', 'backends: []\n'), { env }).backends).toEqual([]);
  });

  it('returns the absolute path of the file', () => {
    const file = writeConfig('b.yaml', 'backends: []\n');
    const cwd = process.cwd();
    try {
      process.chdir(dirname(file));
      expect(loadConfig('b.yaml', { env }).path).toBe(file);
    } finally {
      process.chdir(cwd);
    }
  });

  it('reads a JSON file in our own shape', () => {
    const file = writeConfig(
      'backends.json',
      JSON.stringify({ routing: { default_strategy: 'path' }, backends: [{ name: 'a', command: 'node' }] }),
    );
    expect(loadConfig(file, { env })).toMatchObject({
      routing: { defaultStrategy: 'path' },
      backends: [{ name: 'a', transport: 'stdio' }],
    });
  });
});

describe('the bundled demo and the examples', () => {
  it('the bundled config/backends.yaml loads, and the scripts it starts are installed', () => {
    const config = loadConfig(BUNDLED_CONFIG, { env: {} });
    expect(config.backends.map((b) => [b.name, b.namespace, b.command])).toEqual([
      ['everything', 'everything', 'node'],
      ['memory', 'memory', 'node'],
    ]);
    for (const b of config.backends) {
      expect(b.cwd).toBe(dirname(dirname(BUNDLED_CONFIG)));
      expect(existsSync(join(b.cwd!, b.args[0]!))).toBe(true);
    }
    expect(config.backends[0]!.args[1]).toBe('stdio');
    expect(config.backends[1]!.env.MEMORY_FILE_PATH).toBe('/tmp/mcp-router-demo-memory.jsonl');
    expect(loadConfig(BUNDLED_CONFIG, { env: { TMPDIR: '/var/tmp' } }).backends[1]!.env.MEMORY_FILE_PATH).toBe(
      '/var/tmp/mcp-router-demo-memory.jsonl',
    );
  });

  const examples = join(dirname(BUNDLED_CONFIG), 'examples');
  it.each(readdirSync(examples))('config/examples/%s loads', (name) => {
    const config = loadConfig(join(examples, name), { env: { HOME: '/home/u' } });
    expect(config.backends.length).toBeGreaterThan(0);
  });

  it('the DESIGN.md-shaped example has its replica, routes and headers', () => {
    const config = loadConfig(join(examples, 'replicas-and-routes.yaml'), { env: { SEARCH_TOKEN: 't0k' } });
    const search = config.backends.find((b) => b.name === 'search')!;
    expect(search).toMatchObject({
      headers: { Authorization: 'Bearer t0k' },
      routes: [{ pattern: 'search_*', strategy: 'fallback', fallbackTo: ['search-replica'] }],
    });
    expect(config.backends.find((b) => b.name === 'search-replica')).toMatchObject({
      namespace: 'search',
      priority: 20,
    });
  });
});
