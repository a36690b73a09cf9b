import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVERYTHING, FILESYSTEM, FLAKY, MEMORY, ROOT, eventually } from '../helpers/config';
import { CLI, runCli, startHttpCli, tempFile } from '../helpers/cli';

const node = JSON.stringify(process.execPath);
const modulePath = (script: string) => JSON.stringify(join(ROOT, 'node_modules', script));
const dataDir = mkdtempSync(join(tmpdir(), 'mcp-router-fs-'));
writeFileSync(join(dataDir, 'hello.txt'), 'hello from the filesystem server');

/** A user's own three-backend config. */
const threeBackends = `
backends:
  - name: everything
    command: ${node}
    args: [${modulePath(EVERYTHING)}, stdio]
  - name: memory
    command: ${node}
    args: [${modulePath(MEMORY)}]
    env: { MEMORY_FILE_PATH: ${JSON.stringify(join(dataDir, 'memory.jsonl'))} }
  - name: files
    namespace: fs
    command: ${node}
    args: [${modulePath(FILESYSTEM)}, ${JSON.stringify(dataDir)}]
`;

function childPids(pid: number): number[] {
  const out = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).stdout;
  return out.split('\n').filter(Boolean).map(Number);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function exerciseAggregate(client: Client): Promise<void> {
  const names = (await client.listTools()).tools.map((t) => t.name);
  expect(names).toEqual(
    expect.arrayContaining([
      'everything__echo',
      'memory__create_entities',
      'fs__read_text_file',
      'list_backends',
      'get_backend_health',
    ]),
  );
  const echo = await client.callTool({ name: 'everything__echo', arguments: { message: 'through the router' } });
  expect(JSON.stringify(echo.content)).toContain('through the router');
  const file = await client.callTool({ name: 'fs__read_text_file', arguments: { path: join(dataDir, 'hello.txt') } });
  expect(JSON.stringify(file.content)).toContain('hello from the filesystem server');
  const { resourceTemplates } = await client.listResourceTemplates();
  expect(resourceTemplates.length).toBeGreaterThan(0);
  const { prompts } = await client.listPrompts();
  expect(prompts.map((p) => p.name)).toContain('everything__simple-prompt');
  const health = await client.callTool({ name: 'get_backend_health', arguments: { backend_name: 'files' } });
  expect(health.structuredContent).toMatchObject({
    name: 'files',
    namespace: 'fs',
    healthy: true,
    circuit_state: 'CLOSED',
  });
  const list = await client.callTool({ name: 'list_backends', arguments: {} });
  expect((list.structuredContent as { backends: unknown[] }).backends).toHaveLength(3);
}

describe('the mcp-router CLI, as a user runs it', () => {
  it('serves a three-backend config over stdio, with nothing but protocol on stdout', async () => {
    const config = tempFile('backends.yaml', threeBackends);
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, '--config', config, '--transport', 'stdio'],
      stderr: 'pipe',
    });
    const client = new Client({ name: 'e2e', version: '1' });
    // Anything on stdout that is not a JSON-RPC message (a log line, a banner) reaches the client as an error.
    const junk: string[] = [];
    client.onerror = (error) => junk.push(String(error));
    await client.connect(transport);
    try {
      await exerciseAggregate(client);
    } finally {
      await client.close();
    }
    expect(junk).toEqual([]);
  });

  it('serves the same config over streamable HTTP', async () => {
    const config = tempFile('backends.yaml', threeBackends);
    const router = await startHttpCli(['--config', config]);
    const client = new Client({ name: 'e2e', version: '1' });
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(router.url)));
      await exerciseAggregate(client);
    } finally {
      await client.close();
    }
    const children = childPids(router.child.pid!);
    expect(children).toHaveLength(3);
    router.child.kill('SIGTERM');
    expect(await router.exit).toBe(0);
    // No stdio backend outlives the router.
    expect(children.filter(isAlive)).toEqual([]);
  });

  it('serves the bundled demo when no config is given', async () => {
    const router = await startHttpCli([]);
    const client = new Client({ name: 'e2e', version: '1' });
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(router.url)));
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toEqual(expect.arrayContaining(['everything__echo', 'memory__read_graph']));
      // `npm start` says where the status page is.
      expect(router.stderr()).toMatch(/status page on http:\/\/127\.0\.0\.1:\d+\/status/);
      const result = await client.callTool({ name: 'memory__read_graph', arguments: {} });
      expect(result.isError).toBeFalsy();
    } finally {
      await client.close();
      router.child.kill('SIGINT');
    }
    expect(await router.exit).toBe(0);
  });

  it('refuses a broken config with exit status 2 and a message naming file, field and problem', async () => {
    const config = tempFile('broken.yaml', 'backends:\n  - name: a\n    comand: node\n');
    const { code, stderr, stdout } = await runCli(['--config', config]);
    expect(code).toBe(2);
    expect(stderr).toContain(config);
    expect(stderr).toMatch(/backends\[0\]/);
    expect(stderr).toMatch(/comand/);
    expect(stdout).toBe('');
  });

  it('`mcp-router check` validates, connects once and prints the name table', async () => {
    const config = tempFile('backends.yaml', threeBackends);
    const { code, stdout } = await runCli(['check', '--config', config]);
    expect(code).toBe(0);
    expect(stdout).toContain('is valid (3 backend(s)');
    expect(stdout).toMatch(/files \(namespace fs, priority 10, stdio\): connected: \d+ tools/);
    expect(stdout).toMatch(/fs__read_text_file\s+files\s+\[capability/);
    const broken = await runCli(['check', '--config', tempFile('b.yaml', 'backends:\n  - name: a\n')]);
    expect(broken.code).toBe(2);
  });

  it('applies an edit of the config file without a restart, and refuses a broken edit', async () => {
    const one = `backends:\n  - name: first\n    command: ${node}\n    args: [${JSON.stringify(FLAKY)}]\n`;
    const config = tempFile('backends.yaml', one);
    const router = await startHttpCli(['--config', config]);
    const client = new Client({ name: 'e2e', version: '1' });
    let listChanged = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void listChanged++);
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(router.url)));
      await client.listTools();
      writeFileSync(config, one + `  - name: second\n    command: ${node}\n    args: [${JSON.stringify(FLAKY)}]\n`);
      await eventually(
        async () => (await client.listTools()).tools.map((t) => t.name),
        (n) => n.includes('second__echo'),
      );
      writeFileSync(config, 'backends:\n  - name: first\n    priority: high\n');
      await eventually(
        () => router.stderr(),
        (s) => /refused/.test(s) && /priority/.test(s),
      );
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toEqual(expect.arrayContaining(['first__echo', 'second__echo']));
      expect(listChanged).toBeGreaterThan(0);
    } finally {
      await client.close();
      router.child.kill('SIGTERM');
    }
    expect(await router.exit).toBe(0);
  });
});
