import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { flaky, loaded } from '../helpers/config';
import { startRouterWithClient } from '../helpers/router-client';

type Env = Awaited<ReturnType<typeof startRouterWithClient>>;
const textOf = (r: unknown) => ((r as CallToolResult).content[0] as { text: string }).text;

describe('routing with namespaces off and backends sharing names', () => {
  let env: Env | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });
  const whoami = async () => textOf(await env!.client.callTool({ name: 'whoami', arguments: {} }));

  it('capability: a shared name goes to the lowest priority number', async () => {
    env = await startRouterWithClient(
      loaded([flaky('b', { priority: 20 }), flaky('a', { priority: 10 })], { enableNamespaces: false }),
    );
    expect(await whoami()).toBe('a');
  });

  it('equal priorities share calls about evenly', async () => {
    env = await startRouterWithClient(
      loaded([flaky('a', { priority: 5 }), flaky('b', { priority: 5 }), flaky('c', { priority: 5 })], {
        enableNamespaces: false,
      }),
    );
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 60; i++) counts[await whoami()]!++;
    for (const n of Object.values(counts)) expect(n).toBe(20);
  });

  it("path: a route's glob claims its names for its backend", async () => {
    env = await startRouterWithClient(
      loaded(
        [
          flaky('a', { priority: 1 }),
          flaky('b', { priority: 50, routes: [{ pattern: '{who,what}*', strategy: 'path', fallbackTo: [] }] }),
        ],
        { enableNamespaces: false },
      ),
    );
    expect(await whoami()).toBe('b');
    const explained = (await env.client.callTool({ name: 'explain_route', arguments: { name: 'whoami' } }))
      .structuredContent as Record<string, unknown>;
    expect(explained).toMatchObject({
      strategy: 'path',
      order: ['b'],
      would_choose: 'b',
      skipped: [{ backend: 'a', reason: 'no route match' }],
    });
  });

  it('fallback: a fallback_to chain is followed when the first links fail', async () => {
    env = await startRouterWithClient(
      loaded(
        [
          flaky(
            'first',
            { priority: 1, routes: [{ pattern: 'who*', strategy: 'fallback', fallbackTo: ['second', 'third'] }] },
            { FIXTURE_FAIL_ALL: '1' },
          ),
          flaky('second', { priority: 2 }, { FIXTURE_FAIL_ALL: '1' }),
          flaky('third', { priority: 3 }),
        ],
        { enableNamespaces: false },
      ),
    );
    expect(await whoami()).toBe('third');
  });

  it('MCP_DEFAULT_STRATEGY path (no route matches): served by capability; fallback: strict priority chain', async () => {
    env = await startRouterWithClient(
      loaded([flaky('a', { priority: 5 }), flaky('b', { priority: 5 })], {
        enableNamespaces: false,
        defaultStrategy: 'fallback',
      }),
    );
    expect([await whoami(), await whoami(), await whoami()]).toEqual(['a', 'a', 'a']);
    const explained = (await env.client.callTool({ name: 'explain_route', arguments: { name: 'whoami' } }))
      .structuredContent as Record<string, unknown>;
    expect(explained).toMatchObject({ strategy: 'fallback', decided_by: 'default strategy', order: ['a', 'b'] });
  });

  it('management tool names beat a backend tool of the same name, with namespaces off', async () => {
    env = await startRouterWithClient(loaded([flaky('a')], { enableNamespaces: false }));
    const tools = (await env.client.listTools()).tools.map((t) => t.name);
    expect(tools.filter((t) => t === 'list_backends')).toHaveLength(1);
    expect(tools).toContain('whoami');
  });
});
