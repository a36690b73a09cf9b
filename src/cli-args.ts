/**
 * Command-line flags. Parsing only: precedence (flag > variable > file > default) is settings.ts's job.
 */
import { parseArgs } from 'node:util';
import type { CliFlags } from './config';

export const USAGE = `Usage: mcp-router [--config FILE] [--transport stdio|http] [--host H] [--port P]
                  [--inspect[=PORT]] [--inspect-payloads] [--metrics-port P]
                  [--log-level L] [--log-format text|json] [--auth-token-file F]
                  [--allowed-hosts H,...] [--allowed-origins O,...] [--max-body-bytes N]
                  [--allow-backend-changes]
       mcp-router check --config FILE    validate, connect once, print the name table; exit 0 or 2
       mcp-router --help | --version

One MCP endpoint in front of many MCP servers.

Options:
  -c, --config FILE        backends file: YAML, or JSON in the mcpServers shape (MCP_BACKENDS_CONFIG)
  -t, --transport T        stdio (default) or http (MCP_TRANSPORT)
      --host H             HTTP bind address, default 127.0.0.1 (MCP_HOST)
  -p, --port P             HTTP port, default 8000; 0 picks a free one (MCP_PORT)
      --log-level L        error, warn, info, debug (MCP_LOG_LEVEL)
      --log-format F       text or json (MCP_LOG_FORMAT)
      --inspect[=PORT]     serve the Stately inspector relay (default port 8080)
      --inspect-payloads   show tool arguments and results in the inspector
      --metrics-port P     with stdio: serve /healthz, /readyz, /metrics, /status on port P
      --auth-token-file F  require 'Authorization: Bearer <token>' on HTTP (or MCP_AUTH_TOKEN)
      --allowed-hosts H,.. extra Host names accepted (DNS rebinding protection; MCP_ALLOWED_HOSTS)
      --allowed-origins O  extra Origins accepted, comma-separated (MCP_ALLOWED_ORIGINS)
      --max-body-bytes N   largest HTTP request body, default 4194304 (MCP_MAX_BODY_BYTES)
      --allow-backend-changes  offer register_backend / unregister_backend, which start and stop
                           programs (off by default; MCP_ALLOW_BACKEND_CHANGES)
  -h, --help               this text
  -v, --version            the version

Environment variables (a flag beats the variable, which beats the file's routing: block):
  MCP_DEFAULT_STRATEGY, MCP_ENABLE_NAMESPACES, MCP_CACHE_TTL, MCP_REQUEST_TIMEOUT, MCP_MAX_RETRIES,
  MCP_RETRY_BACKOFF, MCP_MAX_BACKOFF, MCP_HEALTH_CHECK_INTERVAL, MCP_HEALTH_CHECK_TIMEOUT, MCP_SERVER_NAME,
  MCP_ALLOW_BACKEND_CHANGES, MCP_MAX_CONFIG_BYTES
`;

export interface ParsedArgs {
  help: boolean;
  version: boolean;
  flags: CliFlags;
}

export function parseCliArgs(argv: string[]): ParsedArgs {
  // `--inspect` may come bare or as --inspect=PORT: normalize the bare form before parseArgs sees it.
  const normalized = argv.map((a) => (a === '--inspect' ? '--inspect=8080' : a));
  const { values } = parseArgs({
    args: normalized,
    options: {
      config: { type: 'string', short: 'c' },
      transport: { type: 'string', short: 't' },
      host: { type: 'string' },
      port: { type: 'string', short: 'p' },
      'log-level': { type: 'string' },
      'log-format': { type: 'string' },
      inspect: { type: 'string' },
      'inspect-payloads': { type: 'boolean' },
      'metrics-port': { type: 'string' },
      'auth-token-file': { type: 'string' },
      'allowed-hosts': { type: 'string' },
      'allowed-origins': { type: 'string' },
      'max-body-bytes': { type: 'string' },
      'allow-backend-changes': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
    strict: true,
    allowPositionals: false,
  });
  return {
    help: Boolean(values.help),
    version: Boolean(values.version),
    flags: {
      configPath: values.config,
      transport: values.transport,
      host: values.host,
      port: values.port,
      logLevel: values['log-level'],
      logFormat: values['log-format'],
      inspect: values.inspect,
      inspectPayloads: values['inspect-payloads'],
      metricsPort: values['metrics-port'],
      authTokenFile: values['auth-token-file'],
      allowedHosts: values['allowed-hosts'],
      allowedOrigins: values['allowed-origins'],
      maxBodyBytes: values['max-body-bytes'],
      routing: values['allow-backend-changes'] ? { allowBackendChanges: 'true' } : undefined,
    },
  };
}
