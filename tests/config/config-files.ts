/** Helpers for the config tests: throwaway files, and a refusal captured for its file, paths and problems. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Env } from '../../src/config';
import { ConfigError, type ConfigIssue } from '../../src/errors';

export const FIXTURES = join(__dirname, '..', 'fixtures', 'config');

/** Writes `content` to a fresh directory; returns the file's absolute path. */
export function writeConfig(name: string, content: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'mcp-router-config-')), name);
  writeFileSync(file, content);
  return file;
}

export interface Refusal {
  file: string;
  message: string;
  issues: ConfigIssue[];
}

/** Runs `fn`, which must throw a ConfigError, and returns what it said. */
export function refusalOf(fn: () => unknown): Omit<Refusal, 'file'> & { file: string } {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { file: error.file, message: error.message, issues: error.issues };
  }
  throw new Error('expected a ConfigError, but nothing was thrown');
}

/** Loads `content` as a config file that must be refused. */
export function refuse(content: string, options: { name?: string; env?: Env } = {}): Refusal {
  const file = writeConfig(options.name ?? 'backends.yaml', content);
  return { ...refusalOf(() => loadConfig(file, { env: options.env ?? {} })), file };
}
