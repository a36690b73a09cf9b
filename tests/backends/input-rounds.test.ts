/**
 * A 2026 backend's input_required: each input request goes to the calling client, the call goes again with the
 * answers and the backend's requestState byte for byte, for as many rounds as the backend asks, at most
 * MAX_INPUT_ROUNDS; a client that did not declare the capability is never asked.
 */
import type { ClientOrigin } from '../../src/backends/client-origins';
import { MAX_INPUT_ROUNDS, callWithInputRounds } from '../../src/backends/input-rounds';

type Fields = Record<string, unknown>;

/** A backend that asks `rounds` times, one elicitation each, then answers with what it got. */
function askingBackend(rounds: number) {
  const sent: Fields[] = [];
  return {
    sent,
    calls: {
      call: async (_method: string, params: Fields) => {
        sent.push(params);
        const round = sent.length;
        if (round > rounds)
          return { content: [{ type: 'text', text: `got ${JSON.stringify(params.inputResponses)}` }] };
        return {
          resultType: 'input_required',
          inputRequests: { [`q${round}`]: { method: 'elicitation/create', params: { message: `q${round}?` } } },
          requestState: `state-${round}`,
        };
      },
    },
  };
}

function origin(capabilities: Fields = { elicitation: {} }) {
  const asked: { method: string; params: unknown }[] = [];
  const o: ClientOrigin = {
    id: 'session-1',
    capabilities: () => capabilities,
    request: async (method, params) => {
      asked.push({ method, params });
      return { action: 'accept', content: { answer: asked.length } };
    },
  };
  return { o, asked };
}

describe('input requests of a 2026 backend', () => {
  it('are put to the calling client, and the call goes again with the answers and the requestState', async () => {
    const backend = askingBackend(2);
    const { o, asked } = origin();
    const result = await callWithInputRounds(backend.calls, 'tools/call', { name: 't' }, { origin: o });
    expect(asked).toEqual([
      { method: 'elicitation/create', params: { message: 'q1?' } },
      { method: 'elicitation/create', params: { message: 'q2?' } },
    ]);
    expect(backend.sent).toEqual([
      { name: 't' },
      { name: 't', inputResponses: { q1: { action: 'accept', content: { answer: 1 } } }, requestState: 'state-1' },
      { name: 't', inputResponses: { q2: { action: 'accept', content: { answer: 2 } } }, requestState: 'state-2' },
    ]);
    expect(result.content).toBeDefined();
  });

  it(`stop after ${MAX_INPUT_ROUNDS} rounds with an error that says so`, async () => {
    const backend = askingBackend(1000);
    const { o } = origin();
    await expect(callWithInputRounds(backend.calls, 'tools/call', { name: 't' }, { origin: o })).rejects.toThrow(
      `still asked for input after ${MAX_INPUT_ROUNDS} rounds of tools/call`,
    );
    expect(backend.sent).toHaveLength(MAX_INPUT_ROUNDS + 1);
  });

  it('never reach a client that did not declare the capability: the call fails, naming it', async () => {
    const backend = askingBackend(1);
    const { o, asked } = origin({});
    await expect(callWithInputRounds(backend.calls, 'tools/call', { name: 't' }, { origin: o })).rejects.toThrow(
      /does not support elicitation/,
    );
    expect(asked).toEqual([]);
  });

  it('fail, naming why, when no client session made the call', async () => {
    const backend = askingBackend(1);
    await expect(callWithInputRounds(backend.calls, 'tools/call', { name: 't' })).rejects.toThrow(/no client to ask/);
  });

  it('a complete result passes through untouched', async () => {
    const result = { content: [] };
    const calls = { call: async () => result };
    await expect(callWithInputRounds(calls, 'tools/call', {})).resolves.toBe(result);
  });

  it("a 2026 client's call: the backend hears the client's capabilities, and each round goes to it whole", async () => {
    const sentOptions: Fields[] = [];
    const sent: Fields[] = [];
    const calls = {
      call: async (_method: string, params: Fields, options: Fields = {}) => {
        sent.push(params);
        sentOptions.push(options);
        if (sent.length === 1)
          return {
            resultType: 'input_required',
            inputRequests: {
              name: { method: 'elicitation/create', params: { message: 'name?' } },
              model: { method: 'sampling/createMessage', params: { maxTokens: 5 } },
            },
            requestState: 'opaque',
          };
        return { content: [] };
      },
    };
    const rounds: Fields[] = [];
    const o: ClientOrigin = {
      id: '2026:call',
      request: async () => {
        throw new Error('a 2026 call is not asked one request at a time');
      },
      modern: {
        capabilities: { elicitation: {} },
        requestAll: async (requests) => {
          rounds.push(requests);
          return { name: { action: 'decline' } };
        },
      },
    };
    await callWithInputRounds(calls, 'tools/call', { name: 't' }, { origin: o });
    expect(rounds).toEqual([
      {
        name: { method: 'elicitation/create', params: { message: 'name?' } },
        model: { method: 'sampling/createMessage', params: { maxTokens: 5 } },
      },
    ]);
    // What the client left out (model) is the backend's to ask again: it goes back as the client sent it.
    expect(sent[1]).toEqual({ name: 't', inputResponses: { name: { action: 'decline' } }, requestState: 'opaque' });
    expect(sentOptions.map((options) => options.clientCapabilities)).toEqual([
      { elicitation: {} },
      { elicitation: {} },
    ]);
  });
});
