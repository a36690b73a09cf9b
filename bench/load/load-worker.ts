/**
 * The load generator's own process (forked by run-load.ts, one per measurement, so that one run's garbage and
 * JIT state never leak into the next). It connects C clients to the endpoint, finds the echo tool, runs the
 * closed loop and reports over IPC:
 *   ← { type: 'run', spec }
 *   → { type: 'pid', pid }        the process it spawned (stdio endpoints), whose memory the parent samples
 *   → { type: 'ready', tool }     → { type: 'measuring' }     → { type: 'result', result } | { type: 'error', message }
 */
import { closedLoop, type Call } from './closed-loop';
import { isEchoOf, type JsonRpcMessage } from './jsonrpc';
import { openSession, waitForEchoTool } from './connect';
import { StdioSession } from './stdio-client';
import { eraOf, type Endpoint, type McpSession } from './session';

export interface LoadSpec {
  endpoint: Endpoint;
  concurrency: number;
  warmupMs: number;
  measureMs: number;
  /** How long the target may take to list the echo tool. */
  readyTimeoutMs?: number;
}

export type WorkerMessage =
  | { type: 'pid'; pid: number }
  | { type: 'ready'; tool: string }
  | { type: 'measuring' }
  | { type: 'result'; result: import('./closed-loop').LoadResult }
  | { type: 'error'; message: string };

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => process.send!(message, undefined, {}, () => resolve()));
}

function describe(message: JsonRpcMessage): string {
  if (message.error) return `JSON-RPC error ${message.error.code}: ${message.error.message}`;
  return `unexpected answer: ${JSON.stringify(message.result).slice(0, 200)}`;
}

async function run(spec: LoadSpec): Promise<void> {
  const sessions: McpSession[] = [];
  try {
    const readyTimeout = spec.readyTimeoutMs ?? 30_000;
    // stdio: one process, one session, C clients multiplexed on the pipe by id. HTTP/SSE: C sessions (2025) or
    // C stateless clients on a connection each (2026).
    const count = spec.endpoint.kind === 'stdio' ? 1 : spec.concurrency;
    const opened = await Promise.all(Array.from({ length: count }, () => openSession(spec.endpoint, readyTimeout)));
    sessions.push(...opened);
    if (sessions[0] instanceof StdioSession && sessions[0].pid) await send({ type: 'pid', pid: sessions[0].pid });
    const tools = await Promise.all(sessions.map((s) => waitForEchoTool(s, readyTimeout)));
    const tool = tools[0]!;
    await send({ type: 'ready', tool });

    const era = eraOf(spec.endpoint);
    const clients: Call[] = Array.from({ length: spec.concurrency }, (_, i) => {
      const session = sessions[i % sessions.length]!;
      const name = tools[i % tools.length];
      return async (text: string) => {
        const answer = await session.request('tools/call', { name, arguments: { text } });
        return isEchoOf(answer, text, era) ? true : describe(answer);
      };
    });
    const result = await closedLoop(clients, spec.warmupMs, spec.measureMs, () => void send({ type: 'measuring' }));
    await send({ type: 'result', result });
  } catch (error) {
    await send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  } finally {
    await Promise.all(sessions.map((s) => s.close().catch(() => {})));
  }
}

if (require.main === module) {
  process.on('message', (message: { type: string; spec: LoadSpec }) => {
    if (message.type !== 'run') return;
    run(message.spec).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
