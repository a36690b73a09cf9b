/**
 * `--inspect[=PORT]`: the Stately inspector relay from @statelyai/inspect (its local inspector server and
 * WebSocket inspector), loaded only when asked for: the package is ESM-only and stays off every other path.
 * Every event and snapshot is sanitized: no header values, tokens or env values; tool arguments and results
 * only with --inspect-payloads.
 */
import type { InspectionEvent, Observer } from 'xstate';
import type { Logger } from '../logging/logger';
import { redact } from '../logging/redact';

const PAYLOAD_KEYS = new Set(['arguments', 'params', 'result', 'structuredContent', 'content']);

/** Removes what must not reach the inspector; pure, so it is tested without the package. */
export function sanitizeForInspector<T>(value: T, payloads: boolean): T {
  const clean = redact(value);
  if (payloads) return clean;
  return stripPayloads(clean, 0) as T;
}

function stripPayloads(value: unknown, depth: number): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => stripPayloads(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    out[k] = PAYLOAD_KEYS.has(k) ? '[payload hidden: --inspect-payloads]' : stripPayloads(v, depth + 1);
  return out;
}

export interface RunningInspector {
  inspect: Observer<InspectionEvent>;
  url: string;
  stop(): void;
}

// A real dynamic import() even in CommonJS output: TypeScript (module node16) keeps it as written.
const importEsm = (specifier: string) => import(specifier);

export async function startInspector(port: number, payloads: boolean, logger: Logger): Promise<RunningInspector> {
  const { createInspectorServer } = (await importEsm('@statelyai/inspect/server')) as typeof import(
    '@statelyai/inspect/server',
    { with: { 'resolution-mode': 'import' } }
  );
  const { createWebSocketInspector } = (await importEsm('@statelyai/inspect')) as typeof import('@statelyai/inspect', {
    with: { 'resolution-mode': 'import' },
  });
  const server = createInspectorServer({ port, autoOpen: false });
  const inspector = createWebSocketInspector({
    url: `ws://127.0.0.1:${port}`,
    sanitizeContext: (context) => sanitizeForInspector(context, payloads),
    sanitizeEvent: (event) => sanitizeForInspector(event, payloads),
  });
  const url = `http://localhost:${port}`;
  logger.info(`Stately inspector: open ${url} to watch the supervisor and every backend actor live`);
  return {
    inspect: inspector.inspect,
    url,
    stop() {
      inspector.stop();
      server.stop();
    },
  };
}
