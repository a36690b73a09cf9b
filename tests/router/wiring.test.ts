/**
 * wireRouter connects the parts that depend on each other: the configuration a reload applies is the one every
 * part then reads, and backends a reload adds reach the client sessions already open. No process runs here:
 * the backends are registered with auto_start: false, so their actors stay idle.
 */
import { silentLogger } from '../../src/logging/logger';
import type { Router } from '../../src/router/router';
import { wireRouter } from '../../src/wiring';
import { backend, loaded } from '../helpers/config';

const idle = (name: string, session: 'shared' | 'per-client' = 'shared') =>
  backend(name, { command: '/nonexistent/never-started', autoStart: false, session });

describe('wireRouter', () => {
  let router: Router | undefined;
  afterEach(async () => {
    await router?.stop();
    router = undefined;
  });

  it('builds a router that is not started until asked', () => {
    router = wireRouter({ config: loaded([idle('a')]), logger: silentLogger() });
    expect(router.backendNames()).toEqual(['a']);
    expect(router.backendRef('a')).toBeUndefined();
    router.start();
    expect(router.backendRef('a')?.getSnapshot().context.name).toBe('a');
  });

  it('a reload changes the settings every part reads, and its per-client backends reach open sessions', async () => {
    router = wireRouter({ config: loaded([idle('a')]), logger: silentLogger() });
    router.start();
    await router.openClientSession('s1', 0);
    expect(router.settings.defaultStrategy).toBe('capability');

    const next = loaded([idle('a'), idle('mem', 'per-client')], {
      defaultStrategy: 'fallback',
      requestTimeoutSeconds: 7,
    });
    const applied = await router.applyConfig(next);

    expect(applied).toEqual({ added: ['mem'], removed: [], changed: [] });
    expect(router.settings).toMatchObject({ defaultStrategy: 'fallback', requestTimeoutSeconds: 7 });
    expect(router.loadedConfig.backends.map((b) => b.name)).toEqual(['a', 'mem']);
    // The session opened before the reload gets its own instance of the backend the reload added.
    const [instance, ...more] = router.instancesOf('mem');
    expect(more).toEqual([]);
    expect(instance).toMatch(/^mem#\d+$/);
    expect(router.backendRef(instance!)).toBeDefined();
    expect(router.templateOf(instance!)).toBe('mem');

    await router.closeClientSession('s1');
    expect(router.instancesOf('mem')).toEqual([]);
    expect(router.backendRef(instance!)).toBeUndefined();
  });

  it('a reload that removes a backend takes it out of the pool', async () => {
    router = wireRouter({ config: loaded([idle('a'), idle('b')]), logger: silentLogger() });
    router.start();
    await router.applyConfig(loaded([idle('b')]));
    expect(router.backendNames()).toEqual(['b']);
    expect(router.backendRef('a')).toBeUndefined();
    expect(router.isDraining('a')).toBe(false);
  });
});
