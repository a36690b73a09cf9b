/**
 * tools/list answers every 2025 session from one result per catalog change, its JSON written once
 * (written-once.ts): what each client receives is what it received before, byte for byte, and a change of
 * the catalog is seen at the next tools/list.
 */
import { PassThrough } from 'node:stream';
import { silentLogger } from '../../src/logging/logger';
import type { Router } from '../../src/router/router';
import { wireRouter } from '../../src/wiring';
import { createClientSession } from '../../src/server/client-session';
import { ClientOperations } from '../../src/server/client-operations';
import { HttpFront } from '../../src/server/http-front';
import { ModernFront } from '../../src/server/modern-front';
import { realClock } from '../../src/clock';
import { LineTransport } from '../../src/server/stdio-transport';
import { flaky, loaded } from '../helpers/config';
import { INITIALIZE_REQUEST, MCP_POST_HEADERS } from '../helpers/raw-mcp';

type Message = { id?: unknown; result?: { tools?: { name: string }[] }; error?: unknown };

const EXTRA_TOOLS = {
  tools: [{ name: 'late', description: 'added by the test', inputSchema: { type: 'object' as const } }],
  resources: [],
  resourceTemplates: [],
  prompts: [],
};

describe('tools/list from one result per catalog change', () => {
  const logger = silentLogger();
  let router: Router;
  let front: HttpFront;
  let url: string;

  beforeAll(async () => {
    router = wireRouter({ config: loaded([flaky('alpha'), flaky('pc', { session: 'per-client' })]), logger });
    router.start();
    await router.whenSettled();
    front = new HttpFront({
      host: '127.0.0.1',
      port: 0,
      logger,
      createSession: () => createClientSession({ router, logger, serverName: 'r', version: 't' }),
    });
    url = await front.listen();
  });
  afterAll(async () => {
    await front.close();
    await router.stop();
  });

  /** A raw HTTP session: POSTs return the answer's text as received. */
  async function session(protocolVersion = '2025-06-18') {
    const init = { ...INITIALIZE_REQUEST, params: { ...INITIALIZE_REQUEST.params, protocolVersion } };
    const opened = await fetch(url, { method: 'POST', headers: MCP_POST_HEADERS, body: JSON.stringify(init) });
    await opened.text();
    const headers = {
      ...MCP_POST_HEADERS,
      'mcp-session-id': opened.headers.get('mcp-session-id')!,
      'mcp-protocol-version': protocolVersion,
    };
    const post = async (body: unknown) => {
      const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
      return { type: res.headers.get('content-type'), text: await res.text() };
    };
    await post({ jsonrpc: '2.0', method: 'notifications/initialized' });
    return post;
  }

  const names = (message: Message) => (message.result?.tools ?? []).map((t) => t.name);

  it('every session gets the whole list, written as JSON.stringify writes it', async () => {
    const [a, b] = await Promise.all([session(), session()]);
    const answers = await Promise.all([
      a({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      b({ jsonrpc: '2.0', id: 'second "one"', method: 'tools/list', params: {} }),
    ]);
    for (const [i, answer] of answers.entries()) {
      expect(answer.type).toBe('application/json');
      const message = JSON.parse(answer.text) as Message;
      expect(message.id).toBe([1, 'second "one"'][i]);
      expect(answer.text).toBe(JSON.stringify({ result: message.result, jsonrpc: '2.0', id: message.id }));
      expect(names(message)).toEqual(expect.arrayContaining(['list_backends', 'alpha__echo', 'pc__echo']));
    }
    expect(answers[0]!.text.replace('"id":1}', '')).toBe(answers[1]!.text.replace('"id":"second \\"one\\""}', ''));
  });

  it('invalid params are refused as before (-32602), the list is not sent', async () => {
    const post = await session();
    const message = JSON.parse(
      (await post({ jsonrpc: '2.0', id: 3, method: 'tools/list', params: { cursor: 5 } })).text,
    );
    expect(message).toMatchObject({ id: 3, error: { code: -32602 } });
  });

  it('a batch (2025-03-26) holding tools/list: one JSON array with every answer, of the length it says', async () => {
    const post = await session('2025-03-26');
    const answer = await post([
      { jsonrpc: '2.0', id: 'l', method: 'tools/list' },
      { jsonrpc: '2.0', id: 'p', method: 'ping' },
    ]);
    expect(answer.type).toBe('application/json');
    const messages = JSON.parse(answer.text) as Message[];
    expect(messages.map((m) => m.id).sort()).toEqual(['l', 'p']);
    const listed = messages.find((m) => m.id === 'l')!;
    expect(names(listed)).toContain('alpha__echo');
    expect(answer.text).toBe(JSON.stringify(messages));
  });

  it('the result is made once per catalog change, and a change is in the next answer', async () => {
    const operations = new ClientOperations(router);
    const before = await operations.listToolsResult();
    expect(await new ClientOperations(router).listToolsResult()).toBe(before);
    expect(Object.isFrozen(before) && Object.isFrozen(before.tools)).toBe(true);

    const post = await session();
    router.catalog.setBackend({ name: 'extra', namespace: 'extra', priority: 0 }, EXTRA_TOOLS);
    try {
      const changed = await operations.listToolsResult();
      expect(changed).not.toBe(before);
      expect(changed.tools.map((t) => t.name).sort()).toEqual(
        [...before.tools.map((t) => t.name), 'extra__late'].sort(),
      );
      expect(names(JSON.parse((await post({ jsonrpc: '2.0', id: 4, method: 'tools/list' })).text))).toContain(
        'extra__late',
      );
    } finally {
      router.catalog.removeBackend('extra');
    }
    expect(names(JSON.parse((await post({ jsonrpc: '2.0', id: 5, method: 'tools/list' })).text))).toEqual(
      before.tools.map((t) => t.name),
    );
  });

  it("a backend's list_changed: once the router has re-read its list, tools/list has the new tool", async () => {
    const post = await session();
    const refreshed = new Promise<void>((resolve) => {
      const stop = router.onListChanged((change) => {
        if (!change.tools) return;
        stop();
        resolve();
      });
    });
    const added = JSON.parse(
      (
        await post({
          jsonrpc: '2.0',
          id: 6,
          method: 'tools/call',
          params: { name: 'alpha__add_tool', arguments: { name: 'fresh' } },
        })
      ).text,
    );
    expect(added.error).toBeUndefined();
    await refreshed;
    expect(names(JSON.parse((await post({ jsonrpc: '2.0', id: 7, method: 'tools/list' })).text))).toContain(
      'alpha__fresh',
    );
  });

  it('sessionless (2026) requests keep their own list, without what only per-client backends serve', async () => {
    const sessionless = new ClientOperations(router, true);
    const sessions = new ClientOperations(router);
    const modern = await sessionless.listToolsResult();
    const classic = await sessions.listToolsResult();
    expect(modern.tools.map((t) => t.name)).not.toContain('pc__echo');
    expect(modern.tools.map((t) => t.name)).toContain('alpha__echo');
    expect(classic.tools.map((t) => t.name)).toContain('pc__echo');
    // Asked in turn, each kind keeps its own.
    expect(await sessionless.listToolsResult()).toBe(modern);
    expect(await sessions.listToolsResult()).toBe(classic);
    expect(await sessionless.listTools()).toBe(modern.tools);
  });

  it('2026 requests get one frozen result with the cache fields, made again when the list changes', async () => {
    const front = new ModernFront({ router, serverName: 'r', version: 't', clock: realClock });
    const exchange = { clientKey: 'test', notify: () => {}, onClientGone: () => () => {} };
    const envelope = {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientCapabilities': {},
    };
    const list = async () => {
      const answer = await front.handle({ id: 1, method: 'tools/list', params: { _meta: envelope } }, exchange);
      return (answer as { result: { tools: { name: string }[] } }).result;
    };
    try {
      const first = await list();
      expect(await list()).toBe(first);
      expect(Object.isFrozen(first)).toBe(true);
      expect(first).toMatchObject({ resultType: 'complete', cacheScope: 'private' });
      router.catalog.setBackend({ name: 'extra', namespace: 'extra', priority: 0 }, EXTRA_TOOLS);
      try {
        const changed = await list();
        expect(changed).not.toBe(first);
        expect(changed.tools.map((t) => t.name)).toContain('extra__late');
      } finally {
        router.catalog.removeBackend('extra');
      }
    } finally {
      front.close();
    }
  });

  it('over stdio: the same bytes, one line per answer', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const server = createClientSession({ router, logger, serverName: 'r', version: 't' });
    await server.connect(new LineTransport(input, output));
    let text = '';
    output.setEncoding('utf8');
    const lines: string[] = [];
    const waiters: (() => void)[] = [];
    output.on('data', (chunk: string) => {
      text += chunk;
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n')) {
        lines.push(text.slice(0, i));
        text = text.slice(i + 1);
        waiters.shift()?.();
      }
    });
    const next = () =>
      lines.length > 0
        ? Promise.resolve(lines.shift()!)
        : new Promise<string>((resolve) => waiters.push(() => resolve(lines.shift()!)));
    try {
      input.write(`${JSON.stringify(INITIALIZE_REQUEST)}\n`);
      await next();
      input.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
      input.write(`${JSON.stringify({ jsonrpc: '2.0', id: 'list', method: 'tools/list' })}\n`);
      const line = await next();
      const message = JSON.parse(line) as Message;
      expect(message.id).toBe('list');
      expect(line).toBe(JSON.stringify({ result: message.result, jsonrpc: '2.0', id: 'list' }));
      expect(names(message)).toContain('alpha__echo');
      // A call waits for the session's per-client instance: once answered, the session closes with nothing starting.
      const call = { name: 'alpha__echo', arguments: { text: 'done' } };
      input.write(`${JSON.stringify({ jsonrpc: '2.0', id: 'call', method: 'tools/call', params: call })}\n`);
      expect(JSON.parse(await next())).toMatchObject({ id: 'call', result: { content: [{ text: 'done' }] } });
    } finally {
      await server.close();
    }
  });
});
