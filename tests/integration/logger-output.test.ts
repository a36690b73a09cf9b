/**
 * What the built logger writes, in a process of its own (real winston, real stderr): which lines a level lets
 * through, text and JSON, a child's fields. Secrets scrubbed and the CLI's own lines are checked through the
 * real CLI (tests/e2e, tests/hardening/hostile-values.test.ts).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../helpers/config';

const run = promisify(execFile);

/** What a logger at `level` writes for one line at each level and one from a child. */
async function linesWritten(level: string, format: 'text' | 'json' = 'text'): Promise<string[]> {
  const script = `
const { createLogger } = require(${JSON.stringify(join(ROOT, 'dist', 'src', 'logging', 'logger.js'))});
const logger = createLogger({ level: ${JSON.stringify(level)}, format: ${JSON.stringify(format)} });
for (const at of ['error', 'warn', 'info', 'debug']) logger[at]('a line at ' + at);
logger.child({ backend: 'b1' }).info('from a child');
`;
  const { stdout, stderr } = await run(process.execPath, ['-e', script], { cwd: ROOT });
  // stdout is the protocol's channel in stdio mode: no log line may reach it.
  expect(stdout).toBe('');
  return stderr.split('\n').filter(Boolean);
}

describe('the logger, as built', () => {
  it('writes, on stderr only, the lines at its level and above', async () => {
    const warn = await linesWritten('warn');
    expect(warn).toHaveLength(2);
    expect(warn[0]).toMatch(/ error a line at error$/);
    expect(warn[1]).toMatch(/ warn a line at warn$/);

    const info = await linesWritten('info');
    // Each text line: timestamp, level, message, then a child's fields as JSON.
    expect(info.map((l) => l.replace(/^\S+ /, ''))).toEqual([
      'error a line at error',
      'warn a line at warn',
      'info a line at info',
      'info from a child {"backend":"b1"}',
    ]);

    expect(await linesWritten('debug')).toHaveLength(5);
  });

  it("writes JSON lines when asked, with a child's fields", async () => {
    const lines = (await linesWritten('info', 'json')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.level)).toEqual(['error', 'warn', 'info', 'info']);
    expect(lines[3]).toMatchObject({ message: 'from a child', backend: 'b1' });
    expect(typeof lines[0]!.timestamp).toBe('string');
  });
});
