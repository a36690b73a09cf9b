/**
 * No read-only call lost when every candidate is down for a moment (issue 17, item 9), on a simulated clock:
 * a call that may run again waits for a backend that is reconnecting (or half-open with every trial permit
 * taken) instead of failing, within its deadline; one whose connection dies mid-call is retried, on the same
 * backend once it is back. A call that is not read-only still fails rather than run twice.
 */
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { connectionStateOf } from '../../machines/backend.selectors';
import { startDispatcher } from './dispatcher-harness';

describe('a read-only call while every candidate is down for a moment', () => {
  it('waits for a replica to connect, and is answered by it', async () => {
    const d = startDispatcher(['a', 'b']);
    const call = d.call('echo', true);
    await d.settle();
    expect(call.outcome).toBe('pending');
    expect(d.calls).toHaveLength(0);
    d.connect('b');
    await d.settle();
    expect(d.calls.map((c) => c.backend)).toEqual(['b']);
    d.calls[0]!.resolve({ content: [] });
    await d.settle();
    expect(call.outcome).toBe('ok');
  });

  it('gives up at its deadline (the request timeout), not before', async () => {
    const d = startDispatcher(['a', 'b'], { routing: { requestTimeoutSeconds: 30 } });
    const call = d.call('echo', true);
    d.clock.increment(29_999);
    await d.settle();
    expect(call.outcome).toBe('pending');
    d.clock.increment(1);
    await d.settle();
    expect(call.outcome).toBe('failed');
    expect(call.error?.message).toMatch(/no answer within 30 s/);
  });

  it('a call that is not read-only does not wait: it fails at once, naming why each backend is out', async () => {
    const d = startDispatcher(['a', 'b']);
    const call = d.call('count', false);
    await d.settle();
    expect(call.outcome).toBe('failed');
    expect(call.error?.message).toMatch(/a: not connected; b: not connected/);
  });

  it('waits for a half-open backend`s trial permit, and runs once the trial has closed the circuit', async () => {
    const d = startDispatcher(['a'], { circuit: { failureThreshold: 1, halfOpenAttempts: 1, openMs: 5_000 } });
    d.connect('a');
    const tripping = d.call('count', false);
    await d.settle();
    d.calls[0]!.reject(new McpError(-32603, 'internal'));
    await d.settle();
    expect(tripping.outcome).toBe('failed');
    d.clock.increment(5_000);
    expect(d.ref('a').getSnapshot().value).toMatchObject({ circuit: 'halfOpen' });
    const trial = d.call('echo', true);
    const waiting = d.call('echo', true);
    await d.settle();
    // One trial permit: the second call is not sent, and does not fail either.
    expect(d.pending()).toHaveLength(1);
    expect(waiting.outcome).toBe('pending');
    d.pending()[0]!.resolve({ content: [] });
    await d.settle();
    expect(trial.outcome).toBe('ok');
    expect(d.pending()).toHaveLength(1);
    d.pending()[0]!.resolve({ content: [] });
    await d.settle();
    expect(waiting.outcome).toBe('ok');
  });
});

describe('a read-only call whose connection dies mid-call', () => {
  it('is sent again on the other replica when it is up', async () => {
    const d = startDispatcher(['a', 'b']);
    d.connect('a');
    d.connect('b');
    const call = d.call('echo', true);
    await d.settle();
    const first = d.calls[0]!.backend;
    d.kill(first);
    await d.settle();
    expect(d.calls.map((c) => c.backend)).toEqual([first, first === 'a' ? 'b' : 'a']);
    d.calls[1]!.resolve({ content: [] });
    await d.settle();
    expect(call.outcome).toBe('ok');
  });

  it('with the other replica down too, waits and is sent again on the same one once it has reconnected', async () => {
    const d = startDispatcher(['a', 'b']);
    d.connect('a');
    const call = d.call('echo', true);
    await d.settle();
    d.kill('a');
    await d.settle();
    expect(connectionStateOf(d.ref('a').getSnapshot())).toBe('reconnecting');
    expect(call.outcome).toBe('pending');
    expect(d.calls).toHaveLength(1);
    d.connect('a');
    await d.settle();
    expect(d.calls.map((c) => c.backend)).toEqual(['a', 'a']);
    d.calls[1]!.resolve({ content: [] });
    await d.settle();
    expect(call.outcome).toBe('ok');
  });

  it('a call that is not read-only is never sent twice: it fails with the lost connection', async () => {
    const d = startDispatcher(['a', 'b']);
    d.connect('a');
    d.connect('b');
    const call = d.call('count', false);
    await d.settle();
    d.kill(d.calls[0]!.backend);
    await d.settle();
    expect(d.calls).toHaveLength(1);
    expect(call.outcome).toBe('failed');
    expect(call.error?.message).toMatch(/Connection closed/);
  });
});

describe('the dispatcher on the injected clock', () => {
  it('idle() waits for the last request in flight, bounded on the simulated clock', async () => {
    const d = startDispatcher(['a']);
    d.connect('a');
    const call = d.call('echo', true);
    await d.settle();
    let idle = false;
    void d.dispatcher.idle(10_000).then(() => (idle = true));
    await d.settle();
    expect(idle).toBe(false);
    d.calls[0]!.resolve({ content: [] });
    await d.settle();
    expect(call.outcome).toBe('ok');
    expect(idle).toBe(true);

    const hung = d.call('echo', true);
    await d.settle();
    let bounded = false;
    void d.dispatcher.idle(10_000).then(() => (bounded = true));
    d.clock.increment(9_999);
    await d.settle();
    expect(bounded).toBe(false);
    d.clock.increment(1);
    await d.settle();
    expect(bounded).toBe(true);
    expect(hung.outcome).toBe('pending');
  });
});
