/**
 * Every configuration the loader refuses: the message names the file, the field's path and the problem,
 * so a user can go straight to the line. One row per refusal.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config';
import { refusalOf, refuse } from './config-files';

const cmd = (extra = '') => `backends:\n  - name: a\n    command: node\n${extra}`;

describe('refusing a broken backends file', () => {
  it.each<[string, string, string, RegExp]>([
    // unknown keys, at the key's own path, with a hint for plain typos
    [
      'an unknown backend key',
      cmd('    comand: x\n'),
      'backends[0].comand',
      /unknown key "comand" \(did you mean "command"\?\)/,
    ],
    [
      'an unknown top-level key',
      'backend:\n  - name: a\n',
      'backend',
      /unknown key "backend" \(did you mean "backends"\?\)/,
    ],
    [
      'an unknown route key',
      cmd('    routes: [{ pattern: "*", fallback: b }]\n'),
      'backends[0].routes[0].fallback',
      /unknown key "fallback" \(did you mean "fallback_to"\?\)/,
    ],
    [
      'an unknown retry key',
      'routing:\n  retry: { max_retries: 3 }\nbackends: []\n',
      'routing.retry.max_retries',
      /unknown key "max_retries"/,
    ],
    [
      'an unknown health_check key',
      cmd('    health_check: { interval: 3 }\n'),
      'backends[0].health_check.interval',
      /unknown key "interval" \(did you mean "interval_seconds"\?\)/,
    ],
    // wrong types and values
    [
      'a priority that is not a number',
      cmd('    priority: high\n'),
      'backends[0].priority',
      /expected number, received string/,
    ],
    ['args that are not a list', cmd('    args: server.js\n'), 'backends[0].args', /expected array, received string/],
    ['an env value that is not a string', cmd('    env: { A: [1] }\n'), 'backends[0].env.A', /expected string/],
    [
      'a zero health interval',
      cmd('    health_check: { interval_seconds: 0 }\n'),
      'backends[0].health_check.interval_seconds',
      /expected number to be >0/,
    ],
    [
      'a fractional failure threshold',
      cmd('    circuit_breaker: { failure_threshold: 2.5 }\n'),
      'backends[0].circuit_breaker.failure_threshold',
      /expected int/,
    ],
    [
      'zero retry attempts',
      'routing:\n  retry: { max_attempts: 0 }\nbackends: []\n',
      'routing.retry.max_attempts',
      /expected number to be >0/,
    ],
    ['an unknown session mode', cmd('    session: sticky\n'), 'backends[0].session', /"shared"\|"per-client"/],
    [
      'an unknown route strategy',
      cmd('    routes: [{ pattern: "*", strategy: random }]\n'),
      'backends[0].routes[0].strategy',
      /"capability"\|"path"\|"fallback"/,
    ],
    [
      'an unknown default strategy',
      'routing:\n  default_strategy: random\nbackends: []\n',
      'routing.default_strategy',
      /"capability"\|"path"\|"fallback"/,
    ],
    [
      'a namespace that cannot prefix a tool name',
      cmd('    namespace: "my ns"\n'),
      'backends[0].namespace',
      /letters, digits, _ and - only/,
    ],
    ['a backend without a name', 'backends:\n  - command: node\n', 'backends[0].name', /required/],
    ['a file without backends', 'routing: {}\n', 'backends', /required \(array\)/],
    ['backends that are not a list', 'backends: { a: 1 }\n', 'backends', /expected array, received object/],
    ['a file that is a list', '- name: a\n', '', /expected object, received array/],
    // how a backend is reached
    [
      'duplicate backend names',
      'backends:\n  - { name: a, command: x }\n  - { name: a, command: y }\n',
      'backends[1].name',
      /duplicate backend name "a" \(also backends\[0\]\)/,
    ],
    [
      'a backend with neither command nor url',
      'backends:\n  - name: a\n',
      'backends[0]',
      /needs either command \(stdio\) or url \(HTTP\)/,
    ],
    [
      'a backend with both command and url',
      cmd('    url: http://localhost:1/mcp\n'),
      'backends[0].url',
      /not both command and url/,
    ],
    [
      'a backend with both url and source',
      'backends:\n  - { name: a, url: "http://h/mcp", source: "http://h/mcp" }\n',
      'backends[0].source',
      /not both url and source/,
    ],
    [
      'a url that is not a URL',
      'backends:\n  - { name: a, url: "not a url" }\n',
      'backends[0].url',
      /not a valid URL: "not a url"/,
    ],
    [
      'a url that is not http',
      'backends:\n  - { name: a, url: "ftp://h/mcp" }\n',
      'backends[0].url',
      /must be an http or https URL, got ftp:/,
    ],
    [
      'a source that is neither URL nor package',
      'backends:\n  - { name: a, source: "two words" }\n',
      'backends[0].source',
      /not an http\(s\) URL, github:owner\/repo or package name/,
    ],
    [
      'a github source without a repo',
      'backends:\n  - { name: a, source: "github:owner" }\n',
      'backends[0].source',
      /github:owner\/repo/,
    ],
    [
      'a command backend with an HTTP transport',
      cmd('    transport: sse\n'),
      'backends[0].transport',
      /a command backend speaks stdio, not sse/,
    ],
    [
      'a url backend with the stdio transport',
      'backends:\n  - { name: a, url: "http://h/mcp", transport: stdio }\n',
      'backends[0].transport',
      /speaks streamable-http or sse, not stdio/,
    ],
    [
      'headers on a command backend',
      cmd('    headers: { A: b }\n'),
      'backends[0].headers',
      /headers apply to url backends only/,
    ],
    [
      'args on a url backend',
      'backends:\n  - { name: a, url: "http://h/mcp", args: [x] }\n',
      'backends[0].args',
      /args is for command \(stdio\) backends only/,
    ],
    [
      'a port on a url backend',
      'backends:\n  - { name: a, url: "http://h/mcp", port: 9000 }\n',
      'backends[0].port',
      /port applies to a `source:` package/,
    ],
    // routes and fallback chains
    [
      'a fallback_to naming no backend',
      cmd('    routes: [{ pattern: "*", strategy: fallback, fallback_to: ghost }]\n'),
      'backends[0].routes[0].fallback_to',
      /names no backend: "ghost" \(backends: a\)/,
    ],
    [
      'a fallback_to list naming no backend',
      'backends:\n  - { name: a, command: x, routes: [{ pattern: "*", fallback_to: [b, ghost] }] }\n  - { name: b, command: x }\n',
      'backends[0].routes[0].fallback_to[1]',
      /names no backend: "ghost"/,
    ],
    [
      'a fallback_to naming its own backend',
      cmd('    routes: [{ pattern: "*", fallback_to: a }]\n'),
      'backends[0].routes[0].fallback_to',
      /names its own backend "a"/,
    ],
    [
      'a fallback_to cycle of two',
      'backends:\n  - { name: a, command: x, routes: [{ pattern: "*", fallback_to: b }] }\n  - { name: b, command: x, routes: [{ pattern: "*", fallback_to: a }] }\n',
      'backends[1].routes[0].fallback_to',
      /fallback_to makes a cycle: a → b → a/,
    ],
    [
      'a fallback_to cycle of three, through a list',
      'backends:\n  - { name: a, command: x, routes: [{ pattern: "*", fallback_to: b }] }\n  - { name: b, command: x, routes: [{ pattern: "*", fallback_to: [c] }] }\n  - { name: c, command: x, routes: [{ pattern: "x_*", fallback_to: a }] }\n',
      'backends[2].routes[0].fallback_to',
      /cycle: a → b → c → a/,
    ],
    [
      'an unbalanced glob',
      cmd('    routes: [{ pattern: "search_[" }]\n'),
      'backends[0].routes[0].pattern',
      /not a valid glob: Missing closing: "\]"/,
    ],
    [
      'a glob that can match nothing',
      cmd('    routes: [{ pattern: "[z-a]" }]\n'),
      'backends[0].routes[0].pattern',
      /not a valid glob: it can match no name/,
    ],
    // ${VAR} expansion
    [
      'an unset variable',
      'backends:\n  - { name: a, url: "${NOPE}" }\n',
      'backends[0].url',
      /environment variable NOPE is not set/,
    ],
    [
      'a reference that is not a variable',
      'backends:\n  - { name: a, url: "http://h/mcp", headers: { X-Key: "${input:key}" } }\n',
      'backends[0].headers.X-Key',
      /"\$\{input:key\}" is not a reference/,
    ],
    // syntax
    ['YAML syntax', 'backends:\n  - name: [unclosed\n', '', /not valid YAML: line 3, column 1: /],
    [
      'a repeated YAML key',
      'backends: []\nbackends: []\n',
      '',
      /not valid YAML: line 2, column 1: Map keys must be unique/,
    ],
    ['tabs as indentation', 'backends:\n\t- name: a\n', '', /not valid YAML: line 2, column 1: Tabs are not allowed/],
  ])('%s', (_label, yaml, path, problem) => {
    const { file, message, issues } = refuse(yaml);
    expect(issues).toContainEqual({ path, problem: expect.stringMatching(problem) });
    const line = message.split('\n').find((l) => problem.test(l));
    expect(line).toBe(
      `${file}: ${path ? `${path}: ` : ''}${issues.find((i) => i.path === path && problem.test(i.problem))!.problem}`,
    );
  });

  it('refuses JSON syntax with the line of the error', () => {
    const { file, issues } = refuse('{\n  "backends": [\n    { "name": "a",, "command": "x" }\n  ]\n}\n', {
      name: 'backends.json',
    });
    expect(file).toMatch(/backends\.json$/);
    expect(issues).toEqual([
      { path: '', problem: expect.stringMatching(/^not valid JSON: line 3, column \d+: Unexpected ,/) },
    ]);
  });

  it('reports every problem of a file at once, not only the first', () => {
    const { issues } = refuse(
      'backends:\n  - name: a\n    comand: x\n  - name: b\n    priority: high\n    command: y\n',
    );
    expect(issues.map((i) => i.path)).toEqual(['backends[0].comand', 'backends[1].priority']);
  });

  it('names a missing file', () => {
    const missing = join(tmpdir(), 'mcp-router-no-such-dir', 'backends.yaml');
    const refusal = refusalOf(() => loadConfig(missing, { env: {} }));
    expect(refusal).toMatchObject({ file: missing, issues: [{ path: '', problem: 'file not found' }] });
    expect(refusal.message).toBe(`${missing}: file not found`);
  });

  it('names a directory given as the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcp-router-config-'));
    expect(refusalOf(() => loadConfig(dir, { env: {} })).issues).toEqual([
      { path: '', problem: 'is a directory, not a file' },
    ]);
  });

  it('names the absolute path when given a relative one', () => {
    const { file } = refusalOf(() => loadConfig('no-such-file.yaml', { env: {} }));
    expect(file).toBe(join(process.cwd(), 'no-such-file.yaml'));
  });

  it('is a RouterError with the CONFIG_INVALID code and the issues as data', () => {
    try {
      loadConfig('no-such-file.yaml', { env: {} });
    } catch (error) {
      expect(error).toMatchObject({
        name: 'ConfigError',
        code: 'CONFIG_INVALID',
        data: { issues: [{ path: '', problem: 'file not found' }] },
      });
    }
    expect.assertions(1);
  });
});
