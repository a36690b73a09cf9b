import fc from 'fast-check';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { silentLogger } from '../../src/logging/logger';
import type { Router } from '../../src/router/router';
import { wireRouter } from '../../src/wiring';
import { createClientSession } from '../../src/server/client-session';
import { HttpFront } from '../../src/server/http-front';
import { flaky, loaded } from '../helpers/config';

/** Hostile JSON-RPC: wrong types, missing fields, odd methods and names, deep nesting, junk. */
const hostileMessage = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.json({ depthSize: 'medium' }),
  fc.record({
    jsonrpc: fc.oneof(fc.constant('2.0'), fc.string({ maxLength: 5 }), fc.integer()),
    id: fc.oneof(fc.integer(), fc.string({ maxLength: 10 }), fc.constant(null), fc.object()),
    method: fc.oneof(
      fc.constantFrom(
        'tools/call',
        'tools/list',
        'resources/read',
        'prompts/get',
        'initialize',
        'ping',
        'completion/complete',
      ),
      fc.string({ maxLength: 40 }),
    ),
    params: fc.oneof(
      fc.anything({ maxDepth: 3 }),
      fc.record({
        name: fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.constant('flaky__echo'),
          fc.constant('../../etc/passwd'),
          fc.integer(),
        ),
        arguments: fc.anything({ maxDepth: 3 }),
        uri: fc.oneof(fc.webUrl(), fc.string({ maxLength: 100 }), fc.constant('file:///../../etc/passwd')),
      }),
    ),
  }),
);

describe('fuzzing the HTTP front with malformed and hostile JSON-RPC', () => {
  const logger = silentLogger();
  let router: Router;
  let front: HttpFront;
  let url: string;
  let sessionId: string;
  let good: Client;

  beforeAll(async () => {
    router = wireRouter({ config: loaded([flaky('flaky')]), logger });
    router.start();
    await router.whenSettled();
    front = new HttpFront({
      host: '127.0.0.1',
      port: 0,
      logger,
      createSession: () => createClientSession({ router, logger, serverName: 'mcp-router', version: 't' }),
    });
    url = await front.listen();
    good = new Client({ name: 'good', version: '1' });
    const transport = new StreamableHTTPClientTransport(new URL(url));
    await good.connect(transport);
    sessionId = transport.sessionId!;
  });
  afterAll(async () => {
    await good.close();
    await front.close();
    await router.stop();
  });

  it('answers every message without a 5xx or a hang, and keeps serving the well-behaved client', async () => {
    await fc.assert(
      fc.asyncProperty(hostileMessage, fc.boolean(), async (message, inSession) => {
        const res = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            ...(inSession ? { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' } : {}),
          },
          body: typeof message === 'string' ? message : JSON.stringify(message),
          signal: AbortSignal.timeout(5000),
        });
        await res.text();
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: 1500, seed: 20261124 },
    );
    const still = await good.callTool({ name: 'flaky__echo', arguments: { text: 'still here' } });
    expect(JSON.stringify(still.content)).toContain('still here');
  }, 120_000);
});
