/**
 * The 2026-07-28 front on the wire, in raw HTTP, so that each rule of the revision is seen as a client sees it:
 * the envelope and headers checked, removed methods 404, results marked, per-request logs on the call's own
 * stream, cancellation by closing the stream, input_required round trips with a signed state, listen streams,
 * and what `session: per-client` backends mean for a client without a session.
 */
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { startHttpCli, tempFile } from '../helpers/cli';
import { ROOT } from '../helpers/config';
import { last, modernRequest, openListen, post, send, VERSION, type Fields } from '../helpers/modern-wire';

const FLAKY = join(ROOT, 'dist', 'tests', 'fixtures', 'flaky-server.js');
const CONFORMANCE = join(ROOT, 'dist', 'tests', 'fixtures', 'conformance-server-2026.js');
const ASKS = join(ROOT, 'dist', 'tests', 'fixtures', 'client-asks-server.js');

function backendsYaml(entries: Array<{ name: string; script: string; extra?: string }>): string {
  return [
    'routing:',
    '  enable_namespace_prefixing: false',
    'backends:',
    ...entries.flatMap(({ name, script, extra }) => [
      `  - name: ${name}`,
      `    command: ${JSON.stringify(process.execPath)}`,
      `    args: [${JSON.stringify(script)}]`,
      ...(extra ? [extra] : []),
    ]),
    '',
  ].join('\n');
}

