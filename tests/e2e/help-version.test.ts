/** --help and --version are the command's output: stdout, exit 0; the usage names every flag. */
import { runCli } from '../helpers/cli';

describe('mcp-router --help / --version', () => {
  it('--help prints the usage to stdout and exits 0', async () => {
    for (const flag of ['--help', '-h']) {
      const r = await runCli([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: mcp-router/);
      expect(r.stdout).toContain('mcp-router check');
      expect(r.stderr).toBe('');
    }
  });

  it('--version prints the version to stdout and exits 0', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(r.stderr).toBe('');
  });

  it('the usage lists every flag the parser takes', async () => {
    const { stdout } = await runCli(['--help']);
    for (const flag of [
      '--config',
      '--transport',
      '--host',
      '--port',
      '--inspect',
      '--inspect-payloads',
      '--metrics-port',
      '--log-level',
      '--log-format',
      '--auth-token-file',
      '--allowed-hosts',
      '--allowed-origins',
      '--max-body-bytes',
      '--allow-backend-changes',
      '--help',
      '--version',
    ])
      expect(stdout).toContain(flag);
  });
});
