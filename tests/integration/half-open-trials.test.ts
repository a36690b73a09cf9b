/**
 * A half-open circuit admits exactly `half_open_attempts` trials at once, and an answer to a call admitted
 * before the circuit tripped never counts as a trial. With no inspector attached (as a user runs it), the
 * trial permits ride on the one attempt.started the router still sends: to a half-open circuit.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { circuitStateOf } from '../../machines/backend.selectors';
import { eventually, flaky, loaded } from '../helpers/config';
import { startRouterWithClient } from '../helpers/router-client';

describe('half-open trials, with no inspector', () => {
  let env: Awaited<ReturnType<typeof startRouterWithClient>>;
  beforeAll(async () => {
    env = await startRouterWithClient(
      loaded(
        [
          flaky('x', {
            healthCheck: { enabled: false, intervalSeconds: 30, timeoutSeconds: 5 },
            circuitBreaker: { failureThreshold: 1, timeoutSeconds: 0.3, halfOpenAttempts: 2 },
          }),
        ],
        { maxRetries: 0 },
      ),
    );
  }, 30_000);
  afterAll(() => env?.close());

  const snapshot = () => env.router.backendRef('x')!.getSnapshot();
  const call = (name: string, args: Record<string, unknown>) =>
    env.client.callTool({ name: `x__${name}`, arguments: args }).then(
      (r) => ((r as CallToolResult).isError ? 'tool error' : 'ok'),
      (e: Error) => `refused: ${e.message}`,
    );
  const trip = async () => {
    expect(await call('fail', { code: -32603 })).toMatch(/^refused/);
    expect(circuitStateOf(snapshot())).toBe('open');
    await eventually(
      () => circuitStateOf(snapshot()),
      (s) => s === 'halfOpen',
    );
  };

  it('admits two trials out of three calls at once, and closes on their success', async () => {
    await trip();
    const results = await Promise.all([0, 1, 2].map(() => call('read_slow', { ms: 300 })));
    expect(results.filter((r) => r === 'ok')).toHaveLength(2);
    expect(results.filter((r) => /no trial permit free/.test(r))).toHaveLength(1);
    expect(circuitStateOf(snapshot())).toBe('closed');
  });

  it('an answer to a call admitted before the trip is no trial', async () => {
    const slow = call('read_slow', { ms: 1_500 });
    await eventually(
      () => env.router.traffic.inFlight('x'),
      (n) => n === 1,
    );
    await trip();
    expect(await slow).toBe('ok');
    expect(circuitStateOf(snapshot())).toBe('halfOpen');
    expect(snapshot().context.circuit).toMatchObject({ trialSuccesses: 0, trialsInFlight: 0 });
    expect(env.router.traffic.inFlight('x')).toBe(0);
  });
});
