/** register_backend: one backend given at run time is validated exactly like an entry of the file. */
import { DEFAULT_ROUTING, parseBackend } from '../../src/config';
import { refusalOf } from './config-files';

const options = { env: { TOKEN: 't' }, routing: DEFAULT_ROUTING, others: ['existing'], baseDir: '/srv/router' };

describe('parseBackend', () => {
  it('normalizes like the file does: defaults, ${VAR}, cwd against the config directory', () => {
    expect(parseBackend({ name: 'n', command: 'node', cwd: 'tools', env: { K: '${TOKEN}' }, routes: [{ pattern: '*', fallback_to: 'existing' }] }, options)).toMatchObject({
      name: 'n',
      namespace: 'n',
      transport: 'stdio',
      cwd: '/srv/router/tools',
      env: { K: 't' },
      priority: 10,
      routes: [{ pattern: '*', fallbackTo: ['existing'] }],
    });
  });

  it.each<[string, unknown, string, RegExp]>([
    ['an unknown key', { name: 'n', comand: 'node' }, 'backend.comand', /unknown key "comand" \(did you mean "command"\?\)/],
    ['a name already running', { name: 'existing', command: 'x' }, 'backend.name', /a backend named "existing" already exists/],
    ['neither command nor url', { name: 'n' }, 'backend', /needs either command/],
    ['a bad url', { name: 'n', url: 'nope' }, 'backend.url', /not a valid URL/],
    ['a fallback_to naming no backend', { name: 'n', command: 'x', routes: [{ pattern: '*', fallback_to: 'ghost' }] }, 'backend.routes[0].fallback_to', /names no backend: "ghost"/],
    ['an unset variable', { name: 'n', url: '${NOPE}' }, 'backend.url', /NOPE is not set/],
    ['not an object', 'files', 'backend', /expected object/],
  ])('refuses %s', (_label, raw, path, problem) => {
    const refusal = refusalOf(() => parseBackend(raw, options));
    expect(refusal.file).toBe('(register_backend)');
    expect(refusal.issues).toContainEqual({ path, problem: expect.stringMatching(problem) });
  });
});
