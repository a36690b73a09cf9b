/** Precedence flag > environment variable > file routing: block > default, and malformed values refused by name. */
import { join } from 'node:path';
import {
  BUNDLED_CONFIG,
  DEFAULT_ROUTING,
  loadConfig,
  mergeRouting,
  resolveRouterSettings,
  routingFromEnv,
  routingOverrides,
} from '../../src/config';
import { refusalOf, writeConfig } from './config-files';

const fileWithRouting = writeConfig(
  'backends.yaml',
  'routing:\n  default_strategy: path\n  request_timeout_seconds: 12\n  capability_cache_ttl_seconds: 60\n  enable_namespace_prefixing: false\n  retry: { max_attempts: 5, backoff_multiplier: 3, max_backoff_seconds: 4, base_backoff_seconds: 0.5 }\nbackends: []\n',
);
const file = loadConfig(fileWithRouting, { env: {} }).routing;

describe('routing settings precedence', () => {
  it('default, when nothing says otherwise', () => {
    expect(loadConfig(writeConfig('b.yaml', 'backends: []\n'), { env: {} }).routing).toEqual(DEFAULT_ROUTING);
    expect(DEFAULT_ROUTING).toEqual({
      defaultStrategy: 'capability',
      enableNamespaces: true,
      cacheTtlSeconds: 300,
      requestTimeoutSeconds: 30,
      maxRetries: 3,
      retryBackoff: 2,
      maxBackoffSeconds: 10,
      retryBaseSeconds: 0.1,
      healthCheckIntervalSeconds: 30,
      healthCheckTimeoutSeconds: 5,
      allowBackendChanges: false,
    });
  });

  it('file beats default (retry.max_attempts includes the first attempt: 5 → 4 retries)', () => {
    expect(file).toEqual({
      ...DEFAULT_ROUTING,
      defaultStrategy: 'path',
      requestTimeoutSeconds: 12,
      cacheTtlSeconds: 60,
      enableNamespaces: false,
      maxRetries: 4,
      retryBackoff: 3,
      maxBackoffSeconds: 4,
      retryBaseSeconds: 0.5,
    });
  });

  it('variable beats file', () => {
    const env = {
      MCP_DEFAULT_STRATEGY: 'fallback',
      MCP_REQUEST_TIMEOUT: '5',
      MCP_ENABLE_NAMESPACES: 'yes',
      MCP_MAX_RETRIES: '1',
    };
    const routing = loadConfig(fileWithRouting, { env: {}, overrides: routingOverrides({}, env) }).routing;
    expect(routing).toMatchObject({
      defaultStrategy: 'fallback',
      requestTimeoutSeconds: 5,
      enableNamespaces: true,
      maxRetries: 1,
      cacheTtlSeconds: 60,
    });
  });

  it('flag beats variable', () => {
    const overrides = routingOverrides(
      { routing: { requestTimeoutSeconds: '7', defaultStrategy: 'capability' } },
      { MCP_REQUEST_TIMEOUT: '5', MCP_DEFAULT_STRATEGY: 'fallback' },
    );
    expect(loadConfig(fileWithRouting, { env: {}, overrides }).routing).toMatchObject({
      requestTimeoutSeconds: 7,
      defaultStrategy: 'capability',
      cacheTtlSeconds: 60,
    });
  });

  it('mergeRouting does all four layers in one call', () => {
    const merged = mergeRouting({
      flags: { routing: { cacheTtlSeconds: '1' } },
      env: { MCP_CACHE_TTL: '2', MCP_MAX_BACKOFF: '3' },
      file: { cacheTtlSeconds: 4, maxBackoffSeconds: 5, retryBackoff: 6 },
    });
    expect(merged).toEqual({ ...DEFAULT_ROUTING, cacheTtlSeconds: 1, maxBackoffSeconds: 3, retryBackoff: 6 });
  });

  it('reads every routing variable', () => {
    expect(
      routingFromEnv({
        MCP_DEFAULT_STRATEGY: 'path',
        MCP_ENABLE_NAMESPACES: '0',
        MCP_CACHE_TTL: '0',
        MCP_REQUEST_TIMEOUT: '2.5',
        MCP_MAX_RETRIES: '0',
        MCP_RETRY_BACKOFF: '1.5',
        MCP_MAX_BACKOFF: '20',
        MCP_RETRY_BASE: '0.2',
        MCP_HEALTH_CHECK_INTERVAL: '15',
        MCP_HEALTH_CHECK_TIMEOUT: '3',
      }),
    ).toEqual({
      defaultStrategy: 'path',
      enableNamespaces: false,
      cacheTtlSeconds: 0,
      requestTimeoutSeconds: 2.5,
      maxRetries: 0,
      retryBackoff: 1.5,
      maxBackoffSeconds: 20,
      retryBaseSeconds: 0.2,
      healthCheckIntervalSeconds: 15,
      healthCheckTimeoutSeconds: 3,
    });
  });

  it.each([
    ['true', true],
    ['1', true],
    ['YES', true],
    ['on', true],
    ['false', false],
    ['0', false],
    ['no', false],
    ['Off', false],
  ])('MCP_ENABLE_NAMESPACES=%s is %s', (value, expected) => {
    expect(routingFromEnv({ MCP_ENABLE_NAMESPACES: value }).enableNamespaces).toBe(expected);
  });

  it('an empty variable counts as unset', () => {
    expect(routingFromEnv({ MCP_CACHE_TTL: '', MCP_DEFAULT_STRATEGY: '' })).toEqual({});
  });
});

