/**
 * Opens one MCP client connection to a backend, over stdio, streamable HTTP or SSE. The SDK stays here, at
 * the edge: the rest of the router sees a BackendLink.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { Implementation, ServerCapabilities } from '@modelcontextprotocol/sdk/types.js';
import type { BackendConfig } from '../config/types';
import type { Logger } from '../logging/logger';
import { BackendCalls, type CallOptions } from './backend-calls';
import { cappedFetch } from './capped-fetch';
import { BackendProcessError, ChildStdioTransport } from './child-stdio-transport';
import { MAX_MESSAGE_CHARS, type OversizedLine } from './line-reader';

export interface BackendLink {
  readonly client: Client;
  readonly transport: 'stdio' | 'streamable-http' | 'sse';
  readonly capabilities: ServerCapabilities;
  readonly serverInfo: Implementation | undefined;
  /** Child process id of a stdio backend. */
  readonly pid: number | null;
  /** A request on the request path (tools/call, resources/read, ...): the result passes through untouched. */
  call(method: string, params: Record<string, unknown>, options?: CallOptions): Promise<Record<string, unknown>>;
  /** A new MCP session on the same backend (an HTTP server that forgot ours answers 404). */
  reinitialize(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenLinkOptions {
  logger: Logger;
  clientInfo: Implementation;
  /** Called once when the connection ends without close() being called. */
  onLost: (reason: string) => void;
  /** Lets the caller register handlers (notifications, server→client requests) before connecting. */
  prepare?: (client: Client) => void;
  signal?: AbortSignal;
}

function newClient(options: OpenLinkOptions): Client {
  const client = new Client(options.clientInfo, {
    capabilities: { sampling: {}, elicitation: {}, roots: { listChanged: true } },
  });
  options.prepare?.(client);
  return client;
}

function stdioTransport(config: BackendConfig, logger: Logger): ChildStdioTransport {
  return new ChildStdioTransport(
    { command: config.command!, args: config.args, env: { ...inheritedEnv(), ...config.env }, cwd: config.cwd },
    logger,
    secretsHidden(config),
  );
}

/** A backend may print what its config gave it (a token in env or headers): not into our log or last_error. */
function secretsHidden(config: BackendConfig): (text: string) => string {
  const secrets = [...Object.values(config.env), ...Object.values(config.headers)].filter((v) => v.length >= 6);
  return (text) => secrets.reduce((t, secret) => t.split(secret).join('***'), text);
}

/** The child gets the router's PATH and locale so `node`, `npx`, `uvx` resolve as in the user's shell. */
function inheritedEnv(): Record<string, string> {
  const keep = [
    'PATH',
    'HOME',
    'USER',
    'LOGNAME',
    'SHELL',
    'TERM',
    'LANG',
    'LC_ALL',
    'TMPDIR',
    'SystemRoot',
    'APPDATA',
    'NODE_OPTIONS',
  ];
  const out: Record<string, string> = {};
  for (const key of keep) {
    const value = process.env[key];
    // A value that starts with "()" is an exported shell function (as the SDK's own filter skips).
    if (value !== undefined && !value.startsWith('()')) out[key] = value;
  }
  return out;
}

async function connectWith(client: Client, transport: Transport, options: OpenLinkOptions): Promise<BackendCalls> {
  await client.connect(transport, { signal: options.signal });
  keepProgressBeforeResponse(transport);
  return new BackendCalls(transport);
}

/**
 * The SDK client runs a notification's handler a microtask after it arrives, but handles a response at once,
 * and drops the request's progress handler with it. A backend's last progress notification and its result
 * often arrive in one chunk: without this the last progress never reaches the client. Responses wait one
 * microtask, behind the notifications that came before them.
 */
function keepProgressBeforeResponse(transport: Transport): void {
  const deliver = transport.onmessage;
  if (!deliver) return;
  transport.onmessage = (message, extra) => {
    if ('id' in message && !('method' in message)) queueMicrotask(() => deliver(message, extra));
    else deliver(message, extra);
  };
}

interface Connected {
  client: Client;
  transport: Transport;
  kind: BackendLink['transport'];
  calls: BackendCalls;
}

async function connectOnce(config: BackendConfig, options: OpenLinkOptions): Promise<Connected> {
  const client = newClient(options);
  if (config.transport === 'stdio') {
    const transport = stdioTransport(config, options.logger);
    try {
      const calls = await connectWith(client, transport, options);
      return { client, transport, kind: 'stdio', calls };
    } catch (error) {
      // "Connection closed" says nothing: the exit status and stderr of the process say why.
      await client.close().catch(() => {});
      if (error instanceof BackendProcessError) throw error;
      throw transport.ended() ?? error;
    }
  }
  const url = new URL(config.url!);
  const requestInit = { headers: config.headers };
  const sse = () =>
    new SSEClientTransport(url, { requestInit, eventSourceInit: { fetch: withHeaders(config.headers) } });
  if (config.transport === 'sse') {
    const transport = sse();
    const calls = await connectWith(client, transport, options);
    return { client, transport, kind: 'sse', calls };
  }
  const transport = new StreamableHTTPClientTransport(url, {
    requestInit,
    fetch: cappedFetch(logOversized(options.logger)),
  });
  try {
    const calls = await connectWith(client, transport, options);
    return { client, transport, kind: 'streamable-http', calls };
  } catch (error) {
    if (config.transport !== 'auto') throw error;
    // Older servers speak only HTTP+SSE: try that before giving up.
    await client.close().catch(() => {});
    options.logger.debug('streamable HTTP failed, trying SSE', { error: String(error) });
    const fallbackClient = newClient(options);
    const fallback = sse();
    const calls = await connectWith(fallbackClient, fallback, options);
    return { client: fallbackClient, transport: fallback, kind: 'sse', calls };
  }
}

export async function openLink(config: BackendConfig, options: OpenLinkOptions): Promise<BackendLink> {
  let current = await connectOnce(config, options);
  let closing: Promise<void> | undefined;
  const watch = (c: Connected) => {
    c.client.onclose = () => {
      if (closing || current !== c) return;
      const ended = c.transport instanceof ChildStdioTransport ? c.transport.ended() : undefined;
      options.onLost(ended?.message ?? 'connection closed');
    };
  };
  watch(current);
  return {
    get client() {
      return current.client;
    },
    get transport() {
      return current.kind;
    },
    get capabilities() {
      return current.client.getServerCapabilities() ?? {};
    },
    get serverInfo() {
      return current.client.getServerVersion();
    },
    get pid() {
      return current.transport instanceof ChildStdioTransport ? current.transport.pid : null;
    },
    call(method, params, callOptions) {
      return current.calls.call(method, params, callOptions);
    },
    async reinitialize() {
      const stale = current;
      const next = await connectOnce(config, options);
      current = next;
      watch(next);
      await stale.client.close().catch(() => {});
    },
    close() {
      closing ??= current.client.close().catch(() => {});
      return closing;
    },
  };
}

function logOversized(logger: Logger) {
  return (line: OversizedLine) =>
    logger.warn(
      line.id === undefined
        ? `dropped a message of ${line.chars}+ bytes from the backend: over the limit of ${MAX_MESSAGE_CHARS}; it was no answer to a call, so no call failed`
        : `the answer to call ${line.id} was ${line.chars}+ bytes, over the limit of ${MAX_MESSAGE_CHARS}: that call failed, the connection stays up`,
    );
}

/** EventSource does not take headers itself; its fetch does. */
function withHeaders(headers: Record<string, string>): typeof fetch {
  return (input, init) =>
    fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...headers } });
}
