/**
 * The stand-ins in a real Node process (jest's own module system keeps no `require.cache`, so they are inert
 * under jest): the built router loads zod, the SDK v1 server and the SDK v2 client without evaluating what it
 * never runs, and what is asked for afterwards still works: the real ajv behind a validator, zod's locales.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CLI, tempFile } from '../helpers/cli';
import { eventually, MEMORY, ROOT } from '../helpers/config';

const run = promisify(execFile);
const built = (...path: string[]) => JSON.stringify(join(ROOT, 'dist', 'src', ...path));

const FILES = `const files = (dir) => Object.keys(require.cache).filter((p) => p.includes('/node_modules/' + dir + '/'));`;

const SERVER_SCRIPT = `${FILES}
require(${built('server', 'client-session.js')});
require('@modelcontextprotocol/sdk/server/index.js');
const before = { ajv: files('ajv').length, ajvFormats: files('ajv-formats').length, zodToJsonSchema: files('zod-to-json-schema').length, zodV3: files('zod/v3').length };
const { AjvJsonSchemaValidator } = require('@modelcontextprotocol/sdk/validation/ajv-provider.js');
const check = new AjvJsonSchemaValidator().getValidator({ type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] });
const after = { ajv: files('ajv').length };
console.log(JSON.stringify({ before, after, good: check({ n: 1 }).valid, bad: check({ n: 'one' }).valid, badMessage: check({}).errorMessage }));
`;

// The client package bundles its ajv into a chunk of its own (ajvProvider-*.cjs), required by its _shims module.
const CLIENT_SCRIPT = `${FILES}
const ajvChunk = () => files('@modelcontextprotocol/client').filter((p) => /ajvProvider/.test(p)).length;
const { sdkClient, backendSchemaValidator } = require(${built('protocol', 'sdk-client.js')});
const { Client } = sdkClient();
new Client({ name: 't', version: '1' }, { jsonSchemaValidator: backendSchemaValidator });
const before = ajvChunk();
const check = backendSchemaValidator.getValidator({ type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] });
console.log(JSON.stringify({ before, after: ajvChunk(), good: check({ n: 1 }).valid, bad: check({ n: 'one' }).valid }));
`;

const ZOD_SCRIPT = `${FILES}
require(${built('config', 'index.js')});
const { z } = require(${built('config', 'zod.js')});
const before = files('zod/v4/locales').length;
const english = z.string().safeParse(1).error.issues[0].message;
z.config(z.locales.de());
const german = z.string().safeParse(1).error.issues[0].message;
console.log(JSON.stringify({ before, after: files('zod/v4/locales').length, english, german }));
`;

describe('what the router loads of its dependencies, in a real Node process', () => {
  it("the config's zod: English only; the other locales load when one is asked for", async () => {
    const { stdout } = await run(process.execPath, ['-e', ZOD_SCRIPT], { cwd: ROOT });
    const report = JSON.parse(stdout.trim());
    // The index's stand-in and English, which zod's schemas require themselves.
    expect(report.before).toBe(2);
    expect(report.english).toBe('Invalid input: expected string, received number');
    expect(report.after).toBeGreaterThan(60);
    expect(report.german).toMatch(/^Ungültige Eingabe/);
  });

  it('the v1 server: no ajv, zod-to-json-schema or zod v3 evaluated; the real ajv validates when asked', async () => {
    const { stdout } = await run(process.execPath, ['-e', SERVER_SCRIPT], { cwd: ROOT });
    const report = JSON.parse(stdout.trim());
    // One entry each: the stand-in at the module's main file, nothing it would require.
    expect(report.before).toEqual({ ajv: 1, ajvFormats: 1, zodToJsonSchema: 1, zodV3: 1 });
    expect(report.after.ajv).toBeGreaterThan(10);
    expect(report.good).toBe(true);
    expect(report.bad).toBe(false);
    expect(report.badMessage).toMatch(/must have required property 'n'/);
  });

  it("the v2 client: a backend's Client is made without its ajv; the validator it is given loads it when asked", async () => {
    const { stdout } = await run(process.execPath, ['-e', CLIENT_SCRIPT], { cwd: ROOT });
    const report = JSON.parse(stdout.trim());
    expect(report).toEqual({ before: 0, after: 1, good: true, bad: false });
  });

  // The three above, where they count: the router as a user runs it, serving a real npm server, after a call.
  it('the running router (stdio, one backend, a tool called) has loaded none of what it defers', async () => {
    const preload = tempFile(
      'loaded.js',
      `${FILES}
process.on('exit', () => process.stderr.write('LOADED ' + JSON.stringify({
  clientAjv: files('@modelcontextprotocol/client').filter((p) => /ajvProvider/.test(p)).length,
  zodLocales: files('zod/v4/locales').length, zodV3: files('zod/v3').length, ajv: files('ajv').length,
}) + '\\n'));`,
    );
    const config = tempFile(
      'one-memory.yaml',
      `backends:\n  - name: memory\n    command: ${JSON.stringify(process.execPath)}\n    args: [${JSON.stringify(join(ROOT, 'node_modules', MEMORY))}]\n`,
    );
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ['-r', preload, CLI, '--config', config, '--transport', 'stdio'],
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr!.on('data', (d) => (stderr += d));
    const client = new Client({ name: 'deferred', version: '1' });
    try {
      await client.connect(transport);
      const tools = (await client.listTools()).tools.map((t) => t.name);
      expect(tools).toContain('memory__read_graph');
      const graph = await client.callTool({ name: 'memory__read_graph', arguments: {} });
      expect(graph.isError).toBeFalsy();
    } finally {
      await client.close();
    }
    const line = await eventually(
      () => /LOADED (\{.*\})/.exec(stderr)?.[1],
      (l) => l !== undefined,
    );
    // Each deferred module is its stand-in alone (zod's locales: the index's and English); the client's ajv not at all.
    expect(JSON.parse(line!)).toEqual({ clientAjv: 0, zodLocales: 2, zodV3: 1, ajv: 1 });
  });
});
