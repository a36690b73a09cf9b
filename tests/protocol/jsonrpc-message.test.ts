import fc from 'fast-check';
import { JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';
import { isJsonRpcMessage } from '../../src/protocol/jsonrpc-message';

const id = fc.oneof(
  fc.integer(),
  fc.string({ maxLength: 4 }),
  fc.constant(null),
  fc.double(),
  fc.constant(2 ** 60),
  fc.boolean(),
);
const meta = fc.oneof(
  fc.constant(undefined),
  fc.record({ progressToken: id }, { requiredKeys: [] }),
  fc.record({
    'io.modelcontextprotocol/related-task': fc.oneof(
      fc.record({ taskId: fc.oneof(fc.string(), fc.integer()) }),
      fc.string(),
    ),
  }),
  fc.anything({ maxDepth: 1 }),
);
const params = fc.oneof(
  fc.constant(undefined),
  fc.record({ _meta: meta, name: fc.string({ maxLength: 4 }) }, { requiredKeys: [] }),
  fc.anything({ maxDepth: 1 }),
);
const error = fc.oneof(
  fc.record(
    {
      code: fc.oneof(fc.integer(), fc.double(), fc.string()),
      message: fc.oneof(fc.string(), fc.integer()),
      data: fc.anything({ maxDepth: 1 }),
    },
    { requiredKeys: [] },
  ),
  fc.anything({ maxDepth: 1 }),
);
/** Message-shaped values: every field present or not, of the right type or not, plus stray keys. */
const candidate = fc
  .record(
    {
      jsonrpc: fc.oneof(fc.constant('2.0'), fc.constant('1.0'), fc.integer()),
      id,
      method: fc.oneof(fc.constantFrom('tools/call', 'ping'), fc.integer()),
      params,
      result: fc.oneof(
        fc.record({ _meta: meta, content: fc.array(fc.anything({ maxDepth: 1 })) }, { requiredKeys: [] }),
        fc.anything({ maxDepth: 1 }),
      ),
      error,
      extra: fc.anything({ maxDepth: 1 }),
    },
    { requiredKeys: [] },
  )
  .map((m) => JSON.parse(JSON.stringify(m)) as unknown);

describe('the hand-written JSON-RPC message test', () => {
  it('agrees with the SDK schema on every generated message', () => {
    fc.assert(
      fc.property(fc.oneof(candidate, fc.jsonValue()), (value) => {
        expect(isJsonRpcMessage(value)).toBe(JSONRPCMessageSchema.safeParse(value).success);
      }),
      { numRuns: 10_000, seed: 7 },
    );
  });

  it('accepts the four kinds and refuses their near misses', () => {
    expect(
      isJsonRpcMessage({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'x', _meta: { progressToken: 't' } },
      }),
    ).toBe(true);
    expect(isJsonRpcMessage({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1 } })).toBe(
      true,
    );
    expect(isJsonRpcMessage({ jsonrpc: '2.0', id: 'a', result: {} })).toBe(true);
    expect(isJsonRpcMessage({ jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' } })).toBe(true);
    expect(isJsonRpcMessage({ jsonrpc: '2.0', id: 1.5, method: 'ping' })).toBe(false);
    expect(isJsonRpcMessage({ jsonrpc: '2.0', id: 1, method: 'ping', result: {} })).toBe(false);
    expect(isJsonRpcMessage({ jsonrpc: '2.0', id: 1, result: [] })).toBe(false);
    expect(isJsonRpcMessage([{ jsonrpc: '2.0', method: 'ping' }])).toBe(false);
  });
});
