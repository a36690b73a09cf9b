/**
 * Opens a session on any endpoint, in the endpoint's era (2025: initialized; 2026: stateless, after one
 * server/discover), and finds the echo tool behind it.
 */
import { findEchoTool } from './jsonrpc';
import { LegacySseSession } from './sse-client';
import { StreamableHttpSession } from './http-client';
import { StatelessHttpSession } from './http-2026-client';
import { StdioSession } from './stdio-client';
import { RefusedError, TransportError, type Endpoint, type McpSession } from './session';

export async function openSession(endpoint: Endpoint, timeoutMs = 30_000): Promise<McpSession> {
  switch (endpoint.kind) {
    case 'stdio': {
      const session = new StdioSession(endpoint.command, endpoint.args, {
        env: endpoint.env,
        cwd: endpoint.cwd,
        era: endpoint.era,
      });
      try {
        await session.open(timeoutMs);
      } catch (error) {
        await session.close(500).catch(() => {});
        throw error;
      }
      return session;
    }
    case 'http': {
      if (endpoint.era === '2026') {
        const stateless = new StatelessHttpSession(endpoint.url);
        try {
          await stateless.open(timeoutMs);
        } catch (error) {
          await stateless.close().catch(() => {});
          throw error;
        }
        return stateless;
      }
      const session = new StreamableHttpSession(endpoint.url);
      try {
        await session.initialize(timeoutMs);
      } catch (error) {
        await session.close().catch(() => {});
        throw error;
      }
      return session;
    }
    case 'sse': {
      const session = new LegacySseSession(endpoint.url);
      try {
        await session.initialize(timeoutMs);
      } catch (error) {
        await session.close().catch(() => {});
        throw error;
      }
      return session;
    }
  }
}

/**
 * Asks tools/list until the echo tool shows up (a router or hub may answer before its backend is connected),
 * and answers its exposed name.
 */
export async function waitForEchoTool(session: McpSession, timeoutMs = 30_000, everyMs = 100): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last: string;
  for (;;) {
    const response = await session.request('tools/list', {}, Math.max(1000, deadline - Date.now()));
    if (response.error) last = `tools/list error: ${response.error.message}`;
    else {
      const name = findEchoTool(response.result);
      if (name) return name;
      last = `tools/list without an echo tool: ${JSON.stringify(response.result).slice(0, 300)}`;
    }
    if (Date.now() > deadline) throw new TransportError(`the echo tool never appeared (${last})`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Retries opening a session until the server accepts connections (it may still be starting). A server that
 * answers and refuses (a 2025-only server asked for 2026-07-28, say) is not retried: it will say no again.
 */
export async function openWhenReady(endpoint: Endpoint, timeoutMs = 30_000): Promise<McpSession> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await openSession(endpoint, Math.max(1000, deadline - Date.now()));
    } catch (error) {
      if (error instanceof RefusedError || Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
