/**
 * The SDK v1 server without what the router never runs. Its modules require ajv (with ajv-formats) and
 * zod-to-json-schema as they load: about 70 of the 600 ms of CPU the router spent starting with 20 stdio
 * backends, taken from the backends booting beside it. The router runs neither: ajv only checks an answer to
 * the Server's own `elicitInput` (the router relays a backend's elicitation, and the backend judges the
 * answer), and zod-to-json-schema only serves `McpServer`'s tool schemas. Each is put in the module cache as a
 * stand-in that loads the real module on first use, so what changes is when they load, not what they do.
 *
 * Imported for its effect, before the first import of the SDK's server (client-session.ts): the stand-ins must
 * be in place before its modules load. Under jest, whose modules do not live in `require.cache`, it does nothing.
 */
import { createRequire, Module } from 'node:module';
import { dirname } from 'node:path';

type Exports = Record<PropertyKey, unknown>;

const requireModule = createRequire(__filename);

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

/** The modules the SDK v1 server requires and the router does not run, as the SDK resolves them. */
const UNUSED_BY_THE_ROUTER: { request: string; esModule: boolean }[] = [
  { request: 'ajv', esModule: true },
  { request: 'ajv-formats', esModule: true },
  { request: 'zod-to-json-schema', esModule: true },
];

const sdkDir = dirname(requireModule.resolve('@modelcontextprotocol/sdk/server/index.js'));
for (const { request, esModule } of UNUSED_BY_THE_ROUTER)
  deferModule(requireModule.resolve(request, { paths: [sdkDir] }), esModule);
