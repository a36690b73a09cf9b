/** ${VAR} expansion: from the given environment, over every string, before validation, never silently empty. */
import { loadConfig } from '../../src/config';
import { expandEnv, expandString } from '../../src/config/expand-env';
import type { ConfigIssue } from '../../src/errors';
import { refuse, writeConfig } from './config-files';

function expand(value: string, env: Record<string, string | undefined>): { value: string; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  return { value: expandString(value, env, 'f', issues), issues };
}

describe('expanding one string', () => {
  it.each<[string, Record<string, string | undefined>, string]>([
    ['${A}', { A: 'x' }, 'x'],
    ['pre-${A}-post', { A: 'x' }, 'pre-x-post'],
    ['${A}${B}', { A: '1', B: '2' }, '12'],
    ['${A:-fallback}', {}, 'fallback'],
    ['${A:-fallback}', { A: '' }, 'fallback'], // as in the shell, :- also covers an empty value
    ['${A:-fallback}', { A: 'set' }, 'set'],
    ['${A:-}', {}, ''],
    ['${A:-http://h:1/x}', {}, 'http://h:1/x'],
    ['${A}', { A: '' }, ''], // set but empty is a value
    ['${env:A}', { A: 'vscode' }, 'vscode'],
    ['$${A}', {}, '${A}'],
    ['cost: $5, $A', {}, 'cost: $5, $A'], // only ${...} is a reference
  ])('%s with %j → %j', (input, env, output) => {
    expect(expand(input, env)).toEqual({ value: output, issues: [] });
  });

  it('reports an unset variable without default, naming it and the field', () => {
    expect(expand('Bearer ${TOKEN}', {}).issues).toEqual([
      { path: 'f', problem: 'environment variable TOKEN is not set (use ${TOKEN:-default} for a default)' },
    ]);
  });

  it('reports references it cannot resolve instead of passing them on as text', () => {
    expect(expand('${input:api-key}', {}).issues[0]!.problem).toMatch(/"\$\{input:api-key\}" is not a reference/);
    expect(expand('${1BAD}', {}).issues[0]!.problem).toMatch(/is not a reference/);
    expect(expand('Bearer ${TOKEN', { TOKEN: 'x' }).issues[0]!.problem).toMatch(/unclosed "\$\{"/);
  });

  it('does not expand a value twice (a variable holding ${X} stays literal)', () => {
    expect(expand('${A}', { A: '${B}', B: 'no' }).value).toBe('${B}');
  });
});

describe('expanding a document', () => {
  it('expands every string at any depth, leaves keys, numbers and booleans alone, and names each path', () => {
    const issues: ConfigIssue[] = [];
    const out = expandEnv({ a: [{ b: '${X}', '${K}': 1, c: true }], 'odd key': '${MISSING}' }, { X: 'x' }, '', issues);
    expect(out).toEqual({ a: [{ b: 'x', '${K}': 1, c: true }], 'odd key': '${MISSING}' });
    expect(issues).toEqual([{ path: '["odd key"]', problem: expect.stringContaining('MISSING') }]);
  });

  it('reads the environment it is given, never process.env', () => {
    process.env.MCP_ROUTER_TEST_ONLY_IN_PROCESS_ENV = 'leak';
    try {
      const { issues } = refuse('backends:\n  - { name: a, command: "${MCP_ROUTER_TEST_ONLY_IN_PROCESS_ENV}" }\n');
      expect(issues).toEqual([
        {
          path: 'backends[0].command',
          problem: expect.stringContaining('MCP_ROUTER_TEST_ONLY_IN_PROCESS_ENV is not set'),
        },
      ]);
    } finally {
      delete process.env.MCP_ROUTER_TEST_ONLY_IN_PROCESS_ENV;
    }
  });

  it('expands before validation, so an expanded value is checked like a written one', () => {
    const { issues } = refuse('backends:\n  - { name: a, url: "${BASE}/mcp" }\n', { env: { BASE: 'not a url' } });
    expect(issues).toEqual([{ path: 'backends[0].url', problem: 'not a valid URL: "not a url/mcp"' }]);
  });

  it('expands url, headers, args, env and cwd of a loaded file', () => {
    const file = writeConfig(
      'b.yaml',
      'backends:\n  - { name: s, url: "${BASE:-http://localhost:1}/mcp", headers: { Authorization: "Bearer ${TOKEN}" } }\n  - { name: c, command: "${NODE:-node}", args: ["${HOME}/x.js"], env: { K: "${TOKEN}" }, cwd: "${HOME}" }\n',
    );
    const [s, c] = loadConfig(file, { env: { TOKEN: 'sekret', HOME: '/home/u' } }).backends;
    expect(s).toMatchObject({ url: 'http://localhost:1/mcp', headers: { Authorization: 'Bearer sekret' } });
    expect(c).toMatchObject({ command: 'node', args: ['/home/u/x.js'], env: { K: 'sekret' }, cwd: '/home/u' });
  });

  it('reports every unset variable of the file at once', () => {
    const { issues } = refuse('backends:\n  - { name: a, url: "${A}", headers: { X: "${B}" } }\n');
    expect(issues.map((i) => i.path)).toEqual(['backends[0].url', 'backends[0].headers.X']);
  });
});
