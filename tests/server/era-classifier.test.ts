import { classifyInboundRequest } from '@modelcontextprotocol/server';
import { EraClassifier, type PostToClassify } from '../../src/server/era-classifier';

const VERSION = '2026-07-28';
const envelope = (extra: Record<string, unknown> = {}) => ({
  'io.modelcontextprotocol/protocolVersion': VERSION,
  'io.modelcontextprotocol/clientInfo': { name: 'client', version: '1.0.0' },
  'io.modelcontextprotocol/clientCapabilities': {},
  ...extra,
});
const call = (meta: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  jsonrpc: '2.0',
  id: 7,
  method: 'tools/call',
  params: { name: 'echo', arguments: { text: 'hi' }, _meta: meta },
  ...extra,
});
const post = (body: unknown, headers: Partial<PostToClassify> = {}): PostToClassify => ({
  protocolVersionHeader: VERSION,
  mcpMethodHeader: 'tools/call',
  mcpNameHeader: 'echo',
  body,
  ...headers,
});

const cases: Array<[string, PostToClassify]> = [
  ['a plain 2026 call', post(call(envelope()))],
  [
    'a call with a progress token and a log level',
    post(call(envelope({ progressToken: 'p1', 'io.modelcontextprotocol/logLevel': 'info' }))),
  ],
  [
    'a call whose capabilities are not an object',
    post(call(envelope({ 'io.modelcontextprotocol/clientCapabilities': 'all' }))),
  ],
  [
    'a call whose clientInfo lacks a version',
    post(call(envelope({ 'io.modelcontextprotocol/clientInfo': { name: 'c' } }))),
  ],
  ['a call with an unknown log level', post(call(envelope({ 'io.modelcontextprotocol/logLevel': 'loud' })))],
  ['a call with a fractional progress token', post(call(envelope({ progressToken: 1.5 })))],
  ['a call without capabilities', post(call({ 'io.modelcontextprotocol/protocolVersion': VERSION }))],
  ['a version header that disagrees with the body', post(call(envelope()), { protocolVersionHeader: '2025-11-25' })],
  ['no version header', post(call(envelope()), { protocolVersionHeader: undefined })],
  ['an Mcp-Method header that disagrees', post(call(envelope()), { mcpMethodHeader: 'tools/list' })],
  [
    'an envelope naming a 2025 revision',
    post(call(envelope({ 'io.modelcontextprotocol/protocolVersion': '2025-11-25' })), {
      protocolVersionHeader: '2025-11-25',
    }),
  ],
  [
    'an initialize',
    post(
      { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25' } },
      { protocolVersionHeader: undefined, mcpMethodHeader: undefined },
    ),
  ],
  ['a batch', post([call(envelope())])],
  [
    'a notification with an envelope',
    post(
      { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1, _meta: envelope() } },
      { mcpMethodHeader: 'notifications/cancelled' },
    ),
  ],
  ['a body that is no JSON-RPC message', post({ hello: 'world' })],
  ['a request with a non-integer id', post(call(envelope(), { id: 1.5 }))],
];

describe('the era classifier of POST /mcp', () => {
  it.each(cases)('gives the SDK classifier’s verdict for %s, the first time and again', (_name, input) => {
    const expected = classifyInboundRequest({ httpMethod: 'POST', ...input });
    const eras = new EraClassifier();
    expect(eras.classify(input)).toEqual(expected);
    // The second time the envelope is known: the verdict must not change, valid or not.
    expect(eras.classify(structuredClone(input))).toEqual(expected);
  });

  it('tells envelopes apart after one was found valid (a changed capability is judged anew)', () => {
    const eras = new EraClassifier();
    expect(eras.classify(post(call(envelope()))).kind).toBe('modern');
    const changed = post(call(envelope({ 'io.modelcontextprotocol/clientCapabilities': { sampling: 'yes' } })));
    expect(eras.classify(changed)).toEqual(classifyInboundRequest({ httpMethod: 'POST', ...changed }));
    expect(eras.classify(changed).kind).toBe('reject');
  });
});
