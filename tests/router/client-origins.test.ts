import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { ClientOrigins, type ClientOrigin } from '../../src/router/client-origins';
import { forTheWire } from '../../src/server/wire-error';

function origin(id: string): ClientOrigin {
  return { id, request: async () => ({ from: id }) };
}

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe('ClientOrigins: whose is a backend request', () => {
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
    const attributed = origins.attribute('b', 'elicitation/create');
    await tick();
    leaveB();
    await expect(attributed).resolves.toMatchObject({ id: 'A' });
  });

  it('gives up, never guessing, when every session running calls may be waiting the same way', async () => {
    const origins = new ClientOrigins({ waitMs: 5_000, stallMs: 30 });
    origins.enter('b', origin('A'));
    origins.enter('b', origin('B'));
    const first = origins.attribute('b', 'elicitation/create');
    const second = origins.attribute('b', 'elicitation/create');
    await expect(first).rejects.toThrow(/cannot be attributed: 2 clients/);
    await expect(second).rejects.toThrow(/cannot be attributed: 2 clients/);
  });

  it('stops waiting when the backend cancels its request, or after the longest wait', async () => {
    const origins = new ClientOrigins({ waitMs: 30, stallMs: 5_000 });
    origins.enter('b', origin('A'));
    origins.enter('b', origin('B'));
    origins.enter('b', origin('C'));
    const cancel = new AbortController();
    const cancelled = origins.attribute('b', 'sampling/createMessage', { signal: cancel.signal, maxMs: 5_000 });
    cancel.abort();
    await expect(cancelled).rejects.toThrow(/cannot be attributed/);
    await expect(origins.attribute('b', 'sampling/createMessage')).rejects.toThrow(/cannot be attributed: 3 clients/);
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
