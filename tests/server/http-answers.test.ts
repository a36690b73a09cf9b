/**
 * readJsonBody hands a POST's parsed body to the work it starts in the turn the body arrived; what that work
 * throws must reach the caller (the front answers 500), and a body it refuses must start no work at all.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readJsonBody } from '../../src/server/http-answers';

type Then = (body: unknown, res: ServerResponse) => void | Promise<void>;

async function serve(maxBytes: number, then: Then): Promise<{ url: string; server: Server; outcomes: string[] }> {
  const outcomes: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    readJsonBody(req, res, maxBytes, (body) => then(body, res)).then(
      () => outcomes.push('done'),
      (error: Error) => {
        outcomes.push(`failed: ${error.message}`);
        res.writeHead(500).end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server, outcomes };
}

const post = (url: string, body: string) => fetch(url, { method: 'POST', body });

describe('readJsonBody', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  it('gives the parsed body to the work, and settles when that work has', async () => {
    const seen: unknown[] = [];
    const s = await serve(1024, async (body, res) => {
      seen.push(body);
      await new Promise((resolve) => setImmediate(resolve));
      res.writeHead(200).end('ok');
    });
    server = s.server;
    const answer = await post(s.url, '{"jsonrpc":"2.0","id":1,"method":"ping"}');
    expect(await answer.text()).toBe('ok');
    expect(seen).toEqual([{ jsonrpc: '2.0', id: 1, method: 'ping' }]);
    expect(s.outcomes).toEqual(['done']);
  });

  it('rejects with what the work threw, or rejected with', async () => {
    let calls = 0;
    const s = await serve(1024, (_body, _res) => {
      calls++;
      if (calls === 1) throw new Error('thrown');
      return Promise.reject(new Error('rejected'));
    });
    server = s.server;
    expect((await post(s.url, '{}')).status).toBe(500);
    expect((await post(s.url, '{}')).status).toBe(500);
    expect(s.outcomes).toEqual(['failed: thrown', 'failed: rejected']);
  });

  it('answers a body that is too large (413) or not JSON (-32700) itself, and starts no work', async () => {
    let calls = 0;
    const s = await serve(64, () => void calls++);
    server = s.server;
    const large = await post(s.url, JSON.stringify({ text: 'x'.repeat(200) }));
    expect(large.status).toBe(413);
    const notJson = await post(s.url, '{not json');
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: { code: number } }).error.code).toBe(-32700);
    expect(calls).toBe(0);
    expect(s.outcomes).toEqual(['done', 'done']);
  });
});
