/**
 * Held calls of 2026 clients, on a simulated clock: input rounds, answers the client left out, the signed
 * state, expiry and the caps.
 */
import { SimulatedClock } from 'xstate';
import type { RouterError } from '../../src/errors';
import { HeldCalls, ModernCall, type CallRound } from '../../src/server/held-calls';
import { RequestStateSealer } from '../../src/server/request-state';

type Fields = Record<string, unknown>;

function round(capabilities: Fields = { elicitation: {}, sampling: {} }): CallRound {
  return { clientCapabilities: capabilities, notify: () => {}, onClientGone: () => () => {} };
}

/** A backend call that asks the client `asks` times, one after another, then answers with what it got. */
function askingCall(call: ModernCall, asks: string[]): void {
  call.run(async () => {
    const answers: unknown[] = [];
    for (const method of asks) answers.push(await call.ask(method, { n: answers.length }));
    return { content: [{ type: 'text', text: JSON.stringify(answers) }] };
  });
}

describe('held calls', () => {
  it('carry a call through several input rounds to its result', async () => {
    const held = new HeldCalls({ clock: new SimulatedClock() });
    const call = new ModernCall('client-a', 'tools/call', 'tool');
    askingCall(call, ['elicitation/create', 'sampling/createMessage']);

    const first = await held.serve(call, round());
    expect(first).toMatchObject({
      kind: 'input_required',
      inputRequests: { 'input-1': { method: 'elicitation/create' } },
    });
    expect(held.size).toBe(1);

    const resumed = held.resume((first as { requestState: string }).requestState, 'tools/call', 'tool');
    resumed.answer({ 'input-1': { action: 'accept' } });
    const second = await held.serve(resumed, round());
    expect(second).toMatchObject({
      kind: 'input_required',
      inputRequests: { 'input-2': { method: 'sampling/createMessage' } },
    });

    const again = held.resume((second as { requestState: string }).requestState, 'tools/call', 'tool');
    again.answer({ 'input-2': { role: 'assistant' } });
    const done = await held.serve(again, round());
    expect(done).toEqual({
      kind: 'result',
      result: { content: [{ type: 'text', text: JSON.stringify([{ action: 'accept' }, { role: 'assistant' }]) }] },
    });
    expect(held.size).toBe(0);
  });

  it('asks again for what the client left out of its answers', async () => {
    const held = new HeldCalls({ clock: new SimulatedClock() });
    const call = new ModernCall('client-a', 'tools/call', 'tool');
    askingCall(call, ['elicitation/create']);
    const first = (await held.serve(call, round())) as { requestState: string };
    const resumed = held.resume(first.requestState, 'tools/call', 'tool');
    resumed.answer({ 'some-other-key': { action: 'accept' } });
    expect(await held.serve(resumed, round())).toMatchObject({
      kind: 'input_required',
      inputRequests: { 'input-1': { method: 'elicitation/create' } },
    });
  });

  it('refuse a tampered state, one signed by another router, and one for another request', async () => {
    const held = new HeldCalls({ clock: new SimulatedClock() });
    const call = new ModernCall('client-a', 'tools/call', 'tool');
    askingCall(call, ['elicitation/create']);
    const { requestState } = (await held.serve(call, round())) as { requestState: string };

    const foreign = new RequestStateSealer().seal({ call: call.id, method: 'tools/call', name: 'tool', expires: 1e15 });
    expect(() => held.resume(`${requestState.slice(0, -2)}xx`, 'tools/call', 'tool')).toThrow(/integrity/);
    expect(() => held.resume(foreign, 'tools/call', 'tool')).toThrow(/integrity/);
    expect(() => held.resume(requestState, 'tools/call', 'another')).toThrow(/issued for tools\/call tool/);
    expect(() => held.resume('not a state', 'tools/call', 'tool')).toThrow(/not issued by this router/);
    // None of those took the call out of holding: the right state still works.
    expect(held.resume(requestState, 'tools/call', 'tool')).toBe(call);
  });

  it('expire: the backend call is cancelled and the state names nothing any more', async () => {
    const clock = new SimulatedClock();
    const held = new HeldCalls({ clock, ttlMs: 60_000 });
    const call = new ModernCall('client-a', 'tools/call', 'tool');
    askingCall(call, ['elicitation/create']);
    const { requestState } = (await held.serve(call, round())) as { requestState: string };

    clock.increment(59_999);
    expect(call.controller.aborted).toBe(false);
    clock.increment(1);
    expect(call.controller.aborted).toBe(true);
    expect((call.controller.reason as RouterError).code).toBe('TIMEOUT');
    expect(held.size).toBe(0);
    expect(() => held.resume(requestState, 'tools/call', 'tool')).toThrow(/expired/);
  });

  it('are capped per client and in all; a call over a cap is cancelled with an error that says why', async () => {
    const held = new HeldCalls({ clock: new SimulatedClock(), maxPerClient: 2, maxTotal: 3 });
    const start = async (client: string) => {
      const call = new ModernCall(client, 'tools/call', 'tool');
      askingCall(call, ['elicitation/create']);
      return { call, outcome: await held.serve(call, round()) };
    };
    expect((await start('a')).outcome.kind).toBe('input_required');
    expect((await start('a')).outcome.kind).toBe('input_required');
    const third = await start('a');
    expect(third.outcome).toMatchObject({ kind: 'error' });
    expect(String((third.outcome as { error: Error }).error.message)).toMatch(/this client already has 2 calls/);
    expect(third.call.controller.aborted).toBe(true);

    expect((await start('b')).outcome.kind).toBe('input_required');
    const overall = await start('c');
    expect(String((overall.outcome as { error: Error }).error.message)).toMatch(/the router already holds 3 calls/);
    expect(held.size).toBe(3);
  });

  it('fail a call at once with -32021 when the client lacks the capability the backend asks for', async () => {
    const held = new HeldCalls({ clock: new SimulatedClock() });
    const call = new ModernCall('client-a', 'tools/call', 'tool');
    askingCall(call, ['sampling/createMessage']);
    const outcome = await held.serve(call, round({ elicitation: {} }));
    expect(outcome).toMatchObject({
      kind: 'error',
      error: { code: -32021, data: { requiredCapabilities: { sampling: {} } } },
    });
    expect(held.size).toBe(0);
  });
});
