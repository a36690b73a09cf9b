/**
 * The size cap on an HTTP backend's answers (issue 17.8): a JSON body or a server-sent event over the cap
 * becomes an error answer for the POST's request, however the bytes are cut; the events beside it pass as sent.
 */
import { cappedFetch } from '../../src/backends/capped-fetch';
import { OVERSIZED_ANSWER_CODE, type OversizedLine } from '../../src/backends/line-reader';

const LIMIT = 1000;
const POST = { method: 'POST', body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: {} }) };

function serving(type: string, text: string, chunk: number) {
  const bytes = new TextEncoder().encode(text);
  return async () =>
    new Response(
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < bytes.length; i += chunk) controller.enqueue(bytes.slice(i, i + chunk));
          controller.close();
        },
      }),
      { status: 200, headers: { 'content-type': type } },
    );
}

const event = (data: unknown) => `event: message\ndata: ${JSON.stringify(data)}\n\n`;
const progress = { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 1 } };
const small = { jsonrpc: '2.0', id: 7, result: { ok: true } };
const huge = { jsonrpc: '2.0', id: 7, result: { text: 'x'.repeat(3 * LIMIT) } };
const refusal = {
  jsonrpc: '2.0',
  id: 7,
  error: { code: OVERSIZED_ANSWER_CODE, message: expect.stringContaining(`over the limit of ${LIMIT} bytes`) },
};

/** The data of each event in an SSE text. */
const dataOf = (text: string) =>
  text
    .split('\n\n')
    .filter(Boolean)
    .map((e) => JSON.parse(e.slice(e.indexOf('data: ') + 6)) as unknown);

describe('cappedFetch', () => {
  it.each([1, 7, 500, 100_000])(
    'server-sent events cut every %i bytes: the oversized one is replaced, its neighbours pass',
    async (chunk) => {
      const seen: OversizedLine[] = [];
      const f = cappedFetch(
        (l) => seen.push(l),
        LIMIT,
        serving('text/event-stream', event(progress) + event(huge) + event(progress), chunk),
      );
      const text = await (await f('http://backend/mcp', POST)).text();
      expect(dataOf(text)).toEqual([progress, refusal, progress]);
      expect(seen).toEqual([{ id: 7, chars: event(huge).length }]);
    },
  );

  it('events under the cap pass unchanged', async () => {
    const sent = event(progress) + event(small);
    const f = cappedFetch(() => {}, LIMIT, serving('text/event-stream', sent, 13));
    expect(await (await f('http://backend/mcp', POST)).text()).toBe(sent);
  });

  it('a JSON body over the cap becomes the error answer; one under it passes', async () => {
    const seen: OversizedLine[] = [];
    const over = cappedFetch((l) => seen.push(l), LIMIT, serving('application/json', JSON.stringify(huge), 64));
    expect(await (await over('http://backend/mcp', POST)).json()).toEqual(refusal);
    expect(seen[0]!.id).toBe(7);
    const under = cappedFetch(() => {}, LIMIT, serving('application/json', JSON.stringify(small), 64));
    expect(await (await under('http://backend/mcp', POST)).json()).toEqual(small);
  });
});
