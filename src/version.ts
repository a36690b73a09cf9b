/** The package version, read once from package.json (works from src/ under ts-jest and from dist/src/). */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

function findPackageJson(start: string): string | undefined {
  let dir = start;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string };
      if (pkg.name === 'mcp-router') return candidate;
    }
    dir = dirname(dir);
  }
  return undefined;
}

export const PACKAGE_JSON = findPackageJson(__dirname);
export const PACKAGE_ROOT = PACKAGE_JSON ? dirname(PACKAGE_JSON) : process.cwd();
export const VERSION: string = PACKAGE_JSON
  ? (JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version: string }).version
  : '0.0.0';
