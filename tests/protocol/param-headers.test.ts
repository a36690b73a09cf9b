/**
 * SEP-2243 `Mcp-Param-*` headers: the declarations a tool's inputSchema makes, the check of a request's headers
 * against its arguments (the suite's cases: Base64 sentinel, padding, alphabet, literal values, numbers), and
 * the headers the router writes for a 2026 HTTP backend, which that check accepts.
 */
import { paramHeaderProblem, paramHeaders, paramHeadersFor } from '../../src/protocol/param-headers';

const schema = {
  type: 'object',
  properties: {
    region: { type: 'string', 'x-mcp-header': 'Region' },
    count: { type: 'integer', 'x-mcp-header': 'Count' },
    nested: { type: 'object', properties: { flag: { type: 'boolean', 'x-mcp-header': 'Flag' } } },
    listed: { type: 'array', items: { type: 'string', 'x-mcp-header': 'Hidden' } },
    plain: { type: 'string' },
  },
};

const headers = (values: Record<string, string>) => (name: string) =>
  Object.entries(values).find(([key]) => key.toLowerCase() === name)?.[1];

describe('Mcp-Param headers', () => {
  const declared = paramHeaders(schema);

  it('are declared by x-mcp-header on properties reachable through properties only', () => {
    expect(declared.map((d) => [d.path.join('.'), d.name])).toEqual([
      ['region', 'Region'],
      ['count', 'Count'],
      ['nested.flag', 'Flag'],
    ]);
    expect(paramHeaders(schema)).toBe(declared);
  });

  it('must be present and match the body, literally or as canonical Base64', () => {
    const args = { region: 'Hello', count: 42 };
    const ok = { 'Mcp-Param-Region': 'Hello', 'Mcp-Param-Count': '42.0' };
    expect(paramHeaderProblem(declared, args, headers(ok))).toBeUndefined();
    expect(
      paramHeaderProblem(declared, args, headers({ ...ok, 'Mcp-Param-Region': '=?base64?SGVsbG8=?=' })),
    ).toBeUndefined();
    expect(paramHeaderProblem(declared, args, headers({ 'Mcp-Param-Count': '42' }))).toMatch(
      /Mcp-Param-Region.*absent/,
    );
    expect(paramHeaderProblem(declared, args, headers({ ...ok, 'Mcp-Param-Region': '=?base64?SGVsbG8?=' }))).toMatch(
      /invalid Base64/,
    );
    expect(
      paramHeaderProblem(declared, args, headers({ ...ok, 'Mcp-Param-Region': '=?base64?SGVs!!!bG8=?=' })),
    ).toMatch(/invalid Base64/);
    expect(paramHeaderProblem(declared, args, headers({ ...ok, 'Mcp-Param-Count': '41' }))).toMatch(/does not match/);
    // A value without the whole sentinel is literal.
    expect(
      paramHeaderProblem(
        declared,
        { region: '=?base64?SGVsbG8=' },
        headers({ 'Mcp-Param-Region': '=?base64?SGVsbG8=' }),
      ),
    ).toBeUndefined();
    // An argument the body leaves out needs no header.
    expect(paramHeaderProblem(declared, {}, headers({}))).toBeUndefined();
  });

  it('are written so that the check accepts them, in Base64 where a header cannot hold the value', () => {
    const args = { region: 'Zürich  ', count: 7, nested: { flag: true } };
    const written = paramHeadersFor(declared, args);
    expect(written['Mcp-Param-Count']).toBe('7');
    expect(written['Mcp-Param-Flag']).toBe('true');
    expect(written['Mcp-Param-Region']).toMatch(/^=\?base64\?.*\?=$/);
    expect(paramHeaderProblem(declared, args, headers(written))).toBeUndefined();
  });
});
