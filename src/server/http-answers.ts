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

/** Reads and parses a JSON body; answers 413 / 400 itself and returns undefined when it did. */
export async function readJsonBody(req: IncomingMessage, res: ServerResponse, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    jsonRpcError(res, 413, -32600, `request body larger than ${maxBytes} bytes`);
    req.resume();
    return undefined;
  }
  // Events, not `for await`: the async iterator costs a promise per chunk on every request.
  const chunks: Buffer[] = [];
  const complete = await new Promise<boolean>((resolve) => {
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      req.off('data', onData);
      jsonRpcError(res, 413, -32600, `request body larger than ${maxBytes} bytes`);
      req.resume();
      resolve(false);
    };
    req.on('data', onData);
    req.once('end', () => resolve(true));
    // A client gone mid-body: nothing to answer (after 'end', these settle nothing).
    req.once('error', () => resolve(false));
    req.once('close', () => resolve(false));
  });
  if (!complete) return undefined;
  try {
    return JSON.parse((chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8'));
  } catch {
    jsonRpcError(res, 400, -32700, 'Parse error: the body is not valid JSON');
    return undefined;
  }
}
