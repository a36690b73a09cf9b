import { EVERYTHING, MEMORY, loaded, npmServer } from '../helpers/config';
import { startRouterWithClient } from '../helpers/router-client';

describe('aggregating real MCP servers from the npm registry', () => {
  let env: Awaited<ReturnType<typeof startRouterWithClient>>;
  beforeAll(async () => {
    env = await startRouterWithClient(
      loaded([
        npmServer('everything', EVERYTHING, ['stdio']),
        npmServer('memory', MEMORY, [], { env: { MEMORY_FILE_PATH: '/tmp/mcp-router-test-memory.jsonl' } }),
      ]),
    );
  });
  afterAll(() => env.close());

  it('lists the tools of every backend under its namespace, plus the management tools', async () => {
    const { tools } = await env.client.listTools();
    const names = tools.map((t) => t.name);
    expect(names).toEqual(
      expect.arrayContaining(['list_backends', 'get_backend_health', 'everything__echo', 'memory__read_graph']),
    );
    for (const name of names) expect(name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
  });

  it('calls a namespaced tool on its backend and passes the result through', async () => {
    const result = await env.client.callTool({ name: 'everything__echo', arguments: { message: 'hi' } });
    expect(JSON.stringify(result.content)).toContain('hi');
  });

  it('reads a resource and gets a prompt of server-everything', async () => {
    const { resources } = await env.client.listResources();
    expect(resources.length).toBeGreaterThan(0);
    const read = await env.client.readResource({ uri: resources[0]!.uri });
    expect(read.contents.length).toBeGreaterThan(0);
    const { prompts } = await env.client.listPrompts();
    expect(prompts.map((p) => p.name)).toContain('everything__simple-prompt');
  });

  it('answers an unknown tool with a JSON-RPC error that names it', async () => {
    await expect(env.client.callTool({ name: 'nope__nothing', arguments: {} })).rejects.toThrow(
      /Unknown tool: nope__nothing/,
    );
  });

  it('reports both backends connected in list_backends', async () => {
    const result = await env.client.callTool({ name: 'list_backends', arguments: {} });
    const backends = (
      result.structuredContent as { backends: { name: string; connection_state: string; healthy: boolean }[] }
    ).backends;
    expect(backends.map((b) => [b.name, b.connection_state, b.healthy])).toEqual([
      ['everything', 'connected', true],
      ['memory', 'connected', true],
    ]);
  });
});
