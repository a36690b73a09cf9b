/**
 * A backend gets a short list of the router's environment variables (PATH, HOME, ...); others reach it only
 * when the config names them in env_passthrough (never at a register_backend caller's word).
 */
import { DEFAULT_ROUTING, loadConfig, parseBackend } from '../../src/config';
import { refuse, refusalOf, writeConfig } from './config-files';

const TOKEN = 'ghp_passthrough_0123456789';

describe('env_passthrough', () => {
  it('passes the named variables that are set; env: values beat them; they count as secrets', () => {
    const file = writeConfig(
      'p.yaml',
      'backends:\n  - name: gh\n    command: node\n    env_passthrough: [GITHUB_TOKEN, NOT_SET, REGION]\n    env: { REGION: eu-west-1 }\n',
    );
    const [b] = loadConfig(file, { env: { GITHUB_TOKEN: TOKEN, REGION: 'us-east-1', OTHER: 'x' } }).backends;
    expect(b!.env).toEqual({ GITHUB_TOKEN: TOKEN, REGION: 'eu-west-1' });
    expect(b!.secrets).toContain(TOKEN);
  });

  it('passes nothing more without it', () => {
    const file = writeConfig('n.yaml', 'backends:\n  - name: gh\n    command: node\n');
    expect(loadConfig(file, { env: { GITHUB_TOKEN: TOKEN } }).backends[0]!.env).toEqual({});
  });

  it('is refused on a url backend, for a name that is no variable name, and from register_backend', () => {
    expect(refuse('backends:\n  - { name: w, url: "http://h/mcp", env_passthrough: [A] }\n').issues).toContainEqual({
      path: 'backends[0].env_passthrough',
      problem: expect.stringMatching(/command \(stdio\)/),
    });
    expect(refuse('backends:\n  - { name: w, command: x, env_passthrough: ["A=B"] }\n').issues[0]!.path).toBe(
      'backends[0].env_passthrough[0]',
    );
    const runtime = refusalOf(() =>
      parseBackend(
        { name: 'n', command: 'node', env_passthrough: ['GITHUB_TOKEN'] },
        { env: { GITHUB_TOKEN: TOKEN }, routing: DEFAULT_ROUTING, others: [], baseDir: '/' },
      ),
    );
    expect(runtime.issues).toContainEqual({
      path: 'backend.env_passthrough',
      problem: 'env_passthrough is for config files only',
    });
  });
});
