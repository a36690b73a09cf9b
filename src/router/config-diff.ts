/**
 * What a new configuration changes about the running set of backends. Pure: compares normalized configs.
 */
import { isDeepStrictEqual } from 'node:util';
import type { BackendConfig } from '../config/types';

export interface BackendDiff {
  added: BackendConfig[];
  removed: string[];
  changed: BackendConfig[];
  unchanged: string[];
}

export function diffBackends(current: BackendConfig[], next: BackendConfig[]): BackendDiff {
  const before = new Map(current.map((b) => [b.name, b]));
  const after = new Map(next.map((b) => [b.name, b]));
  const diff: BackendDiff = { added: [], removed: [], changed: [], unchanged: [] };
  for (const b of next) {
    const old = before.get(b.name);
    if (!old) diff.added.push(b);
    else if (isDeepStrictEqual(old, b)) diff.unchanged.push(b.name);
    else diff.changed.push(b);
  }
  for (const name of before.keys()) if (!after.has(name)) diff.removed.push(name);
  return diff;
}