describe('refusing a malformed variable or flag, by name', () => {
  it.each<[Record<string, string>, string, RegExp]>([
    [
      { MCP_DEFAULT_STRATEGY: 'random' },
      'MCP_DEFAULT_STRATEGY',
      /expected one of capability, path, fallback, got "random"/,
    ],
    [{ MCP_ENABLE_NAMESPACES: 'maybe' }, 'MCP_ENABLE_NAMESPACES', /expected true or false/],
    [{ MCP_CACHE_TTL: '-1' }, 'MCP_CACHE_TTL', /expected a number ≥ 0, got "-1"/],
    [{ MCP_REQUEST_TIMEOUT: '0' }, 'MCP_REQUEST_TIMEOUT', /expected a number > 0/],
    [{ MCP_MAX_RETRIES: '1.5' }, 'MCP_MAX_RETRIES', /expected an integer ≥ 0/],
    [{ MCP_RETRY_BACKOFF: '0.5' }, 'MCP_RETRY_BACKOFF', /expected a number ≥ 1/],
    [{ MCP_MAX_BACKOFF: 'ten' }, 'MCP_MAX_BACKOFF', /got "ten"/],
    [{ MCP_HEALTH_CHECK_INTERVAL: 'abc' }, 'MCP_HEALTH_CHECK_INTERVAL', /expected a number > 0, got "abc"/],
  ])('%j', (env, variable, problem) => {
    const refusal = refusalOf(() => routingFromEnv(env));
    expect(refusal.issues).toEqual([{ path: variable, problem: expect.stringMatching(problem) }]);
    expect(refusal.message).toMatch(new RegExp(`^\\(command line and environment\\): ${variable}: `));
  });

  it('names the flag, not the variable, when the flag is malformed', () => {
    expect(
      refusalOf(() => routingOverrides({ routing: { requestTimeoutSeconds: 'soon' } }, { MCP_REQUEST_TIMEOUT: '5' }))
        .issues,
    ).toEqual([{ path: '--request-timeout', problem: 'expected a number > 0, got "soon"' }]);
    expect(refusalOf(() => resolveRouterSettings({ port: 'http' }, {})).issues).toEqual([
      { path: '--port', problem: 'expected an integer ≥ 0 and ≤ 65535, got "http"' },
    ]);
  });

  it('reports all malformed values at once', () => {
    const env = { MCP_PORT: 'abc', MCP_TRANSPORT: 'carrier-pigeon', MCP_LOG_FORMAT: 'xml', MCP_CACHE_TTL: 'long' };
    expect(refusalOf(() => resolveRouterSettings({}, env)).issues.map((i) => i.path)).toEqual([
      'MCP_TRANSPORT',
      'MCP_PORT',
      'MCP_LOG_FORMAT',
      'MCP_CACHE_TTL',
    ]);
  });
});

describe('router settings', () => {
  it('defaults: stdio on 127.0.0.1:8000, mcp-router, info, text, the bundled demo', () => {
    expect(resolveRouterSettings({}, {})).toEqual({
      configPath: BUNDLED_CONFIG,
      transport: 'stdio',
      host: '127.0.0.1',
      port: 8000,
      serverName: 'mcp-router',
      logLevel: 'info',
      logFormat: 'text',
      inspectPort: undefined,
      inspectPayloads: false,
      metricsPort: undefined,
      authToken: undefined,
      allowedHosts: [],
      allowedOrigins: [],
      maxBodyBytes: 4 * 1024 * 1024,
      maxConfigBytes: 4 * 1024 * 1024,
    });
  });

  it('the bundled demo is config/backends.yaml at the package root', () => {
    expect(BUNDLED_CONFIG).toBe(join(__dirname, '..', '..', 'config', 'backends.yaml'));
  });

  it('variable beats default, flag beats variable', () => {
    const env = {
      MCP_BACKENDS_CONFIG: '/env.yaml',
      MCP_TRANSPORT: 'http',
      MCP_HOST: '0.0.0.0',
      MCP_PORT: '9000',
      MCP_SERVER_NAME: 'edge',
      MCP_LOG_LEVEL: 'DEBUG',
      MCP_LOG_FORMAT: 'json',
    };
    expect(resolveRouterSettings({}, env)).toMatchObject({
      configPath: '/env.yaml',
      transport: 'http',
      host: '0.0.0.0',
      port: 9000,
      serverName: 'edge',
      logLevel: 'debug',
      logFormat: 'json',
    });
    expect(
      resolveRouterSettings(
        {
          configPath: '/flag.yaml',
          transport: 'stdio',
          host: '::1',
          port: '9001',
          logLevel: 'warn',
          logFormat: 'text',
        },
        env,
      ),
    ).toMatchObject({
      configPath: '/flag.yaml',
      transport: 'stdio',
      host: '::1',
      port: 9001,
      serverName: 'edge',
      logLevel: 'warn',
      logFormat: 'text',
    });
  });

  it('refuses a malformed MCP_PORT, naming the variable', () => {
    const refusal = refusalOf(() => resolveRouterSettings({}, { MCP_PORT: 'abc' }));
    expect(refusal.message).toBe(
      '(command line and environment): MCP_PORT: expected an integer ≥ 0 and ≤ 65535, got "abc"',
    );
    expect(refusalOf(() => resolveRouterSettings({}, { MCP_PORT: '70000' })).issues[0]!.path).toBe('MCP_PORT');
  });
});
