import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLED_CONFIG, loadConfig, parseBackend, resolveRouterSettings, routingOverrides, DEFAULT_ROUTING } from '../../src/config';
import { ConfigError } from '../../src/errors';
import { tempFile } from '../helpers/cli';

const env = { HOME: '/home/u' };

function refusal(yaml: string, name = 'backends.yaml', extraEnv: Record<string, string> = {}): { file: string; message: string; issues: { path: string; problem: string }[] } {
  const file = tempFile(name, yaml);
  try {
    loadConfig(file, { env: { ...env, ...extraEnv } });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { file, message: error.message, issues: error.issues };
  }
  throw new Error('expected the config to be refused');
}

describe('loading a backends file', () => {
  it("accepts the original Python MCP Router's backends.yaml unchanged", () => {
    const file = tempFile(
      'backends.yaml',
      `backends:
- name: n8n
  source: http://127.0.0.1:9000/
  namespace: n8n
  priority: 10
  auto_start: false
  health_check: { enabled: true, interval_seconds: 30, timeout_seconds: 5 }
  circuit_breaker: { failure_threshold: 5, timeout_seconds: 60, half_open_attempts: 3 }
- name: analytics-primary
  url: http://localhost:8003
  namespace: analytics
  priority: 10
  routes:
    - pattern: "analyze_*"
      strategy: fallback
      fallback_to: analytics-secondary
- name: analytics-secondary
  url: http://localhost:8004
  namespace: analytics
  priority: 20
  routes:
    - { pattern: "analyze_*", strategy: path }
routing:
  default_strategy: capability
  enable_namespace_prefixing: true
  capability_cache_ttl_seconds: 300
  request_timeout_seconds: 30
  retry: { max_attempts: 3, backoff_multiplier: 2, max_backoff_seconds: 10 }
`,
    );
    const config = loadConfig(file, { env });
    expect(config.backends.map((b) => [b.name, b.url, b.transport, b.priority, b.autoStart])).toEqual([
      ['n8n', 'http://127.0.0.1:9000/', 'auto', 10, false],
      ['analytics-primary', 'http://localhost:8003', 'auto', 10, true],
      ['analytics-secondary', 'http://localhost:8004', 'auto', 20, true],
    ]);
    expect(config.backends[1].routes).toEqual([{ pattern: 'analyze_*', strategy: 'fallback', fallbackTo: ['analytics-secondary'] }]);
    expect(config.routing.maxRetries).toBe(2); // max_attempts counts the first attempt
  });

  it('accepts stdio backends with command, args, env and a cwd relative to the file', () => {
    const file = tempFile('backends.yaml', 'backends:\n  - name: fs\n    command: node\n    args: [server.js]\n    env: { A: "1" }\n    cwd: sub\n');
    const [b] = loadConfig(file, { env }).backends;
    expect(b).toMatchObject({ name: 'fs', namespace: 'fs', transport: 'stdio', command: 'node', args: ['server.js'], env: { A: '1' }, cwd: join(file, '..', 'sub') });
  });

  it('expands ${VAR} and ${VAR:-default} from the environment', () => {
    const file = tempFile('backends.yaml', 'backends:\n  - name: s\n    url: ${BASE:-http://localhost:1}/mcp\n    headers: { Authorization: "Bearer ${TOKEN}" }\n');
    const [b] = loadConfig(file, { env: { TOKEN: 'sekret' } }).backends;
    expect(b.url).toBe('http://localhost:1/mcp');
    expect(b.headers.Authorization).toBe('Bearer sekret');
  });

  it('accepts a Claude Desktop mcpServers JSON and a VS Code servers JSON', () => {
    const claude = tempFile('claude.json', JSON.stringify({ mcpServers: { mem: { command: 'npx', args: ['-y', 'x'] }, web: { url: 'https://a.example/mcp', type: 'sse' } } }));
    expect(loadConfig(claude, { env }).backends.map((b) => [b.name, b.transport])).toEqual([
      ['mem', 'stdio'],
      ['web', 'sse'],
    ]);
    const vscode = tempFile('mcp.json', JSON.stringify({ servers: { api: { type: 'http', url: 'https://b.example/mcp' } } }));
    expect(loadConfig(vscode, { env }).backends[0]).toMatchObject({ name: 'api', transport: 'streamable-http' });
  });

  it('loads the bundled demo, whose servers are installed', () => {
    const config = loadConfig(BUNDLED_CONFIG, { env });
    expect(config.backends.map((b) => b.name)).toEqual(['everything', 'memory']);
    for (const b of config.backends) expect(existsSync(join(b.cwd!, b.args[0]))).toBe(true);
  });
});

