import { deferAsResolvedFrom, deferModule } from '../../src/deferred-module';

/** A module cache and a loader that counts what it evaluates, as Node's would. */
function fakeModules(real: Record<string, unknown>) {
  const cache: NodeJS.Dict<NodeModule> = {};
  const loads: string[] = [];
  const load = (path: string) => {
    loads.push(path);
    // Node's loader returns what the cache holds, and evaluates the module only when it holds nothing.
    expect(cache[path]).toBeUndefined();
    return real;
  };
  return { cache, loads, load };
}

describe('deferModule: a stand-in that loads the real module on first use', () => {
  it('puts a stand-in in the cache and evaluates nothing until something is read from it', () => {
    const { cache, loads, load } = fakeModules({ compile: () => 'compiled' });
    expect(deferModule('/m/ajv.js', true, cache, load)).toBe(true);
    expect(cache['/m/ajv.js']?.loaded).toBe(true);
    expect(loads).toEqual([]);
  });

  it("answers __esModule without loading: TypeScript's default-import helper reads it at require time", () => {
    const { cache, loads, load } = fakeModules({ default: class Ajv {} });
    deferModule('/m/ajv.js', true, cache, load);
    const exports = cache['/m/ajv.js']!.exports as { __esModule?: boolean };
    expect(exports.__esModule).toBe(true);
    expect(loads).toEqual([]);
  });

  it('loads the real module once, at the first read, and forwards every read to it', () => {
    const real = { compile: () => 'compiled', version: 8 };
    const { cache, loads, load } = fakeModules(real);
    deferModule('/m/ajv.js', true, cache, load);
    const exports = cache['/m/ajv.js']!.exports as typeof real;
    expect(exports.compile()).toBe('compiled');
    expect(exports.version).toBe(8);
    expect('compile' in exports).toBe(true);
    expect(Object.keys(exports)).toEqual(['compile', 'version']);
    expect({ ...exports }).toEqual(real);
    expect(loads).toEqual(['/m/ajv.js']);
  });

  it('leaves a module that is already loaded alone', () => {
    const { cache, loads, load } = fakeModules({});
    const loaded = { loaded: true, exports: { real: true } } as unknown as NodeModule;
    cache['/m/ajv.js'] = loaded;
    expect(deferModule('/m/ajv.js', true, cache, load)).toBe(false);
    expect(cache['/m/ajv.js']).toBe(loaded);
    expect(loads).toEqual([]);
  });
});

describe('deferAsResolvedFrom', () => {
  it('defers nothing, and does not throw, when a dependency no longer has the module', () => {
    expect(deferAsResolvedFrom('zod', 'zod/no-such-entry', true)).toBe(false);
    expect(deferAsResolvedFrom('no-such-package', 'anything', true)).toBe(false);
  });
});
