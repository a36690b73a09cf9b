/**
 * The stand-ins in a real Node process (jest's own module system keeps no `require.cache`, so they are inert
 * under jest): the built router's client session loads the SDK v1 server without evaluating ajv or
 * zod-to-json-schema, and a validator asked for afterwards still works, the real ajv behind it.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../helpers/config';

const run = promisify(execFile);

const SCRIPT = `
const files = (name) => Object.keys(require.cache).filter((p) => p.includes('/node_modules/' + name + '/'));
require(${JSON.stringify(join(ROOT, 'dist', 'src', 'server', 'client-session.js'))});
require('@modelcontextprotocol/sdk/server/index.js');
const before = { ajv: files('ajv').length, ajvFormats: files('ajv-formats').length, zodToJsonSchema: files('zod-to-json-schema').length };
const { AjvJsonSchemaValidator } = require('@modelcontextprotocol/sdk/validation/ajv-provider.js');
const check = new AjvJsonSchemaValidator().getValidator({ type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] });
const after = { ajv: files('ajv').length };
console.log(JSON.stringify({ before, after, good: check({ n: 1 }).valid, bad: check({ n: 'one' }).valid, badMessage: check({}).errorMessage }));
`;

describe('the SDK v1 server under the router, in a real Node process', () => {
  it('loads without evaluating ajv or zod-to-json-schema, and validates with the real ajv when asked', async () => {
    const { stdout } = await run(process.execPath, ['-e', SCRIPT], { cwd: ROOT });
    const report = JSON.parse(stdout.trim());
    // One entry each: the stand-in at the module's main file, nothing it would require.
    expect(report.before).toEqual({ ajv: 1, ajvFormats: 1, zodToJsonSchema: 1 });
    expect(report.after.ajv).toBeGreaterThan(10);
    expect(report.good).toBe(true);
    expect(report.bad).toBe(false);
    expect(report.badMessage).toMatch(/must have required property 'n'/);
  });
});
