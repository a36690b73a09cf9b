/**
 * The one place the router reaches into the SDK's private parts. Each seam here has a test
 * (tests/server/sdk-seams.test.ts) that fails loudly when an SDK upgrade removes what it relies on; the
 * code itself falls back to the SDK's own behaviour rather than break a running router.
 *
 * Seam: `Server._requestHandlers` (v1 Protocol's Map of method → handler), wrapped so that errors go out as
 * their sender wrote them. The other places that take over a transport's `onmessage` use the public
 * Transport interface and are not seams.
 */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { quote } from '../errors';
import { forTheWire } from '../protocol/wire-error';

/** The SDK server's handler table, or undefined when this SDK version no longer has it. */
export function requestHandlersOf(server: Server): Map<string, RequestHandler> | undefined {
  const handlers = (server as unknown as { _requestHandlers?: unknown })._requestHandlers;
  return handlers instanceof Map ? (handlers as Map<string, RequestHandler>) : undefined;
}

type RequestHandler = (request: unknown, extra: unknown) => Promise<unknown>;

/**
 * The SDK parses a request's params with zod before the handler runs; a ZodError carries no JSON-RPC code,
 * so the client would get -32603 (internal error) with zod's issue list. Params of the wrong shape are the
 * client's invalid params: -32602, with the first problem and where it is.
 */
function invalidParamsIfZod(method: string, error: unknown): unknown {
  const issues = (error as { issues?: Array<{ path?: PropertyKey[]; message?: string }> })?.issues;
  if (!(error instanceof Error) || !/ZodError$/.test(error.name) || !Array.isArray(issues)) return error;
  const first = issues[0];
  // Record keys in the path are the caller's: quoted and cut when they are not plain names.
  const where = first?.path?.length
    ? first.path.map((k) => (/^[A-Za-z0-9_$-]{1,64}$/.test(String(k)) ? String(k) : quote(String(k)))).join('.')
    : 'request';
  return new McpError(ErrorCode.InvalidParams, `Invalid ${method} request: ${where}: ${first?.message ?? 'invalid'}`);
}

/**
 * Every error a handler the SDK answers for throws goes out as its sender wrote it (see wire-error.ts), and
 * params of the wrong shape as invalid params.
 */
export function answerErrorsAsSent(server: Server): void {
  const byMethod = requestHandlersOf(server);
  // Should the SDK's private field go, its own answers stand (with its codes and prefixes);
  // tests/server/sdk-seams.test.ts fails first.
  if (!byMethod) return;
  for (const [method, handler] of byMethod) {
    byMethod.set(method, async (request, extra) => {
      try {
        return await handler(request, extra);
      } catch (error) {
        throw forTheWire(invalidParamsIfZod(method, error));
      }
    });
  }
}
