/**
 * MCP 2026-07-28 clients through the real CLI, as a new user would try them: the SDK v2 client pinned to
 * 2026-07-28 and in `auto` mode, over HTTP and over stdio, in front of server-everything and server-memory
 * (2025-era servers from the npm registry). And a 2025 client on the same endpoint, unchanged.
 */
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as HttpV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { join } from 'node:path';
import { CLI, startHttpCli, tempFile } from '../helpers/cli';
import { EVERYTHING, MEMORY, ROOT } from '../helpers/config';

const CONFIG = tempFile(
  'backends.yaml',
  [
    'backends:',
    '  - name: everything',
    `    command: ${JSON.stringify(process.execPath)}`,
    `    args: [${JSON.stringify(join(ROOT, 'node_modules', EVERYTHING))}, stdio]`,
    '  - name: memory',
    `    command: ${JSON.stringify(process.execPath)}`,
    `    args: [${JSON.stringify(join(ROOT, 'node_modules', MEMORY))}]`,
    '    env:',
    `      MEMORY_FILE_PATH: ${JSON.stringify(tempFile('memory.jsonl', ''))}`,
    '',
  ].join('\n'),
);

type Mode = 'auto' | { pin: '2026-07-28' };

/** A v2 client that answers sampling and elicitation the way a host's user would. */
function modernClient(mode: Mode) {
  const client = new Client(
    { name: 'modern-e2e', version: '1.0.0' },
    { versionNegotiation: { mode }, capabilities: { sampling: {}, elicitation: {} } },
  );
  const asked: string[] = [];
  client.setRequestHandler('sampling/createMessage', async (request) => {
    asked.push('sampling');
    expect(JSON.stringify(request.params.messages)).toContain('a prompt for the model');
    return { role: 'assistant', content: { type: 'text', text: 'the model says hello' }, model: 'test-model' };
  });
  client.setRequestHandler('elicitation/create', async () => {
    asked.push('elicitation');
    return { action: 'accept', content: { name: 'Ada', check: true, integer: 3, number: 1.5, enum: 'value1' } };
  });
  return { client, asked };
}

function text(result: unknown): string {
  return JSON.stringify((result as { content?: unknown }).content);
}

/** What a new user does with a 2026 client: discover, list and call everything both servers offer. */
async function exercise(client: Client, asked: string[]): Promise<void> {
  expect(client.getProtocolEra()).toBe('modern');
  expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name);
  expect(names).toEqual(expect.arrayContaining(['everything__echo', 'memory__create_entities', 'list_backends']));

  expect(text(await client.callTool({ name: 'everything__echo', arguments: { message: 'hi' } }))).toContain('Echo: hi');
  await client.callTool({
    name: 'memory__create_entities',
    arguments: { entities: [{ name: 'router', entityType: 'software', observations: ['speaks 2026'] }] },
  });
  expect(text(await client.callTool({ name: 'memory__read_graph', arguments: {} }))).toContain('speaks 2026');

  // A 2025 server asks its client mid-call; the router turns that into input_required and back.
  const sampled = await client.callTool({
    name: 'everything__trigger-sampling-request',
    arguments: { prompt: 'a prompt for the model', maxTokens: 10 },
  });
  expect(text(sampled)).toContain('the model says hello');
  const elicited = await client.callTool({ name: 'everything__trigger-elicitation-request', arguments: {} });
  expect(text(elicited)).toContain('Ada');
  expect(asked).toEqual(['sampling', 'elicitation']);

  const { prompts } = await client.listPrompts();
  const simple = prompts.find((p) => p.name.startsWith('everything__') && /simple/.test(p.name));
  expect(simple).toBeDefined();
  const prompt = await client.getPrompt({ name: simple!.name, arguments: {} });
  expect(prompt.messages.length).toBeGreaterThan(0);

  const { resources } = await client.listResources();
  expect(resources.length).toBeGreaterThan(0);
  const read = await client.readResource({ uri: resources[0]!.uri });
  expect(read.contents[0]?.uri).toBe(resources[0]!.uri);
}

describe('2026-07-28 clients through the router CLI', () => {
  let http: Awaited<ReturnType<typeof startHttpCli>>;

  beforeAll(async () => {
    http = await startHttpCli(['--config', CONFIG]);
  });

  afterAll(async () => {
    http.child.kill('SIGTERM');
    expect(await http.exit).toBe(0);
  });

  it.each<[string, Mode]>([
    ['pinned to 2026-07-28', { pin: '2026-07-28' }],
    ['in auto mode', 'auto'],
  ])('over HTTP, a v2 client %s negotiates 2026-07-28 and uses both servers', async (_label, mode) => {
    const { client, asked } = modernClient(mode);
    await client.connect(new StreamableHTTPClientTransport(new URL(http.url)));
    try {
      await exercise(client, asked);
    } finally {
      await client.close();
    }
  });

  it('a 2025 client on the same endpoint keeps its session, as before', async () => {
    const client = new ClientV1({ name: 'legacy-e2e', version: '1.0.0' });
    const transport = new HttpV1(new URL(http.url));
    await client.connect(transport);
    try {
      expect(transport.sessionId).toBeDefined();
      expect(client.getServerVersion()?.name).toBe('mcp-router');
      const echo = await client.callTool({ name: 'everything__echo', arguments: { message: 'old' } });
      expect(text(echo)).toContain('Echo: old');
    } finally {
      await client.close();
    }
  });

  it.each<[string, Mode]>([
    ['pinned to 2026-07-28', { pin: '2026-07-28' }],
    ['in auto mode', 'auto'],
  ])('over stdio, a v2 client %s negotiates 2026-07-28 and uses both servers', async (_label, mode) => {
    const { client, asked } = modernClient(mode);
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, '--config', CONFIG],
      stderr: 'pipe',
    });
    await client.connect(transport);
    try {
      await exercise(client, asked);
    } finally {
      await client.close();
    }
  });
});
