/**
 * The HTTP front's JSON-RPC answers of its own, and request bodies read with a size cap so that a bad
 * request gets a clear answer before the SDK sees it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export function jsonRpcError(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  id: string | number | null = null,
  data?: unknown,
): void {
  if (res.headersSent) return void res.end();
  const error = data === undefined ? { code, message } : { code, message, data };
  const body = JSON.stringify({ jsonrpc: '2.0', error, id });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
}

/**
 * Reads and parses a JSON body, and hands it to `then` in the same turn as its last byte: no promise between
 * the body and the work it starts, which is every call's critical path. Answers 413 / 400 itself (and then
 * does not call `then`). The promise settles when `then` has: a thrown error or a rejection rejects it.
 */
export function readJsonBody(
  req: IncomingMessage,
  res: ServerResponse,
  maxBytes: number,
  then: (body: unknown) => void | Promise<void>,
): Promise<void> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    jsonRpcError(res, 413, -32600, `request body larger than ${maxBytes} bytes`);
    req.resume();
    return Promise.resolve();
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      req.off('data', onData);
      settled = true;
      jsonRpcError(res, 413, -32600, `request body larger than ${maxBytes} bytes`);
      req.resume();
      resolve();
    };
    // `on`, not `once`, for these three: each fires at most once per request anyway, and `once` costs a
    // wrapper per listener on every request.
    req.on('data', onData);
    req.on('end', () => {
      if (settled) return;
      settled = true;
      let body: unknown;
      try {
        body = JSON.parse((chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8'));
      } catch {
        jsonRpcError(res, 400, -32700, 'Parse error: the body is not valid JSON');
        return resolve();
      }
      try {
        const done = then(body);
        if (done) done.then(resolve, reject);
        else resolve();
      } catch (error) {
        reject(error);
      }
    });
    // A client gone mid-body: nothing to answer (after 'end', these settle nothing).
    const gone = () => {
      if (settled) return;
      settled = true;
      resolve();
    };
    req.on('error', gone);
    req.on('close', gone);
  });
}
