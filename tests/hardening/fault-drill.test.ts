import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/logging/logger';
import { wireRouter } from '../../src/wiring';
import { eventually, flaky, loaded } from '../helpers/config';

const DRILL_MS = 15_000;
const KILL_EVERY_MS = 1_500;
const CLIENTS = 8;
const TIMEOUT_S = 10;

/** Two replicas of namespace `svc`; every 1.5 s one of them is SIGKILLed while 8 clients keep calling. */
async function drill(tool: 'echo' | 'count', countFile?: string) {
  const env: Record<string, string> = countFile ? { FIXTURE_COUNT_FILE: countFile } : {};
  const router = wireRouter({
    // The drill is about failover, not the breaker: a kill's burst of failed calls must not also trip it.
    config: loaded(
      [
        flaky(
          'r1',
          {
            namespace: 'svc',
            priority: 10,
            circuitBreaker: { failureThreshold: 50, timeoutSeconds: 5, halfOpenAttempts: 8 },
          },
          env,
        ),
        flaky(
          'r2',
          {
            namespace: 'svc',
            priority: 10,
            circuitBreaker: { failureThreshold: 50, timeoutSeconds: 5, halfOpenAttempts: 8 },
          },
          env,
        ),
      ],
      { requestTimeoutSeconds: TIMEOUT_S },
    ),
    logger: silentLogger(),
  });
  router.start();
  await router.whenSettled();
  const results = { ok: 0, failed: 0, maxMs: 0, errors: [] as string[], ids: [] as string[], kills: 0, respawns: 0 };
  const start = Date.now();
  const end = start + DRILL_MS;
  let n = 0;
  const client = async () => {
    while (Date.now() < end) {
      const id = `c${n++}`;
      const started = Date.now();
      try {
        await router.dispatcher.forward(
          { method: 'tools/call', name: `svc__${tool}` },
          {
            paramsFor: () => ({ name: tool, arguments: { text: id, id } }),
            retrySafe: (b) =>
              router.catalog.tool(`svc__${tool}`)!.perBackend.get(b)?.annotations?.readOnlyHint === true,
          },
        );
        results.ok++;
        results.ids.push(id);
      } catch (error) {
        results.failed++;
        results.errors.push(String((error as Error).message));
      }
      results.maxMs = Math.max(results.maxMs, Date.now() - started);
      // Agents think between calls; a loop without pause would starve the router it shares a process with.
      await new Promise((r) => setTimeout(r, 2));
    }
  };
  // Kills on a fixed schedule, alternating replicas; each kill is followed by a check that it came back.
  const comebacks: Promise<void>[] = [];
  const killer = (async () => {
    for (let k = 1; k * KILL_EVERY_MS < DRILL_MS; k++) {
      await new Promise((r) => setTimeout(r, Math.max(0, start + k * KILL_EVERY_MS - Date.now())));
      const name = k % 2 === 1 ? 'r1' : 'r2';
      const pid = router.linkOf(name)?.pid;
      if (!pid) continue;
      process.kill(pid, 'SIGKILL');
      results.kills++;
      comebacks.push(
        eventually(
          () => router.linkOf(name)?.pid,
          (p) => p !== undefined && p !== pid,
          // How soon it comes back is the soak's figure to measure; here it only has to come back.
          30_000,
        ).then(() => void results.respawns++),
      );
    }
    await Promise.all(comebacks);
  })();
  await Promise.all([...Array.from({ length: CLIENTS }, client), killer]);
  await router.stop();
  return results;
}

describe('fault drill under load: a replica killed every 1.5 s for 15 s', () => {
  it('read-only calls: every call is answered, none fails, none waits past the timeout, the replica comes back', async () => {
    const r = await drill('echo');
    expect(r.errors).toEqual([]);
    expect(r.failed).toBe(0);
    // Calls went through all along (how many per second is the bench's figure, not an assertion).
    expect(r.ok).toBeGreaterThan(CLIENTS);
    expect(r.maxMs).toBeLessThan(TIMEOUT_S * 1000);
    expect(r.kills).toBeGreaterThanOrEqual(6);
    expect(r.respawns).toBe(r.kills);
  }, 60_000);

  it('calls that are not read-only: none is executed twice', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'drill-')), 'served.txt');
    writeFileSync(file, '');
    const r = await drill('count', file);
    const served = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    expect(new Set(served).size).toBe(served.length);
    // Every call the client saw succeed was served exactly once; a failed one at most once.
    const servedSet = new Set(served);
    expect(r.ids.filter((id) => !servedSet.has(id))).toEqual([]);
    expect(served.length).toBeLessThanOrEqual(r.ok + r.failed);
    expect(r.maxMs).toBeLessThan(TIMEOUT_S * 1000);
    expect(r.respawns).toBe(r.kills);
  }, 60_000);
});