describe('the 2026-07-28 front on the wire', () => {
  let router: Awaited<ReturnType<typeof startHttpCli>>;

  beforeAll(async () => {
    const config = tempFile(
      'backends.yaml',
      backendsYaml([
        { name: 'flaky', script: FLAKY },
        { name: 'conformance', script: CONFORMANCE },
        { name: 'asks', script: ASKS },
      ]),
    );
    router = await startHttpCli(['--config', config]);
  });

  afterAll(async () => {
    router.child.kill('SIGTERM');
    await router.exit;
  });

  it('server/discover answers from the aggregate, with 2026 in supportedVersions and the marks of a result', async () => {
    const reply = await send(router.url, 'server/discover');
    expect(reply.status).toBe(200);
    const result = last(reply).result!;
    expect(result.supportedVersions).toEqual([VERSION]);
    expect(result.capabilities).toMatchObject({ tools: { listChanged: true } });
    expect(result).toMatchObject({ resultType: 'complete', cacheScope: 'public' });
    expect(typeof result.ttlMs).toBe('number');
    expect((result._meta as Fields)['io.modelcontextprotocol/serverInfo']).toMatchObject({ name: 'mcp-router' });
  });

  it('lists carry ttlMs and cacheScope; calls carry resultType', async () => {
    const list = last(await send(router.url, 'tools/list')).result!;
    expect(list).toMatchObject({ resultType: 'complete', cacheScope: 'public' });
    expect((list.tools as Fields[]).map((t) => t.name)).toEqual(expect.arrayContaining(['echo', 'list_backends']));
    const call = last(await send(router.url, 'tools/call', { name: 'echo', arguments: { text: 'hi' } })).result!;
    expect(call).toMatchObject({ resultType: 'complete', content: [{ type: 'text', text: 'hi' }] });
  });

  it('a JSON answer says its length (not chunked), as the 2025 answers do', async () => {
    const reply = await send(router.url, 'tools/call', { name: 'echo', arguments: { text: 'héllo' } });
    expect(reply.contentType).toContain('application/json');
    expect(reply.contentLength).toBe(reply.bytes);
    const refused = await send(
      router.url,
      'tools/list',
      {},
      { 'io.modelcontextprotocol/protocolVersion': '2099-01-01' },
    );
    expect(refused.status).toBe(400);
    expect(refused.contentLength).toBe(refused.bytes);
  });

  it('tools/list is the same list for every request, written as JSON.stringify writes it, and follows a change', async () => {
    const [a, b] = await Promise.all([send(router.url, 'tools/list'), send(router.url, 'tools/list')]);
    for (const reply of [a, b]) {
      const message = last(reply);
      expect(reply.text).toBe(JSON.stringify(message));
      expect(reply.contentLength).toBe(reply.bytes);
      expect(message.result).toMatchObject({ resultType: 'complete', cacheScope: 'public' });
    }
    expect(last(a).result).toEqual(last(b).result);

    const added = await send(router.url, 'tools/call', { name: 'add_tool', arguments: { name: 'fresh_2026' } });
    expect(last(added).result).toMatchObject({ resultType: 'complete' });
    const listed = async () =>
      (last(await send(router.url, 'tools/list')).result!.tools as Fields[]).map((t) => t.name);
    while (!(await listed()).includes('fresh_2026')) await new Promise((r) => setImmediate(r));
  });

  it('an unsupported version is -32022 with the supported ones; a header that disagrees with the body is -32020', async () => {
    const future = modernRequest('tools/list', {}, { 'io.modelcontextprotocol/protocolVersion': '2099-01-01' });
    const bad = await post(router.url, future.body, { ...future.headers, 'mcp-protocol-version': '2099-01-01' });
    expect(bad.status).toBe(400);
    expect(last(bad).error).toMatchObject({ code: -32022, data: { supported: [VERSION], requested: '2099-01-01' } });

    const { body, headers } = modernRequest('tools/call', { name: 'echo', arguments: { text: 'x' } });
    const wrongName = await post(router.url, body, { ...headers, 'mcp-name': 'another_tool' });
    expect(wrongName.status).toBe(400);
    expect(last(wrongName).error).toMatchObject({ code: -32020 });
    const { 'mcp-method': _m, ...noMethod } = headers;
    const missing = await post(router.url, body, noMethod);
    expect(missing.status).toBe(400);
    expect(last(missing).error).toMatchObject({ code: -32020 });
  });

  it('methods 2026 removed (initialize, ping, logging/setLevel, resources/subscribe) are HTTP 404 with -32601', async () => {
    for (const method of ['initialize', 'ping', 'logging/setLevel', 'resources/subscribe']) {
      const reply = await send(router.url, method, method === 'logging/setLevel' ? { level: 'debug' } : {});
      expect({ method, status: reply.status }).toEqual({ method, status: 404 });
      expect(last(reply).error).toMatchObject({ code: -32601 });
    }
  });

  it('a batch holding a 2026 request is refused', async () => {
    const { body, headers } = modernRequest('tools/list');
    const reply = await post(router.url, [body], headers);
    expect(reply.status).toBe(400);
  });

  it("a call's log messages go on its own stream, only when it asked for a level", async () => {
    const quiet = await send(router.url, 'tools/call', { name: 'test_tool_with_logging', arguments: {} });
    expect(quiet.messages.filter((m) => m.method === 'notifications/message')).toEqual([]);
    expect(last(quiet).result).toMatchObject({ resultType: 'complete' });

    const verbose = await send(
      router.url,
      'tools/call',
      { name: 'test_tool_with_logging', arguments: {} },
      { 'io.modelcontextprotocol/logLevel': 'debug' },
    );
    expect(verbose.contentType).toContain('text/event-stream');
    expect(verbose.messages.filter((m) => m.method === 'notifications/message').length).toBeGreaterThan(0);
    expect(last(verbose).result).toMatchObject({ resultType: 'complete' });
  });

  it('a call asks the backend for progress only when the client sent a progress token', async () => {
    const tool = { name: 'test_tool_with_progress', arguments: {} };
    // The fixture answers with the token it was given: none, unless the client asked.
    const unasked = await send(router.url, 'tools/call', tool);
    expect(unasked.messages.filter((m) => m.method === 'notifications/progress')).toEqual([]);
    expect(last(unasked).result).toMatchObject({ content: [{ type: 'text', text: 'no progress token' }] });

    const asked = await send(router.url, 'tools/call', tool, { progressToken: 'p-7' });
    const progress = asked.messages.filter((m) => m.method === 'notifications/progress');
    expect(progress.map((m) => (m.params as Fields).progress)).toEqual([0, 50, 100]);
    expect(progress.every((m) => (m.params as Fields).progressToken === 'p-7')).toBe(true);
    expect(last(asked).result).toMatchObject({ resultType: 'complete' });
  });

  /** What the flaky backend counted: its hanging calls, and how many of them were cancelled. */
  const served = async () =>
    last(await send(router.url, 'tools/call', { name: 'served', arguments: {} })).result!.structuredContent as {
      hang: number;
      cancelled: number;
    };

  it('closing the stream of a call cancels it: the backend hears notifications/cancelled', async () => {
    const { body, headers } = modernRequest('tools/call', { name: 'hang', arguments: {} });
    await new Promise<void>((resolve) => {
      const req = httpRequest(router.url, { method: 'POST', headers });
      req.on('error', () => resolve());
      req.end(JSON.stringify(body));
      // The backend counts the hang as soon as it runs; then the client gives up on it.
      const poll = async () => {
        if ((await served()).hang === 1) req.destroy();
        else setImmediate(() => void poll());
      };
      void poll();
      req.on('close', () => resolve());
    });
    while ((await served()).cancelled !== 1) await new Promise((r) => setImmediate(r));
  });

  it('a backend asking for input becomes input_required; the re-sent request with the answers completes it', async () => {
    const params = { name: 'ask', arguments: { method: 'elicitation/create' } };
    const caps = { 'io.modelcontextprotocol/clientCapabilities': { elicitation: {} } };
    const first = last(await send(router.url, 'tools/call', params, caps)).result!;
    expect(first.resultType).toBe('input_required');
    const inputRequests = first.inputRequests as Record<string, { method: string }>;
    const [key] = Object.keys(inputRequests);
    expect(inputRequests[key!]!.method).toBe('elicitation/create');
    expect(typeof first.requestState).toBe('string');

    // A tampered state is refused with an error, and names no call.
    const tampered = last(
      await send(
        router.url,
        'tools/call',
        { ...params, inputResponses: { [key!]: { action: 'decline' } }, requestState: `${first.requestState}x` },
        caps,
      ),
    );
    expect(tampered.error).toMatchObject({ code: -32602 });
    expect(String(tampered.error!.message)).toMatch(/requestState/);

    const done = last(
      await send(
        router.url,
        'tools/call',
        {
          ...params,
          inputResponses: { [key!]: { action: 'accept', content: { name: 'Ada' } } },
          requestState: first.requestState,
        },
        caps,
      ),
    ).result!;
    expect(done.resultType).toBe('complete');
    expect(JSON.stringify(done.content)).toContain('Ada');

    // The state is spent: sending it again finds no held call.
    const again = last(
      await send(router.url, 'tools/call', { ...params, inputResponses: {}, requestState: first.requestState }, caps),
    );
    expect(again.error).toMatchObject({ code: -32602 });
  });

  it('a backend asking roots of a client without roots hears "not supported", and the call completes', async () => {
    const reply = last(await send(router.url, 'tools/call', { name: 'ask', arguments: { method: 'roots/list' } }));
    expect(reply.result).toMatchObject({ resultType: 'complete' });
    expect(JSON.stringify(reply.result!.content)).toMatch(/error -32601: .*roots/);
  });

  it('a client that did not declare the capability a backend needs gets -32021 naming it', async () => {
    const reply = await send(router.url, 'tools/call', {
      name: 'ask',
      arguments: { method: 'sampling/createMessage' },
    });
    expect(last(reply).error).toMatchObject({ code: -32021, data: { requiredCapabilities: { sampling: {} } } });
  });

  it('subscriptions/listen is acknowledged first, then carries the list changes it asked for, tagged', async () => {
    const listen = await openListen(router.url, { toolsListChanged: true });
    const { events } = listen;
    const tag = { 'io.modelcontextprotocol/subscriptionId': listen.id };
    expect(events[0]).toMatchObject({
      method: 'notifications/subscriptions/acknowledged',
      params: { notifications: { toolsListChanged: true }, _meta: tag },
    });

    await send(router.url, 'tools/call', { name: 'add_tool', arguments: { name: 'added_later' } });
    while (!events.some((e) => e.method === 'notifications/tools/list_changed'))
      await new Promise((r) => setImmediate(r));
    expect(events.find((e) => e.method === 'notifications/tools/list_changed')).toMatchObject({
      params: { _meta: tag },
    });
    listen.close();
    const list = last(await send(router.url, 'tools/list')).result!;
    expect((list.tools as Fields[]).map((t) => t.name)).toContain('added_later');
  });
});

describe('session: per-client backends and 2026 clients', () => {
  it('are not listed to a client without a session, and a call by name says why', async () => {
    const config = tempFile(
      'backends.yaml',
      backendsYaml([
        { name: 'shared', script: ASKS },
        { name: 'own', script: FLAKY, extra: '    session: per-client' },
      ]),
    );
    const router = await startHttpCli(['--config', config]);
    try {
      const list = last(await send(router.url, 'tools/list')).result!;
      const names = (list.tools as Fields[]).map((t) => t.name);
      expect(names).toContain('ask');
      expect(names).not.toContain('whoami');
      expect(list.cacheScope).toBe('private');
      const call = last(await send(router.url, 'tools/call', { name: 'whoami', arguments: {} }));
      expect(call.error).toMatchObject({ code: -32602 });
      expect(String(call.error!.message)).toMatch(/per-client.*own.*2025-11-25/);
    } finally {
      router.child.kill('SIGTERM');
      await router.exit;
    }
  });
});
