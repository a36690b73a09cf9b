/**
 * The `mcpServers` files other MCP clients keep (Claude Desktop, Cursor, Windsurf, Gemini CLI; VS Code's
 * `servers`; Continue's list) load as they are, and their problems are reported at the user's own paths.
 */
import { dirname, join } from 'node:path';
import { loadConfig } from '../../src/config';
import { FIXTURES, refuse, writeConfig } from './config-files';

describe('an mcpServers file', () => {
  it('loads a Claude Desktop config: stdio, url, sse; disabled servers and other keys left alone', () => {
    const file = join(FIXTURES, 'claude-desktop.json');
    const config = loadConfig(file, { env: { REMOTE_TOKEN: 'abc' } });
    expect(config.backends.map((b) => [b.name, b.transport])).toEqual([
      ['filesystem', 'stdio'],
      ['local-tool', 'stdio'],
      ['remote', 'auto'],
      ['old-sse', 'sse'],
    ]);
    expect(config.backends[0]).toMatchObject({
      command: 'npx',
      args: ['-y', '@modelcontextprotocol/server-filesystem', '/Users/me/Desktop'],
      env: { DEBUG: '0' },
      namespace: 'filesystem',
    });
    expect(config.backends[1]!.cwd).toBe(join(dirname(file), 'tools'));
    expect(config.backends[2]).toMatchObject({
      url: 'https://mcp.example.com/mcp',
      headers: { Authorization: 'Bearer abc' },
    });
  });

  it('loads a VS Code mcp.json (`servers`, type stdio | http | sse, ${env:VAR}), ignoring its inputs', () => {
    const config = loadConfig(join(FIXTURES, 'vscode-mcp.json'), { env: { GITHUB_TOKEN: 'ghp' } });
    expect(config.backends.map((b) => [b.name, b.transport])).toEqual([
      ['github', 'streamable-http'],
      ['memory', 'stdio'],
      ['events', 'sse'],
    ]);
    expect(config.backends[0]!.headers).toEqual({ Authorization: 'Bearer ghp' });
  });

  it("loads Windsurf's serverUrl and Gemini CLI's httpUrl", () => {
    const file = writeConfig(
      'mcp_config.json',
      JSON.stringify({
        mcpServers: { w: { serverUrl: 'https://w.example/mcp' }, g: { httpUrl: 'https://g.example/mcp' } },
      }),
    );
    expect(loadConfig(file, { env: {} }).backends.map((b) => [b.name, b.url, b.transport])).toEqual([
      ['w', 'https://w.example/mcp', 'auto'],
      ['g', 'https://g.example/mcp', 'streamable-http'],
    ]);
  });

  it("loads Continue's list form in YAML", () => {
    const file = writeConfig(
      'config.yaml',
      'name: my assistant\nmcpServers:\n  - name: sqlite\n    command: uvx\n    args: [mcp-server-sqlite]\n',
    );
    expect(loadConfig(file, { env: {} }).backends).toMatchObject([
      { name: 'sqlite', command: 'uvx', transport: 'stdio' },
    ]);
  });

  it('applies the routing overrides, as for our own format', () => {
    const file = writeConfig('claude.json', JSON.stringify({ mcpServers: { a: { command: 'x' } } }));
    expect(loadConfig(file, { env: {}, overrides: { defaultStrategy: 'fallback' } }).routing.defaultStrategy).toBe(
      'fallback',
    );
  });

  it('expands only the servers: the rest of the file belongs to its client', () => {
    const file = writeConfig(
      'claude.json',
      JSON.stringify({ theme: '${NOT_OURS}', mcpServers: { a: { command: 'x' } } }),
    );
    expect(loadConfig(file, { env: {} }).backends).toHaveLength(1);
  });
});

describe('refusing an mcpServers file, at its own paths', () => {
  const json = (servers: Record<string, unknown>, key = 'mcpServers') => JSON.stringify({ [key]: servers }, null, 2);

  it.each<[string, string, string, RegExp]>([
    [
      'an unsupported type',
      json({ ws: { type: 'websocket', url: 'ws://h' } }),
      'mcpServers.ws.type',
      /unsupported transport "websocket" \(stdio, http or sse\)/,
    ],
    ['a bad url', json({ web: { url: 'nope' } }), 'mcpServers.web.url', /not a valid URL/],
    ['a bad serverUrl', json({ web: { serverUrl: 'nope' } }), 'mcpServers.web.serverUrl', /not a valid URL/],
    [
      'both command and url',
      json({ both: { command: 'x', url: 'http://h/mcp' } }),
      'mcpServers.both.url',
      /not both command and url/,
    ],
    ['neither command nor url', json({ empty: {} }), 'mcpServers.empty', /needs either command/],
    [
      'a type that contradicts the command',
      json({ s: { type: 'http', command: 'x' } }, 'servers'),
      'servers.s.type',
      /a command backend speaks stdio/,
    ],
    ['args that are not a list', json({ a: { command: 'x', args: 'y' } }), 'mcpServers.a.args', /expected array/],
    [
      'an unset variable',
      json({ r: { url: 'http://h/mcp', headers: { Authorization: 'Bearer ${TOKEN}' } } }),
      'mcpServers.r.headers.Authorization',
      /TOKEN is not set/,
    ],
    [
      'a name that cannot be a backend name',
      json({ 'my server': { command: 'x' } }),
      'mcpServers["my server"]',
      /letters, digits/,
    ],
    ['JSON syntax', '{ "mcpServers": { "a": { "command": "x" }, } ', '', /not valid JSON: line 1/],
  ])('%s', (_label, content, path, problem) => {
    const { file, message, issues } = refuse(content, { name: 'mcp.json' });
    expect(issues).toContainEqual({ path, problem: expect.stringMatching(problem) });
    expect(message).toContain(`${file}: ${path ? `${path}: ` : ''}`);
  });
});

describe('our routing: block beside mcpServers', () => {
  it('is read as in our own format, and checked as strictly', () => {
    const file = writeConfig(
      'mcp.json',
      JSON.stringify({ routing: { default_strategy: 'path' }, mcpServers: { a: { command: 'x' } } }),
    );
    expect(loadConfig(file, { env: {} }).routing.defaultStrategy).toBe('path');
    const { issues } = refuse(
      JSON.stringify({ routing: { default_strategy: 'random' }, mcpServers: { a: { command: 'x' } } }),
      { name: 'mcp.json' },
    );
    expect(issues).toEqual([{ path: 'routing.default_strategy', problem: expect.stringContaining('"capability"') }]);
  });
});
