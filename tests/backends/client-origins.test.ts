import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { SimulatedClock } from 'xstate';
import { ClientOrigins, type ClientOrigin } from '../../src/backends/client-origins';
import { forTheWire } from '../../src/protocol/wire-error';

function origin(id: string): ClientOrigin {
  return { id, request: async () => ({ from: id }) };
}

type State<T> = { resolved: T } | { rejected: string } | 'pending';

/** Follows a promise from now on (so that a rejection is handled at once); `now()` says how it stands. */
function watch<T>(promise: Promise<T>): { now(): Promise<State<T>> } {
  let state: State<T> = 'pending';
  promise.then(
    (value) => (state = { resolved: value }),
    (error: Error) => (state = { rejected: error.message }),
  );
  return {
    async now() {
      await jest.advanceTimersByTimeAsync(0);
      return state;
    },
  };
}

describe('ClientOrigins: whose is a backend request', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('belongs to the one session running calls on that backend, at once', async () => {
    const origins = new ClientOrigins();
    const leave = origins.enter('b', origin('A'));
    origins.enter('other', origin('B'));
    await expect(origins.attribute('b', 'sampling/createMessage')).resolves.toMatchObject({ id: 'A' });
    expect(origins.soleOrigin('b')?.id).toBe('A');
    leave();
    expect(origins.soleOrigin('b')).toBeUndefined();
  });

  it('is refused with a reason when no session is running calls there', async () => {
    const origins = new ClientOrigins();
    await expect(origins.attribute('b', 'elicitation/create')).rejects.toThrow(/no client call is running/);
  });

  it('waits while several sessions run calls, and goes to the one left when the others end', async () => {
    const origins = new ClientOrigins({ waitMs: 2_000, stallMs: 2_000 });
    origins.enter('b', origin('A'));
    const leaveB = origins.enter('b', origin('B'));
    const attributed = watch(origins.attribute('b', 'elicitation/create'));
    await jest.advanceTimersByTimeAsync(500);
    expect(await attributed.now()).toBe('pending');
    leaveB();
    expect(await attributed.now()).toEqual({ resolved: expect.objectContaining({ id: 'A' }) });
  });

  it('gives up, never guessing, when every session running calls may be waiting the same way', async () => {
    const origins = new ClientOrigins({ waitMs: 60_000, stallMs: 1_000 });
    origins.enter('b', origin('A'));
    origins.enter('b', origin('B'));
    const first = watch(origins.attribute('b', 'elicitation/create'));
    const second = watch(origins.attribute('b', 'elicitation/create'));
    await jest.advanceTimersByTimeAsync(999);
    expect(await first.now()).toBe('pending');
    await jest.advanceTimersByTimeAsync(1);
    expect(await first.now()).toEqual({ rejected: expect.stringMatching(/cannot be attributed: 2 clients/) });
    expect(await second.now()).toEqual({ rejected: expect.stringMatching(/cannot be attributed: 2 clients/) });
  });

  it('stops waiting when the backend cancels its request, or after the longest wait', async () => {
    const origins = new ClientOrigins({ waitMs: 3_000, stallMs: 60_000 });
    origins.enter('b', origin('A'));
    origins.enter('b', origin('B'));
    origins.enter('b', origin('C'));
    const cancel = new AbortController();
    const cancelled = watch(origins.attribute('b', 'sampling/createMessage', { signal: cancel.signal, maxMs: 60_000 }));
    cancel.abort();
    expect(await cancelled.now()).toEqual({ rejected: expect.stringMatching(/cannot be attributed/) });
    const timedOut = watch(origins.attribute('b', 'sampling/createMessage'));
    await jest.advanceTimersByTimeAsync(3_000);
    expect(await timedOut.now()).toEqual({ rejected: expect.stringMatching(/cannot be attributed: 3 clients/) });
  });

  it("a call given up on still counts: its backend's request never goes to the session left", async () => {
    const origins = new ClientOrigins({ waitMs: 10_000, stallMs: 60_000 });
    origins.enter('b', origin('A'));
    const leaveB = origins.enter('b', origin('B'));
    // B cancels; the backend, still running B's call, asks for sampling.
    leaveB(true);
    const asked = watch(origins.attribute('b', 'sampling/createMessage', { maxMs: 60_000 }));
    await jest.advanceTimersByTimeAsync(9_999);
    expect(await asked.now()).toBe('pending');
    // B's call expires: A is left, but the request may have been B's. Refused, not handed to A.
    await jest.advanceTimersByTimeAsync(1);
    expect(await asked.now()).toEqual({ rejected: expect.stringMatching(/cannot be attributed/) });
    // A request that comes after that is A's: A is the only session with a call there.
    await expect(origins.attribute('b', 'sampling/createMessage')).resolves.toMatchObject({ id: 'A' });
  });

  it("a call given up on that was its session's only one there: the request is still its session's", async () => {
    const origins = new ClientOrigins({ waitMs: 10_000 });
    origins.enter('b', origin('B'))(true);
    await expect(origins.attribute('b', 'elicitation/create')).resolves.toMatchObject({ id: 'B' });
    await jest.advanceTimersByTimeAsync(10_000);
    expect(origins.soleOrigin('b')).toBeUndefined();
  });
});

describe('forTheWire: a relayed error goes on as its sender wrote it', () => {
  it('keeps code, message and data, without the "MCP error <code>: " prefix McpError adds', () => {
    const relayed = forTheWire(new McpError(-32601, 'Method not found', { why: 'no handler' })) as McpError;
    expect(relayed).toBeInstanceOf(McpError);
    expect(relayed.code).toBe(-32601);
    expect(relayed.message).toBe('Method not found');
    expect(relayed.data).toEqual({ why: 'no handler' });
  });

  it('leaves other errors alone', () => {
    const error = new Error('socket closed');
    expect(forTheWire(error)).toBe(error);
  });
});

describe('ClientOrigins on the injected clock', () => {
  it('gives up a waiting attribution when the simulated clock, not the wall clock, reaches waitMs', async () => {
    const clock = new SimulatedClock();
    const origins = new ClientOrigins({ waitMs: 5_000, stallMs: 60_000, clock });
    origins.enter('b', origin('A'));
    origins.enter('b', origin('B'));
    let outcome = 'pending';
    origins.attribute('b', 'roots/list').then(
      () => (outcome = 'resolved'),
      (e: Error) => (outcome = e.message),
    );
    clock.increment(4_999);
    await Promise.resolve();
    expect(outcome).toBe('pending');
    clock.increment(1);
    await Promise.resolve();
    expect(outcome).toMatch(/cannot be attributed: 2 clients/);
  });
});
