/**
 * Nothing a config supplies as a secret reaches a client, a page or a log: stdio args (`--api-key ${KEY}`,
 * any `${VAR}` value), URL query values and credentials, header and env values, wherever they are written.
 */
import { Writable } from 'node:stream';
import winston from 'winston';
import type { BackendSnapshot } from '../../machines/backend.machine';
import { loadConfig } from '../../src/config';
import { logFormat } from '../../src/logging/logger';
import { redactUrls } from '../../src/config/secrets';
import { backendStatus } from '../../src/management/backend-status';
import { statusDocument } from '../../src/server/http-routes';
import { FLAKY } from '../helpers/config';
import { startRouterWithClient } from '../helpers/router-client';
import { refuse, writeConfig } from '../config/config-files';

const KEY = 'sk-live-0123456789abcdef';
const QUERY = 'q-secret-9876543210';
const HEADER = 'hdr-secret-555444333';
const ENV_VALUE = 'env-secret-111222333';

function config() {
  const file = writeConfig(
    'secrets.yaml',
    `backends:
  - name: tool
    command: ${JSON.stringify(process.execPath)}
    args: [${JSON.stringify(FLAKY)}, --api-key, "\${KEY}", "--token=literal-token-value", "--db=\${KEY}/x"]
    env: { FIXTURE_NAME: tool, OTHER: ${ENV_VALUE} }
  - name: web
    url: "http://127.0.0.1:9/mcp?apikey=\${QUERY}&plain=1"
    headers: { X-Api-Key: ${HEADER} }
`,
  );
  return loadConfig(file, { env: { KEY, QUERY } });
}

/** A snapshot as the backend machine keeps it, with an error text that quotes every secret. */
function failing(text: string): BackendSnapshot {
  return {
    value: { connection: 'reconnecting', health: { status: 'unknown' }, circuit: 'closed' },
    context: {
      failures: 1,
      lastError: { message: text, at: 0 },
      circuit: { consecutiveFailures: 1, openedAt: null, nextAttemptAt: null },
      probe: { last: { at: 0, ok: false, error: text } },
      link: { connectAttempts: 1, capabilities: null, serverInfo: null },
    },
  } as unknown as BackendSnapshot;
}

const ALL = [KEY, QUERY, HEADER, ENV_VALUE, 'literal-token-value'];
const leaks = (text: string) => ALL.filter((s) => text.includes(s));

describe('secrets from the config', () => {
  it('are kept out of the command line list_backends, get_backend_health and /status.json show', async () => {
    const loaded = config();
    // The stdio one only: the router need not wait for a URL that answers nothing.
    const r = await startRouterWithClient({ ...loaded, backends: [loaded.backends[0]!] });
    try {
      const listed = JSON.stringify(await r.client.callTool({ name: 'list_backends', arguments: {} }));
      const health = JSON.stringify(
        await r.client.callTool({ name: 'get_backend_health', arguments: { backend_name: 'tool' } }),
      );
      const page = JSON.stringify(statusDocument(r.router));
      for (const shown of [listed, health, page]) {
        expect(leaks(shown)).toEqual([]);
        expect(shown).toContain('--api-key [redacted]');
        expect(shown).toContain('--token=[redacted]');
      }
    } finally {
      await r.close();
    }
  });

  it('are cleaned out of last_error and the last probe error, with URL credentials and queries', () => {
    const [tool, web] = config().backends;
    const text = `fetch failed for http://user:pw@127.0.0.1:9/mcp?apikey=${QUERY}: ${KEY} ${HEADER} ${ENV_VALUE}`;
    for (const b of [tool!, web!]) {
      const status = backendStatus(b, failing(text));
      expect(leaks(JSON.stringify(status))).toEqual([]);
      expect(status.last_error).toContain('http://[redacted]@127.0.0.1:9/mcp?[redacted]');
      expect(status.last_probe?.error).toBe(status.last_error);
    }
  });

  it('never reach a log line, in text or JSON', () => {
    config();
    for (const format of ['text', 'json'] as const) {
      let out = '';
      const stream = new Writable({ write: (chunk, _enc, done) => ((out += String(chunk)), done()) });
      const logger = winston.createLogger({
        format: logFormat(format),
        transports: [new winston.transports.Stream({ stream })],
      });
      logger.warn(`web: connection lost: GET http://127.0.0.1:9/mcp?apikey=${QUERY} failed; reconnecting`, {
        error: `spawn ${KEY} ENOENT`,
        detail: { nested: [HEADER, ENV_VALUE] },
      });
      expect(out).toContain('reconnecting');
      expect(leaks(out)).toEqual([]);
    }
  });

  it('a URL with user:password is refused at load, saying to use headers', () => {
    const refusal = refuse('backends:\n  - name: web\n    url: "https://user:pw@x.example/mcp"\n');
    expect(refusal.issues).toEqual([{ path: 'backends[0].url', problem: expect.stringMatching(/headers/) }]);
    expect(refusal.message).not.toContain('pw@');
  });

  it('redactUrls leaves URLs without credentials or query alone', () => {
    expect(redactUrls('see http://127.0.0.1:8000/status')).toBe('see http://127.0.0.1:8000/status');
  });
});
