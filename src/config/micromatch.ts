/**
 * micromatch, loaded when a glob is first checked or matched rather than with the modules that use it: a config
 * without route patterns never needs it, and one with them needs it after the backends' processes are spawned
 * (routing), or for a moment while the config is checked. Its types are imported as types.
 */
import type Micromatch from 'micromatch';

let loaded: typeof Micromatch | undefined;

export function micromatch(): typeof Micromatch {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a deferred load, for the reason above
  return (loaded ??= require('micromatch') as typeof Micromatch);
}
