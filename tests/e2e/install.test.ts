/**
 * The first hour: the package a user installs holds what runs and nothing else, its runtime imports are all
 * `dependencies`, and the README's install-from-a-clone step gives a `mcp-router` command that a client can
 * start from anywhere, with the inspector working.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { FLAKY, ROOT } from '../helpers/config';

const run = promisify(execFile);
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  license: string;
  dependencies: Record<string, string>;
};

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

interface PackedFile {
  path: string;
}

/** The bare package a specifier names: `@scope/name/sub` → `@scope/name`, `yaml/x` → `yaml`. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

describe('the published package', () => {
  let files: string[];

  beforeAll(async () => {
    const { stdout } = await run(NPM, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT });
    const [packed] = JSON.parse(stdout) as Array<{ files: PackedFile[] }>;
    files = (packed?.files ?? []).map((f) => f.path);
  }, 60_000);

  it('holds the CLI, the machines, the bundled config and a LICENSE, and no bench or test code', () => {
    expect(files).toContain('dist/src/cli.js');
    expect(files).toContain('dist/machines/backend.machine.js');
    expect(files).toContain('config/backends.yaml');
    expect(files).toContain('LICENSE');
    expect(files.filter((f) => /^(dist\/)?(bench|tests)\//.test(f))).toEqual([]);
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toContain(`${pkg.license} License`);
  });

  it('imports at run time only node built-ins and its own dependencies (not devDependencies)', () => {
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    const imported = new Set<string>();
    for (const file of files.filter((f) => f.endsWith('.js'))) {
      const code = readFileSync(join(ROOT, file), 'utf8');
      // require('x'), import('x') and the inspector's importEsm('x') (a real dynamic import in CommonJS output).
      for (const m of code.matchAll(/\b(?:require|import|importEsm)\(\s*['"]([^'"./][^'"]*)['"]\s*\)/g)) {
        const specifier = m[1] as string;
        if (!builtins.has(specifier) && !builtins.has(specifier.split('/')[0] as string))
          imported.add(packageOf(specifier));
      }
    }
    expect(imported.size).toBeGreaterThan(3);
    const missing = [...imported].filter((name) => !(name in pkg.dependencies));
    expect(missing).toEqual([]);
    expect(imported).toContain('@statelyai/inspect');
  });
});

describe('installed from a clone, as the README says', () => {
  let prefix: string;
  let bin: string;
  let elsewhere: string;
  let config: string;

  beforeAll(async () => {
    prefix = mkdtempSync(join(tmpdir(), 'mcp-router-install-'));
    // README: `npm install -g --ignore-scripts .` (here into a private prefix, and offline: nothing is fetched).
    await run(NPM, [
      'install',
      '-g',
      '--prefix',
      prefix,
      '--offline',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      ROOT,
    ]);
    bin = join(prefix, 'bin', 'mcp-router');
    elsewhere = mkdtempSync(join(tmpdir(), 'mcp-router-client-'));
    config = join(elsewhere, 'backends.yaml');
    writeFileSync(
      config,
      `backends:\n  - name: alpha\n    command: ${JSON.stringify(process.execPath)}\n    args: [${JSON.stringify(FLAKY)}]\n`,
    );
  }, 120_000);

  it('puts `mcp-router` on the PATH: --version and --help print to stdout', async () => {
    const version = await run(bin, ['--version'], { cwd: elsewhere });
    expect(version.stdout.trim()).toBe(pkg.version);
    const help = await run(bin, ['--help'], { cwd: elsewhere });
    expect(help.stdout).toContain('Usage: mcp-router');
    expect(help.stdout).toContain('mcp-router check');
  });

  it('is started by a client over stdio from another directory, as the client configs do', async () => {
    const client = new Client({ name: 'installed-e2e', version: '1' });
    await client.connect(
      new StdioClientTransport({ command: bin, args: ['--config', config, '--transport', 'stdio'], cwd: elsewhere }),
    );
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toContain('alpha__echo');
      const result = await client.callTool({ name: 'alpha__echo', arguments: { text: 'installed' } });
      expect(JSON.stringify(result.content)).toContain('installed');
    } finally {
      await client.close();
    }
  }, 60_000);

  it('serves the Stately inspector with --inspect', async () => {
    const port = await freePort();
    const client = new Client({ name: 'installed-inspect', version: '1' });
    const transport = new StdioClientTransport({
      command: bin,
      args: ['--config', config, '--transport', 'stdio', `--inspect=${port}`],
      cwd: elsewhere,
      stderr: 'pipe',
    });
    let stderr = '';
    const announced = new Promise<void>((resolve) =>
      transport.stderr?.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes(`Stately inspector: open http://localhost:${port}`)) resolve();
      }),
    );
    await client.connect(transport);
    try {
      await announced;
      const ws = new WebSocket(`ws://127.0.0.1:${port}`);
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      ws.close();
      expect((await client.listTools()).tools.map((t) => t.name)).toContain('alpha__echo');
      expect(stderr).not.toMatch(/Cannot find (package|module)/);
    } finally {
      await client.close();
    }
  }, 60_000);
});