describe('refusing a broken file', () => {
  it.each<[string, string, string, RegExp]>([
    ['an unknown key', 'backends:\n  - name: a\n    comand: node\n', 'backends[0]', /unknown key "comand"/],
    ['a wrong type', 'backends:\n  - name: a\n    command: node\n    priority: high\n', 'backends[0].priority', /number/],
    ['duplicate backend names', 'backends:\n  - { name: a, command: x }\n  - { name: a, command: y }\n', 'backends[1].name', /duplicate backend name "a"/],
    ['neither command nor url', 'backends:\n  - name: a\n', 'backends[0]', /either command .* or url/],
    ['a fallback_to naming no backend', 'backends:\n  - name: a\n    command: x\n    routes: [{ pattern: "*", strategy: fallback, fallback_to: ghost }]\n', 'backends[0].routes[0].fallback_to', /names no backend: "ghost"/],
    [
      'a fallback_to cycle',
      'backends:\n  - { name: a, command: x, routes: [{ pattern: "*", fallback_to: b }] }\n  - { name: b, command: x, routes: [{ pattern: "*", fallback_to: a }] }\n',
      'backends[1].routes[0].fallback_to',
      /cycle: a → b → a/,
    ],
    ['an unknown strategy', 'routing:\n  default_strategy: random\nbackends: []\n', 'routing.default_strategy', /capability/],
    ['a bad url', 'backends:\n  - { name: a, url: "not a url" }\n', 'backends[0].url', /not a valid URL/],
    ['an unset variable', 'backends:\n  - { name: a, url: "${NOPE}" }\n', 'backends[0].url', /NOPE is not set/],
    ['YAML syntax', 'backends:\n  - name: [unclosed\n', '', /not valid YAML or JSON: line/],
  ])('%s', (_label, yaml, path, problem) => {
    const { file, message, issues } = refusal(yaml);
    expect(message).toContain(file);
    expect(issues.some((i) => i.path === path && problem.test(i.problem))).toBe(true);
  });

  it('names a missing file', () => {
    expect(() => loadConfig('/nonexistent/backends.yaml', { env })).toThrow(/\/nonexistent\/backends.yaml: file not found/);
  });
});

describe('settings precedence: flag > environment variable > file > default', () => {
  const file = tempFile('backends.yaml', 'routing:\n  request_timeout_seconds: 12\n  default_strategy: path\nbackends: []\n');

  it('file beats default, variable beats file', () => {
    expect(loadConfig(file, { env }).routing).toMatchObject({ requestTimeoutSeconds: 12, defaultStrategy: 'path', maxRetries: DEFAULT_ROUTING.maxRetries });
    const overrides = routingOverrides({}, { MCP_REQUEST_TIMEOUT: '5', MCP_ENABLE_NAMESPACES: 'false' });
    expect(loadConfig(file, { env, overrides }).routing).toMatchObject({ requestTimeoutSeconds: 5, enableNamespaces: false, defaultStrategy: 'path' });
  });

  it('flag beats variable, variable beats default', () => {
    expect(resolveRouterSettings({ port: '9001' }, { MCP_PORT: '9000', MCP_HOST: '0.0.0.0' })).toMatchObject({ port: 9001, host: '0.0.0.0', transport: 'stdio' });
    expect(resolveRouterSettings({}, {})).toMatchObject({ port: 8000, host: '127.0.0.1', serverName: 'mcp-router', configPath: BUNDLED_CONFIG });
  });

  it('refuses a malformed variable, naming it', () => {
    expect(() => resolveRouterSettings({}, { MCP_PORT: 'abc' })).toThrow(/MCP_PORT: expected an integer/);
    expect(() => routingOverrides({}, { MCP_DEFAULT_STRATEGY: 'random' })).toThrow(/MCP_DEFAULT_STRATEGY: expected one of capability, path, fallback/);
  });
});

describe('register_backend validation', () => {
  const options = { env, routing: DEFAULT_ROUTING, others: ['existing'], baseDir: '/' };
  it('validates one backend exactly like the file', () => {
    expect(parseBackend({ name: 'n', command: 'node', routes: [{ pattern: '*', fallback_to: 'existing' }] }, options)).toMatchObject({ name: 'n', transport: 'stdio' });
    expect(() => parseBackend({ name: 'n', comand: 'node' }, options)).toThrow(/backend: unknown key "comand"/);
    expect(() => parseBackend({ name: 'existing', command: 'x' }, options)).toThrow(/already exists/);
  });
});
