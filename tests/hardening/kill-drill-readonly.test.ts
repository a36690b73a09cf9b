/**
 * Kill drill, issue 17 item 9: two replicas of one namespace are killed in turn, the second while the first
 * is still down, so that at times both are. Read-only calls (some in flight at each kill) must all be answered:
 * retried after "Connection closed", waiting for a replica that reconnects or is half-open. Calls that are not
 * read-only may fail, but none may run twice. The drill steps on events (a replica seen down, seen back), not
 * on a schedule; it asserts no throughput and no deadline.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectionStateOf } from '../../machines/backend.selectors';
import { silentLogger } from '../../src/logging/logger';
import { wireRouter } from '../../src/wiring';
import { flaky, loaded } from '../helpers/config';

const ROUNDS = 4;
const READ_ONLY_CLIENTS = 6;
const COUNTING_CLIENTS = 2;

describe('kill drill: both replicas of a namespace down at times', () => {
  it('loses no read-only call, and runs no other call twice', async () => {
    const countFile = join(mkdtempSync(join(tmpdir(), 'kill-drill-')), 'served.txt');
    writeFileSync(countFile, '');
    // The breaker as a user has it by default (a kill's burst of failures may trip it; a reconnection
    // makes it half-open with one trial permit).
    const replica = (name: string) =>
      flaky(name, { namespace: 'svc', priority: 10 }, { FIXTURE_COUNT_FILE: countFile });
    const router = wireRouter({ config: loaded([replica('r1'), replica('r2')]), logger: silentLogger() });
    router.start();
    await router.whenSettled();

    /** Resolves when the backend reaches the connection state (now or later), told by the router's own events. */
    const reaches = (name: string, state: 'connected' | 'reconnecting') =>
      new Promise<void>((resolve) => {
        const ref = router.backendRef(name)!;
        if (connectionStateOf(ref.getSnapshot()) === state) return resolve();
        const sub = ref.subscribe((s) => {
          if (connectionStateOf(s) !== state) return;
          sub.unsubscribe();
          resolve();
        });
      });
    await Promise.all([reaches('r1', 'connected'), reaches('r2', 'connected')]);

    const readOnlyErrors: string[] = [];
    let readOnlyOk = 0;
    let readOnlyPending = 0;
    const countedOk: string[] = [];
    let running = true;
    let n = 0;
    const retrySafe = (tool: string) => (backend: string) =>
      router.catalog.tool(`svc__${tool}`)?.perBackend.get(backend)?.annotations?.readOnlyHint === true;
    /** Calls each read-only client has finished: a round starts once every call of the last one has ended. */
    const finished = Array.from({ length: READ_ONLY_CLIENTS }, () => 0);
    const readOnlyClient = async (slow: boolean, index: number) => {
      while (running) {
        const tool = slow ? 'read_slow' : 'echo';
        readOnlyPending++;
        try {
          await router.dispatcher.forward(
            { method: 'tools/call', name: `svc__${tool}` },
            { paramsFor: () => ({ name: tool, arguments: { ms: 40, text: 'x' } }), retrySafe: retrySafe(tool) },
          );
          readOnlyOk++;
        } catch (error) {
          readOnlyErrors.push((error as Error).message);
        } finally {
          readOnlyPending--;
          finished[index]!++;
        }
        // Give the event loop to the router and the killer between calls.
        await new Promise((r) => setImmediate(r));
      }
    };
    const countingClient = async () => {
      while (running) {
        const id = `c${n++}`;
        try {
          await router.dispatcher.forward(
            { method: 'tools/call', name: 'svc__count' },
            { paramsFor: () => ({ name: 'count', arguments: { id } }), retrySafe: retrySafe('count') },
          );
          countedOk.push(id);
        } catch {
          // A call that is not read-only may fail when its replica dies; it must not be run again.
        }
        await new Promise((r) => setImmediate(r));
      }
    };
    const clients = [
      ...Array.from({ length: READ_ONLY_CLIENTS }, (_, i) => readOnlyClient(i % 2 === 0, i)),
      ...Array.from({ length: COUNTING_CLIENTS }, countingClient),
    ];

    let bothDownWithCallsWaiting = 0;
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const [first, second] = round % 2 === 0 ? ['r1', 'r2'] : ['r2', 'r1'];
        // Each round's kills meet fresh calls: every call in flight when the last round ended (some waited
        // through it) has finished, and calls are running again, so some die mid-call.
        const before = [...finished];
        await until(() => finished.every((count, i) => count >= before[i]! + 2));
        process.kill(router.linkOf(first)!.pid!, 'SIGKILL');
        await reaches(first, 'reconnecting');
        // The other replica dies while the first is still reconnecting: for a moment, both are down.
        process.kill(router.linkOf(second)!.pid!, 'SIGKILL');
        await reaches(second, 'reconnecting');
        if (connectionStateOf(router.backendRef(first)!.getSnapshot()) !== 'connected' && readOnlyPending > 0)
          bothDownWithCallsWaiting++;
        await Promise.all([reaches(first, 'connected'), reaches(second, 'connected')]);
      }
      const before = [...finished];
      await until(() => finished.every((count, i) => count >= before[i]! + 2));
    } finally {
      running = false;
      await Promise.all(clients);
      await router.stop();
    }

    expect(readOnlyErrors).toEqual([]);
    expect(readOnlyOk).toBeGreaterThan(0);
    expect(bothDownWithCallsWaiting).toBeGreaterThan(0);
    const served = readFileSync(countFile, 'utf8').split('\n').filter(Boolean);
    expect(served.length).toBe(new Set(served).size);
    // Every counted call the client saw succeed was served exactly once.
    const servedSet = new Set(served);
    expect(countedOk.filter((id) => !servedSet.has(id))).toEqual([]);
  }, 120_000);
});

/** Resolves once the condition holds, checking after each turn of the event loop (the clients' progress). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 5));
}
