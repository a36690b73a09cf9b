/**
 * "Resource not found" (-32002) is a backend answering, not failing: it never counts against its breaker,
 * and it is never asked again of the same backend; but another backend that may have the resource is asked.
 */
import type { ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { flaky, loaded } from '../helpers/config';
import { startRouterWithClient } from '../helpers/router-client';

describe('resources/read and "not found"', () => {
  let env: Awaited<ReturnType<typeof startRouterWithClient>>;
  beforeAll(async () => {
    env = await startRouterWithClient(
      loaded([
        flaky('first', { priority: 1 }, { FIXTURE_RESOURCES: '1' }),
        flaky('second', { priority: 2 }, { FIXTURE_RESOURCES: '1', FIXTURE_UNLISTED_URI: 'other://only-second' }),
      ]),
    );
  }, 30_000);
  afterAll(() => env?.close());

  const health = async (backend: string) =>
    (await env.client.callTool({ name: 'get_backend_health', arguments: { backend_name: backend } }))
      .structuredContent as { circuit_state: string; consecutive_failures: number; requests: number };

  it('fails over to the backend that has it; the one that said "not found" is not counted against', async () => {
    const read = (await env.client.readResource({ uri: 'other://only-second' })) as ReadResourceResult;
    expect(read.contents[0]).toMatchObject({ text: 'unlisted, from second' });
    expect(await health('first')).toMatchObject({ circuit_state: 'CLOSED', consecutive_failures: 0, requests: 1 });
  });

  it('a resource nobody has: each backend is asked once, the answer is the backend\'s own "not found"', async () => {
    const before = [(await health('first')).requests, (await health('second')).requests];
    await expect(env.client.readResource({ uri: 'other://nowhere' })).rejects.toThrow(/-32002.*Resource not found/);
    const after = [(await health('first')).requests, (await health('second')).requests];
    expect(after).toEqual([before[0]! + 1, before[1]! + 1]);
    expect(await health('second')).toMatchObject({ circuit_state: 'CLOSED', consecutive_failures: 0 });
  });
});
