/**
 * A half-open circuit admits exactly `half_open_attempts` trials at once, and an answer to a call admitted
 * before the circuit tripped never counts as a trial. With no inspector attached (as a user runs it), the
 * trial permits ride on the one attempt.started the router still sends: to a half-open circuit. A read-only
 * call that finds every permit taken waits for one (issue 17 item 9); any other call is refused.
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

  it('admits two trials at once: a third read-only call waits for them to close the circuit, then runs', async () => {
    await trip();
    const results = Promise.all([0, 1, 2].map(() => call('read_slow', { ms: 300 })));
    await eventually(
      () => snapshot().context.circuit.trialsInFlight,
      (n) => n === 2,
    );
    // Two trials went out; the third is held back, not refused.
    expect(env.router.traffic.inFlight('x')).toBe(2);
    expect(await results).toEqual(['ok', 'ok', 'ok']);
    expect(circuitStateOf(snapshot())).toBe('closed');
  });

  it('a call that is not read-only is refused while both trial permits are taken (it may not wait and run late)', async () => {
    await trip();
    const trials = Promise.all([0, 1].map(() => call('read_slow', { ms: 300 })));
    await eventually(
      () => snapshot().context.circuit.trialsInFlight,
      (n) => n === 2,
    );
    expect(await call('count', {})).toMatch(/no trial permit free/);
    expect(await trials).toEqual(['ok', 'ok']);
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
