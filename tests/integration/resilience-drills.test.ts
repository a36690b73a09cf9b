import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { eventually, flaky, loaded } from '../helpers/config';
import { startRouterWithClient } from '../helpers/router-client';

type Env = Awaited<ReturnType<typeof startRouterWithClient>>;

const textOf = (r: unknown) => ((r as CallToolResult).content[0] as { text: string }).text;
const health = async (env: Env, name: string) =>
  (await env.client.callTool({ name: 'get_backend_health', arguments: { backend_name: name } }))
    .structuredContent as Record<string, any>;

describe('resilience drills against real processes', () => {
  let env: Env | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  it('a stdio backend killed mid-call: the call gets an error, the backend is respawned and serves again', async () => {
    env = await startRouterWithClient(loaded([flaky('solo')]));
    await expect(env.client.callTool({ name: 'solo__crash', arguments: {} })).rejects.toThrow(/closed|backend/i);
    await eventually(
      () => health(env!, 'solo'),
      (h) => h.connection_state === 'connected' && h.reconnect_attempts === 0,
    );
    expect(textOf(await env.client.callTool({ name: 'solo__echo', arguments: { text: 'back' } }))).toBe('back');
  });

  it('a read-only call fails over from a failing primary to its replica with no error reaching the client', async () => {
    env = await startRouterWithClient(
      loaded([
        flaky('primary', { namespace: 'svc', priority: 10 }, { FIXTURE_FAIL_ALL: '1' }),
        flaky('replica', { namespace: 'svc', priority: 20 }),
      ]),
    );
    expect(textOf(await env.client.callTool({ name: 'svc__whoami', arguments: {} }))).toBe('replica');
    expect((await health(env, 'primary')).error_count).toBe(1);
  });

  it('a call that is not read-only is never sent twice, even when its backend fails', async () => {
    env = await startRouterWithClient(
      loaded(
        [flaky('primary', { namespace: 'svc', priority: 10 }), flaky('replica', { namespace: 'svc', priority: 20 })],
        { requestTimeoutSeconds: 1 },
      ),
    );
    await expect(env.client.callTool({ name: 'svc__hang', arguments: {} })).rejects.toThrow(/no answer within 1 s/);
    // What the preferred replica ran: `served` is read-only and goes where `hang` went (lowest priority number).
    const served = async () =>
      ((await env!.client.callTool({ name: 'svc__served', arguments: {} })).structuredContent as { hang: number }).hang;
    const primary = await health(env, 'primary');
    const replica = await health(env, 'replica');
    expect(primary.requests + replica.requests).toBe(1);
    expect(await served()).toBe(1);
  });

  it('a backend that never answers: timeout error, and the backend is told to cancel', async () => {
    env = await startRouterWithClient(loaded([flaky('slowpoke')], { requestTimeoutSeconds: 1 }));
    await expect(env.client.callTool({ name: 'slowpoke__hang', arguments: {} })).rejects.toThrow(
      /no answer within 1 s/,
    );
    await eventually(
      () => health(env!, 'slowpoke'),
      (h) => h.in_flight === 0 && h.last_error === 'no answer within 1 s',
    );
    // The fixture counts the notifications/cancelled it received for its hanging calls.
    const served = async () =>
      (await env!.client.callTool({ name: 'slowpoke__served', arguments: {} })).structuredContent as {
        cancelled: number;
      };
    await eventually(served, (s) => s.cancelled === 1);
  });

  it("a client's cancel reaches the backend running the call, and counts as no failure", async () => {
    env = await startRouterWithClient(loaded([flaky('slowpoke')], { requestTimeoutSeconds: 30 }));
    const controller = new AbortController();
    const call = env.client.callTool({ name: 'slowpoke__hang', arguments: {} }, undefined, {
      signal: controller.signal,
    });
    const served = async () =>
      (await env!.client.callTool({ name: 'slowpoke__served', arguments: {} })).structuredContent as {
        hang: number;
        cancelled: number;
      };
    await eventually(served, (s) => s.hang === 1);
    controller.abort('the user changed their mind');
    await expect(call).rejects.toThrow(/changed their mind/);
    await eventually(served, (s) => s.cancelled === 1);
    expect(await served()).toEqual({ count: 0, hang: 1, cancelled: 1 });
    const after = await health(env, 'slowpoke');
    expect(after).toMatchObject({ in_flight: 0, error_count: 0, circuit_state: 'CLOSED', last_error: null });
  });

  it('a backend that fails all its pings turns unhealthy and is skipped with a reason', async () => {
    env = await startRouterWithClient(
      loaded([
        flaky(
          'sick',
          { healthCheck: { enabled: true, intervalSeconds: 0.1, timeoutSeconds: 1 } },
          { FIXTURE_FAIL_PINGS: '1' },
        ),
      ]),
    );
    await eventually(
      () => health(env!, 'sick'),
      (h) => h.health_state === 'unhealthy',
    );
    await expect(env.client.callTool({ name: 'sick__echo', arguments: { text: 'x' } })).rejects.toThrow(
      /sick: unhealthy/,
    );
  });

  it('the circuit opens after failure_threshold failures and the next call is refused at once', async () => {
    env = await startRouterWithClient(
      loaded(
        [
          flaky(
            'weak',
            { circuitBreaker: { failureThreshold: 2, timeoutSeconds: 60, halfOpenAttempts: 1 } },
            { FIXTURE_FAIL_ALL: '1' },
          ),
        ],
        { maxRetries: 0 },
      ),
    );
    await expect(env.client.callTool({ name: 'weak__count', arguments: {} })).rejects.toThrow(/fails on purpose/);
    await expect(env.client.callTool({ name: 'weak__count', arguments: {} })).rejects.toThrow(/fails on purpose/);
    expect((await health(env, 'weak')).circuit_state).toBe('OPEN');
    await expect(env.client.callTool({ name: 'weak__count', arguments: {} })).rejects.toThrow(/weak: circuit open/);
  });

  it('tool results with isError and invalid-params errors do not count as failures', async () => {
    env = await startRouterWithClient(
      loaded([flaky('picky', { circuitBreaker: { failureThreshold: 1, timeoutSeconds: 60, halfOpenAttempts: 1 } })]),
    );
    const result = (await env.client.callTool({ name: 'picky__tool_error', arguments: {} })) as CallToolResult;
    expect(result.isError).toBe(true);
    await expect(env.client.callTool({ name: 'picky__fail', arguments: { code: -32602 } })).rejects.toThrow(/-32602/);
    const h = await health(env, 'picky');
    expect([h.circuit_state, h.consecutive_failures]).toEqual(['CLOSED', 0]);
  });
});
