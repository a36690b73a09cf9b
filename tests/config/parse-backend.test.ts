/** register_backend: one backend given at run time is validated exactly like an entry of the file. */
import { DEFAULT_ROUTING, parseBackend } from '../../src/config';
import { refusalOf } from './config-files';

const options = { env: { TOKEN: 't' }, routing: DEFAULT_ROUTING, others: ['existing'], baseDir: '/srv/router' };

describe('parseBackend', () => {
  it('normalizes like the file does: defaults, cwd against the config directory', () => {
    expect(
      parseBackend(
        {
          name: 'n',
          command: 'node',
          cwd: 'tools',
          routes: [{ pattern: '*', fallback_to: 'existing' }],
        },
        options,
      ),
    ).toMatchObject({
      name: 'n',
      namespace: 'n',
      transport: 'stdio',
      cwd: '/srv/router/tools',
      priority: 10,
      routes: [{ pattern: '*', fallbackTo: ['existing'] }],
    });
  });

  // A caller must not get the router's environment sent to a program or URL of its choosing.
  it('takes ${VAR} literally everywhere: env, headers, args, never from the router environment', () => {
    const stdio = parseBackend(
      { name: 'n', command: 'node', args: ['--key', '${TOKEN}', '$${TOKEN}'], env: { K: '${TOKEN}', D: '${X:-d}' } },
      options,
    );
    expect(stdio.args).toEqual(['--key', '${TOKEN}', '$${TOKEN}']);
    expect(stdio.env).toEqual({ K: '${TOKEN}', D: '${X:-d}' });
    const http = parseBackend({ name: 'h', url: 'https://x.example/mcp', headers: { A: '${TOKEN}' } }, options);
    expect(http.headers).toEqual({ A: '${TOKEN}' });
    expect(JSON.stringify([stdio, http])).not.toContain('"t"');
  });

  it.each<[string, unknown, string, RegExp]>([
    [
      'an unknown key',
      { name: 'n', comand: 'node' },
      'backend.comand',
      /unknown key "comand" \(did you mean "command"\?\)/,
    ],
    [
      'a name already running',
      { name: 'existing', command: 'x' },
      'backend.name',
      /a backend named "existing" already exists/,
    ],
    ['neither command nor url', { name: 'n' }, 'backend', /needs either command/],
    ['a bad url', { name: 'n', url: 'nope' }, 'backend.url', /not a valid URL/],
    [
      'a fallback_to naming no backend',
      { name: 'n', command: 'x', routes: [{ pattern: '*', fallback_to: 'ghost' }] },
      'backend.routes[0].fallback_to',
      /names no backend: "ghost"/,
    ],
    // Taken literally, a reference is no URL, no name and no backend.
    ['a variable in the url', { name: 'n', url: '${TOKEN}' }, 'backend.url', /not a valid URL/],
    ['a variable in the name', { name: 'n${TOKEN}', command: 'x' }, 'backend.name', /letters, digits/],
    [
      'a variable in fallback_to',
      { name: 'n', command: 'x', routes: [{ fallback_to: '${TOKEN:-existing}' }] },
      'backend.routes[0].fallback_to',
      /names no backend/,
    ],
    ['a name every object has', { name: 'constructor', command: 'x' }, 'backend.name', /reserved/],
    ['__proto__ as a name', { name: '__proto__', command: 'x' }, 'backend.name', /reserved/],
    ['a name too long', { name: 'n'.repeat(65), command: 'x' }, 'backend.name', /at most 64/],
    [
      'a header value with CR LF',
      { name: 'n', url: 'https://x.example/mcp', headers: { A: 'v\r\nX-Injected: 1' } },
      'backend.headers.A',
      /control characters/,
    ],
    [
      'a header value beyond Latin-1',
      { name: 'n', url: 'https://x.example/mcp', headers: { A: 'Bearer ✓' } },
      'backend.headers.A',
      /only Latin-1/,
    ],
    [
      'a header name that is no token',
      { name: 'n', url: 'https://x.example/mcp', headers: { 'A B': 'v' } },
      'backend.headers["A B"]',
      /header name/,
    ],
    ['an env value with NUL', { name: 'n', command: 'x', env: { K: 'a\u0000b' } }, 'backend.env.K', /NUL/],
    [
      'nesting 100 levels deep',
      { name: 'n', command: 'x', args: JSON.parse('['.repeat(100) + ']'.repeat(100)) },
      'backend.args' + '[0]'.repeat(63),
      /nested more than 64 levels/,
    ],
    ['not an object', 'files', 'backend', /expected object/],
  ])('refuses %s', (_label, raw, path, problem) => {
    const refusal = refusalOf(() => parseBackend(raw, options));
    expect(refusal.file).toBe('(register_backend)');
    expect(refusal.issues).toContainEqual({ path, problem: expect.stringMatching(problem) });
  });
});
