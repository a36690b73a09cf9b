/**
 * The stand-ins in a real Node process (jest's own module system keeps no `require.cache`, so they are inert
 * under jest): the built router loads zod, the SDK v1 server and the SDK v2 client without evaluating what it
 * never runs, and what is asked for afterwards still works: the real ajv behind a validator, zod's locales.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../helpers/config';

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
});
