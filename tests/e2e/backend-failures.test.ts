/**
 * Issue 18.2 and 18.3, tried as a new user would, with the real CLI: a backend pointed at a missing directory
 * (the npm filesystem server says "None of the specified directories are accessible" and exits) and one with a
 * misspelt command each show their real reason within seconds, at the default log level, in list_backends, on
 * /status.json and in `mcp-router check`, which exits non-zero and names each backend that failed.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { join } from 'node:path';
import { FILESYSTEM, FLAKY, ROOT } from '../helpers/config';
import { runCli, startHttpCli, tempFile } from '../helpers/cli';

const q = JSON.stringify;
const MISSING_DIR = '/nonexistent/mcp-router-test-dir';
const NOT_ACCESSIBLE = 'None of the specified directories are accessible';
const NOT_FOUND = 'cannot start "nodee-misspelt": command not found on PATH';

const config = () =>
  tempFile(
    'backends.yaml',
    'backends:\n' +
      `  - name: good\n    command: ${q(process.execPath)}\n    args: [${q(FLAKY)}]\n` +
      `  - name: files\n    command: ${q(process.execPath)}\n    args: [${q(join(ROOT, 'node_modules', FILESYSTEM))}, ${q(MISSING_DIR)}]\n` +
      `  - name: typo\n    command: nodee-misspelt\n    args: [server.js]\n`,
  );

/** The default level: whatever the test runner's environment says must not decide it. */
const DEFAULT_ENV = { MCP_LOG_LEVEL: undefined, MCP_BACKENDS_CONFIG: undefined, MCP_TRANSPORT: undefined };

describe('a backend that cannot start says why', () => {
  it('`mcp-router check` exits 1 and names each backend that failed, with the reason', async () => {
    const { code, stdout } = await runCli(['check', '--config', config()], DEFAULT_ENV);
    expect(code).toBe(1);
    expect(stdout).toMatch(/good \(namespace good.*\): connected: \d+ tools/);
    expect(stdout).toMatch(/files \(.*\): NOT CONNECTED: the backend process exited with code 1/);
    expect(stdout).toContain(NOT_ACCESSIBLE);
    expect(stdout).toContain(`typo (namespace typo, priority 10, stdio): NOT CONNECTED: ${NOT_FOUND}`);
    const failed = stdout.slice(stdout.indexOf('FAILED: 2 backend(s) did not connect:'));
    expect(failed).toMatch(/\n {2}files: the backend process exited with code 1[^]*None of the specified directories/);
    expect(failed).toMatch(
      /\n {2}typo: cannot start "nodee-misspelt": command not found on PATH .*\(ENOENT\) \[this will not heal by retrying/,
    );
    expect(failed).not.toMatch(/\n {2}good:/);
  });

  it('the running router shows the reasons within seconds: in its log at the default level, in list_backends, on /status.json', async () => {
    const router = await startHttpCli(['--config', config()], DEFAULT_ENV);
    const client = new Client({ name: 'e2e', version: '1' });
    try {
      // The router listens once every backend has had its first attempt: the reasons are there already.
      expect(router.stderr()).toContain(NOT_ACCESSIBLE);
      expect(router.stderr()).toContain(NOT_FOUND);
      await client.connect(new StreamableHTTPClientTransport(new URL(router.url)));
      const list = await client.callTool({ name: 'list_backends', arguments: {} });
      const byName = Object.fromEntries(
        (list.structuredContent as { backends: { name: string; last_error: string | null }[] }).backends.map((b) => [
          b.name,
          b.last_error,
        ]),
      );
      expect(byName.good).toBeNull();
      expect(byName.files).toContain(NOT_ACCESSIBLE);
      expect(byName.typo).toContain(NOT_FOUND);
      const status = (await (await fetch(router.url.replace('/mcp', '/status.json'))).json()) as {
        backends: { name: string; last_error: string | null }[];
      };
      const onPage = Object.fromEntries(status.backends.map((b) => [b.name, b.last_error]));
      expect(onPage.files).toContain(NOT_ACCESSIBLE);
      expect(onPage.typo).toContain(NOT_FOUND);
      expect(onPage.typo).toContain('will not heal by retrying');
    } finally {
      await client.close().catch(() => {});
      router.child.kill('SIGTERM');
    }
    expect(await router.exit).toBe(0);
  });
});
