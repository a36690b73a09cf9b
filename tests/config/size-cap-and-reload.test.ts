/**
 * Config files are read with a size cap (a huge file is refused before it is read), reloads read them off
 * the event loop, and a refused reload tells the MCP caller the field and the problem, never the file's lines.
 */
import * as fs from 'node:fs';
import { openSync, closeSync, ftruncateSync } from 'node:fs';

// Every read the loader makes is counted: a refused huge file must not be read at all.
jest.mock('node:fs', () => {
  const actual = jest.requireActual('node:fs');
  return { ...actual, readSync: jest.fn(actual.readSync) };
});
import { loadConfig, loadConfigAsync, DEFAULT_MAX_CONFIG_BYTES } from '../../src/config';
import { ConfigError } from '../../src/errors';
import { silentLogger } from '../../src/logging/logger';
import { publicIssueLine, publicIssues } from '../../src/config/public-issues';
import { ConfigReloader } from '../../src/router/config-reloader';
import { loaded } from '../helpers/config';
import { startRouterWithClient } from '../helpers/router-client';
import { refusalOf, writeConfig } from './config-files';

/** A 300 MB file that takes no disk: sparse. */
function hugeFile(): string {
  const file = writeConfig('huge.yaml', '');
  const fd = openSync(file, 'r+');
  ftruncateSync(fd, 300 * 1024 * 1024);
  closeSync(fd);
  return file;
}

describe('the config size cap', () => {
  it('refuses a 300 MB file without reading it, naming the file and the cap', async () => {
    const file = hugeFile();
    const reads = fs.readSync as unknown as jest.Mock;
    reads.mockClear();
    const refusal = refusalOf(() => loadConfig(file, { env: {} }));
    expect(reads).not.toHaveBeenCalled();
    expect(refusal.file).toBe(file);
    expect(refusal.message).toContain(file);
    expect(refusal.issues[0]!.problem).toMatch(new RegExp(`${DEFAULT_MAX_CONFIG_BYTES}-byte cap`));
    await expect(loadConfigAsync(file, { env: {} })).rejects.toThrow(/byte cap/);
  });

  it('applies a smaller cap when given one, sync and async, and reads files under it', async () => {
    const file = writeConfig('b.yaml', `backends: []\n# ${'x'.repeat(2000)}\n`);
    expect(() => loadConfig(file, { env: {}, maxBytes: 1024 })).toThrow(ConfigError);
    await expect(loadConfigAsync(file, { env: {}, maxBytes: 1024 })).rejects.toThrow(/1024-byte cap/);
    (fs.readSync as unknown as jest.Mock).mockClear();
    expect(loadConfig(file, { env: {} }).backends).toEqual([]);
    expect(fs.readSync).toHaveBeenCalled(); // the counter above sees the loader's reads
    expect((await loadConfigAsync(file, { env: {} })).backends).toEqual([]);
  });
});

describe('a refused reload over MCP', () => {
  // As if the config path pointed at a file only the router may read.
  const PRIVATE = [
    'root:x:0:0:root:/root:/bin/bash: 1',
    'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin: 2',
    'alice-private-line-with-secret-0xdeadbeef: 3',
    ...Array.from({ length: 8 }, (_, i) => `line${i}-hidden-content-long-enough-to-hide-${i}: ${i}`),
  ];

  it('names the field and the problem, not the file lines', async () => {
    const file = writeConfig('private.yaml', `backends: []\nnamepsace: x\n${PRIVATE.join('\n')}\n`);
    const r = await startRouterWithClient(loaded([]));
    const reloader = new ConfigReloader(r.router, () => loadConfigAsync(file, { env: {} }), silentLogger());
    r.router.managementHooks = { reload: () => reloader.reload('test') };
    try {
      const answer = await r.client.callTool({ name: 'reload_backends_config', arguments: {} });
      expect(answer.isError).toBe(true);
      const text = JSON.stringify(answer);
      const refused = (answer.structuredContent as { refused: string[] }).refused;
      expect(refused[0]).toBe('namepsace: unknown key "namepsace" (did you mean "namespace"?)');
      for (const fragment of ['root:x', '/bin/bash', 'daemon', 'deadbeef', 'alice', 'hidden-content'])
        expect(text).not.toContain(fragment);
      expect(refused.length).toBeLessThanOrEqual(6);
      expect(refused.at(-1)).toMatch(/more problem\(s\): the router's log lists them all/);
    } finally {
      reloader.close();
      await r.close();
    }
  });

  it('keeps short plain names, escapes control characters, cuts long lines', () => {
    expect(publicIssueLine('backends[0].comand: unknown key "comand" (did you mean "command"?)')).toBe(
      'backends[0].comand: unknown key "comand" (did you mean "command"?)',
    );
    expect(publicIssueLine('["a b\\u0007"]: unknown key "a b\\u0007"')).toBe(
      '[(4 characters from the file)]: unknown key (4 characters from the file)',
    );
    expect(publicIssueLine('x: \u0007bell')).toBe('x: \\u0007bell');
    expect(publicIssueLine(`x: ${'y'.repeat(500)}`).length).toBeLessThanOrEqual(200);
    expect(publicIssues(Array.from({ length: 9 }, (_, i) => `p${i}: bad`))).toHaveLength(6);
  });
});
