import { envelopedJson, withEnvelope } from '../../bench/load/jsonrpc';

/** What the load generator wrote before the envelope was spliced in as text. */
function stringified(id: number | string | undefined, method: string, params: unknown): string {
  return JSON.stringify(
    id === undefined
      ? { jsonrpc: '2.0', method, params: withEnvelope(params) }
      : { jsonrpc: '2.0', id, method, params: withEnvelope(params) },
  );
}

describe("the load generator's 2026 requests", () => {
  const cases: [string, number | string | undefined, string, unknown][] = [
    ['a tool call', 7, 'tools/call', { name: 'echo', arguments: { text: 'c3-41' } }],
    ['no params', 1, 'server/discover', undefined],
    ['empty params', 2, 'tools/list', {}],
    ['a string id', 'req-9', 'tools/call', { name: 'echo', arguments: { text: 'quote " and \\ and é' } }],
    ['integer-like keys', 3, 'tools/call', { b: 1, 10: 'x', a: [1, { c: null }] }],
    ['a _meta of its own', 4, 'tools/call', { name: 'echo', _meta: { progressToken: 'p1' } }],
    ['a notification', undefined, 'notifications/cancelled', { requestId: 4 }],
  ];

  it.each(cases)('are written as JSON.stringify writes them: %s', (_, id, method, params) => {
    const text = envelopedJson(id, method, params);
    expect(text).toBe(stringified(id, method, params));
    expect(JSON.parse(text).params._meta['io.modelcontextprotocol/protocolVersion']).toBe('2026-07-28');
  });

  it('keep the caller’s own _meta keys beside the envelope', () => {
    const sent = JSON.parse(envelopedJson(5, 'tools/call', { name: 'echo', _meta: { progressToken: 'p1' } }));
    expect(sent.params._meta.progressToken).toBe('p1');
    expect(sent.params._meta['io.modelcontextprotocol/clientInfo']).toEqual({
      name: 'mcp-router-bench',
      version: '1.0.0',
    });
  });
});
