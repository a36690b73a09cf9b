/**
 * Which era the router speaks to a backend: `protocol: auto` probes once and remembers the answer (a reconnect
 * does not probe again); a 2025 stdio server that exits on the probe is started once more without it, and never
 * again after; a backend that speaks none of the versions its config allows is a named, permanent failure (in
 * last_error, not a fast reconnect loop), and the router is not ready on it alone. (Run `npm run build` first.)
 */
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackendSnapshot } from '../../machines/backend.machine';
import { connectionStateOf } from '../../machines/backend.selectors';
import type { BackendConfig } from '../../src/config/types';
import { silentLogger } from '../../src/logging/logger';
import { backendStatus } from '../../src/management/backend-status';
import type { Router } from '../../src/router/router';
import { wireRouter } from '../../src/wiring';
import { readiness } from '../../src/server/http-routes';
import { ROOT, backend, loaded } from '../helpers/config';
import type { ChildProcess } from 'node:child_process';
import { startHttpBackend } from '../fixtures/v2-http';

const V2 = join(ROOT, 'dist', 'tests', 'fixtures', 'v2-backend.js');
const EXITS = join(ROOT, 'dist', 'tests', 'fixtures', 'v2-exits-on-probe.js');
const ASKS = join(ROOT, 'dist', 'tests', 'fixtures', 'client-asks-server.js');

const routers: Router[] = [];
const children: ChildProcess[] = [];
afterAll(async () => {
  await Promise.all(routers.map((r) => r.stop()));
  for (const child of children) child.kill();
});

async function routerWith(config: BackendConfig): Promise<Router> {
  const router = wireRouter({ config: loaded([config]), logger: silentLogger() });
  routers.push(router);
  router.start();
  await router.whenSettled();
  return router;
}

function whenSnapshot(router: Router, name: string, predicate: (s: BackendSnapshot) => boolean): Promise<void> {
  const ref = router.backendRef(name)!;
  if (predicate(ref.getSnapshot())) return Promise.resolve();
  return new Promise((resolve) => {
    const sub = ref.subscribe((s) => {
      if (!predicate(s)) return;
      sub.unsubscribe();
      resolve();
    });
  });
}

const status = (router: Router, name: string) =>
  backendStatus(router.backendConfig(name)!, router.backendRef(name)!.getSnapshot(), router.linkOf(name));

describe('a backend that speaks none of the versions its config allows', () => {
  it.each<[string, () => Promise<BackendConfig>, RegExp]>([
    [
      'protocol: 2026-07-28, a 2025-only stdio server',
      async () => backend('old', { command: process.execPath, args: [ASKS], protocol: '2026-07-28' }),
      /speaks no MCP version the router offers: the router offers 2026-07-28 only/,
    ],
    [
      'protocol: 2025-11-25, a 2026-only stdio server',
      async () => backend('old', { command: process.execPath, args: [V2, '--reject-legacy'], protocol: '2025-11-25' }),
      /speaks no MCP version the router offers: the router offers 2025-11-25 only/,
    ],
    [
      'protocol: 2025-11-25, a 2026-only HTTP server',
      async () => {
        const { url, child } = await startHttpBackend(['--reject-legacy']);
        children.push(child);
        return backend('old', { transport: 'streamable-http', url, protocol: '2025-11-25' });
      },
      /speaks no MCP version the router offers: the router offers 2025-11-25 only/,
    ],
  ])('%s: a named failure that will not heal by retrying, and not ready', async (_name, configOf, named) => {
    const router = await routerWith(await configOf());
    await whenSnapshot(router, 'old', (s) => s.context.lastError !== null);
    const s = status(router, 'old');
    expect(s.last_error).toMatch(named);
    expect(s.last_error).toMatch(/will not heal by retrying/);
    expect(s.connection_state).not.toBe('connected');
    // Permanent: the next attempt waits the longest delay, not a quick retry.
    expect(router.backendRef('old')!.getSnapshot().context.link.hopeless).toBe(true);
    expect(readiness(router)).toMatchObject({ ready: false, unusable: { old: expect.stringMatching(named) } });
  });
});

describe('protocol: auto', () => {
  it('a 2026 backend: the probe’s answer is remembered, so reconnecting sends no server/discover', async () => {
    const { url, child } = await startHttpBackend();
    children.push(child);
    const router = await routerWith(backend('v2', { transport: 'streamable-http', url }));
    const first = router.linkOf('v2')!;
    expect(first.era).toBe('modern');
    const advertised = first.discoverResult;
    expect(status(router, 'v2').protocol_version).toBe('2026-07-28');
    // The link goes down (its listen stream is gone for good, as when the server went away) and comes back.
    const lost = whenSnapshot(router, 'v2', (s) => connectionStateOf(s) !== 'connected');
    router.backendRef('v2')!.send({ type: 'link.lost', at: Date.now(), error: 'test: connection lost' });
    await lost;
    await whenSnapshot(router, 'v2', (s) => connectionStateOf(s) === 'connected');
    const second = router.linkOf('v2')!;
    expect(second).not.toBe(first);
    expect(second.era).toBe('modern');
    // The very advertisement of the first probe: the second connection adopted it instead of probing.
    expect(second.discoverResult).toBe(advertised);
  });

  it('a 2025 stdio server that exits when probed: started once more without the probe, and never probed again', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'mcp-router-spawns-')), 'spawns');
    const spawns = () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').length : 0);
    const router = await routerWith(
      backend('rmcp', { command: process.execPath, args: [EXITS], env: { SPAWN_LOG: log } }),
    );
    await whenSnapshot(router, 'rmcp', (s) => connectionStateOf(s) === 'connected');
    expect(router.linkOf('rmcp')!.era).toBe('legacy');
    expect(spawns()).toBe(2);
    // It dies; the respawn goes straight to initialize (one spawn, no probe to die of).
    const pid = router.linkOf('rmcp')!.pid!;
    const lost = whenSnapshot(router, 'rmcp', (s) => connectionStateOf(s) !== 'connected');
    process.kill(pid, 'SIGKILL');
    await lost;
    await whenSnapshot(router, 'rmcp', (s) => connectionStateOf(s) === 'connected');
    expect(spawns()).toBe(3);
  });
});
