/**
 * Stand-ins in Node's module cache for modules a dependency requires as it loads but the router never runs (or
 * runs only on a rare path): each loads the real module the first time anything is read from it, so what
 * changes is when a module loads, not what it does. At start-up every ms of loading is taken from the stdio
 * backends booting beside the router (or, before the first spawn, added to their start). Users:
 * `config/zod.ts`, `server/sdk-v1-stand-ins.ts` and `protocol/sdk-client.ts`.
 *
 * Under jest, whose modules do not live in `require.cache`, a stand-in is never found: the real module loads.
 */
import { createRequire, Module } from 'node:module';
import { dirname } from 'node:path';

type Exports = Record<PropertyKey, unknown>;

const requireModule = createRequire(__filename);

/** Resolves a module request as a file in `fromPackage` would (the path an SDK's own `require` finds). */
export function resolveFrom(fromPackage: string, request: string): string {
  return requireModule.resolve(request, { paths: [dirname(requireModule.resolve(fromPackage))] });
}

/**
 * Puts a stand-in for the module at `path` in `cache`, unless it is loaded already. The stand-in loads the
 * real module (`load`) the first time anything is read from it. `esModule` is what the real module says in
 * `__esModule`, answered without loading it: TypeScript's default-import helper reads it at require time.
 */
export function deferModule(
  path: string,
  esModule: boolean,
  cache: NodeJS.Dict<NodeModule> = requireModule.cache,
  load: (path: string) => Exports = (p) => requireModule(p) as Exports,
): boolean {
  if (cache[path]) return false;
  let real: Exports | undefined;
  const standIn = new Module(path);
  const target = (): Exports => {
    if (!real) {
      // Out of the cache first, so that `load` evaluates the module instead of returning the stand-in.
      if (cache[path] === standIn) delete cache[path];
      real = load(path);
    }
    return real;
  };
  standIn.filename = path;
  standIn.loaded = true;
  standIn.exports = new Proxy<Exports>(
    {},
    {
      get: (_, key) => (key === '__esModule' && !real ? esModule : Reflect.get(target(), key)),
      has: (_, key) => Reflect.has(target(), key),
      ownKeys: () => Reflect.ownKeys(target()),
      getOwnPropertyDescriptor: (_, key) => {
        const descriptor = Reflect.getOwnPropertyDescriptor(target(), key);
        // The proxy's own target is empty: a property it reports must be configurable.
        return descriptor && { ...descriptor, configurable: true };
      },
    },
  );
  cache[path] = standIn;
  return true;
}

/**
 * Defers `request` as `fromPackage`'s own `require` would find it. Returns false, and defers nothing, when it
 * does not resolve (a dependency's layout changed): the module then loads as usual, and nothing breaks.
 */
export function deferAsResolvedFrom(fromPackage: string, request: string, esModule: boolean): boolean {
  let path: string;
  try {
    path = resolveFrom(fromPackage, request);
  } catch {
    return false;
  }
  return deferModule(path, esModule);
}
