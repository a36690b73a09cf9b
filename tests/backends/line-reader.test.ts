/**
 * The stdio line reader: messages in order, and a line over the cap skipped as it arrives with an error answer
 * for its id in its place (issue 17.8), wherever the id sits and however the line is cut into chunks.
 */
import { LineReader, OVERSIZED_ANSWER_CODE, type OversizedLine } from '../../src/backends/line-reader';

function readAll(reader: LineReader): unknown[] {
  const out: unknown[] = [];
  for (let m = reader.readMessage(); m !== null; m = reader.readMessage()) out.push(m);
  return out;
}

const LIMIT = 1000;
const big = 'y'.repeat(5 * LIMIT);

describe('LineReader', () => {
  it.each([
    [
      'id last, as the SDK writes answers',
      JSON.stringify({ result: { text: big }, jsonrpc: '2.0', id: 'mcp-router-7' }),
    ],
    ['id first', JSON.stringify({ jsonrpc: '2.0', id: 42, result: { text: big } })],
  ])('%s: an oversized answer becomes an error answer for its id, between its neighbours', (_what, line) => {
    const seen: OversizedLine[] = [];
    const reader = new LineReader((l) => seen.push(l), LIMIT);
    const id = (JSON.parse(line) as { id: string | number }).id;
    const before = JSON.stringify({ jsonrpc: '2.0', id: 1, result: {} });
    const after = JSON.stringify({
      jsonrpc: '2.0',
      method: 'notifications/progress',
      params: { progressToken: 1, progress: 1 },
    });
    const stream = Buffer.from(`${before}\n${line}\n${after}\n`);
    const out: unknown[] = [];
    // Cut into small chunks, as a pipe delivers it.
    for (let i = 0; i < stream.length; i += 333) {
      reader.append(stream.subarray(i, i + 333));
      out.push(...readAll(reader));
    }
    expect(out).toEqual([
      JSON.parse(before),
      {
        jsonrpc: '2.0',
        id,
        error: {
          code: OVERSIZED_ANSWER_CODE,
          message: expect.stringContaining(`over the limit of ${LIMIT} characters`),
        },
      },
      JSON.parse(after),
    ]);
    expect(seen).toEqual([{ id, chars: line.length }]);
  });

  it('an oversized line that arrives whole is replaced the same way', () => {
    const reader = new LineReader(() => {}, LIMIT);
    reader.append(Buffer.from(`${JSON.stringify({ result: { big }, jsonrpc: '2.0', id: 3 })}\n`));
    expect(readAll(reader)).toEqual([
      { jsonrpc: '2.0', id: 3, error: expect.objectContaining({ code: OVERSIZED_ANSWER_CODE }) },
    ]);
  });

  it('an oversized request or notification from the backend is dropped (no id of ours to answer), and reading goes on', () => {
    const seen: OversizedLine[] = [];
    const reader = new LineReader((l) => seen.push(l), LIMIT);
    const request = JSON.stringify({ method: 'sampling/createMessage', params: { big }, jsonrpc: '2.0', id: 9 });
    reader.append(Buffer.from(`${request}\n{"jsonrpc":"2.0","id":2,"result":{}}\n`));
    expect(readAll(reader)).toEqual([{ jsonrpc: '2.0', id: 2, result: {} }]);
    expect(seen).toEqual([{ id: undefined, chars: request.length }]);
  });
});
