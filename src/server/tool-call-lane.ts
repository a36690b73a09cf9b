/**
 * tools/call, the request agents make most, taken off a client session's transport before the SDK Server
 * sees it. The SDK would parse the request with zod, build an abort controller and a context object with
 * closures for it, and validate the result against the tool-result schema: work a relayed call does not need,
 * since the backend built the result and the client validates it. Everything else (initialize, lists,
 * prompts, resources, ping, ...) still goes through the SDK Server.
 *
 * What the SDK did and the lane keeps: invalid params get -32602, a thrown error becomes a JSON-RPC error
 * with its code, message and data, and a request the client cancelled (notifications/cancelled) is aborted
 * and left unanswered, as the protocol says.
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, type JSONRPCMessage, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import { Cancellation } from '../cancellation';
import { RouterError } from '../errors';
import { wireError } from '../protocol/wire-error';

export interface ToolCallParams {
  name: string;
  arguments?: Record<string, unknown>;
  _meta?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface LaneCall {
  id: RequestId;
  /** Aborted when the client cancels; the handler's dispatcher aborts it at the deadline. */
  controller: Cancellation;
  /** Sends a message related to this call (progress, logging, a request): over HTTP, on the call's stream. */
  send(message: JSONRPCMessage): void;
}

export type ToolCallHandler = (params: ToolCallParams, call: LaneCall) => Promise<Record<string, unknown>>;

type Fields = Record<string, unknown>;

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The checks of the SDK's CallToolRequestParamsSchema that a router can act on. */
function problemWith(params: unknown): string | undefined {
  if (!isObject(params)) return 'params must be an object';
  if (typeof params.name !== 'string') return 'params.name must be a string';
  if (params.arguments !== undefined && !isObject(params.arguments)) return 'params.arguments must be an object';
  return undefined;
}

const CANCELLED = () => new RouterError('CANCELLED', 'cancelled by the client');

export function takeToolCalls(transport: Transport, handle: ToolCallHandler): void {
  const running = new Map<RequestId, Cancellation>();
  const deliver = transport.onmessage;
  const sendRelated = (id: RequestId) => (message: JSONRPCMessage) => {
    void transport.send(message, { relatedRequestId: id }).catch(() => {});
  };

  const run = async (id: RequestId, params: unknown) => {
    const problem = problemWith(params);
    if (problem) {
      sendRelated(id)({
        jsonrpc: '2.0',
        id,
        error: { code: ErrorCode.InvalidParams, message: `Invalid tools/call request: ${problem}` },
      });
      return;
    }
    const controller = new Cancellation();
    running.set(id, controller);
    const send = sendRelated(id);
    let answer: JSONRPCMessage;
    try {
      answer = {
        jsonrpc: '2.0',
        id,
        result: await handle(params as ToolCallParams, { id, controller, send }),
      } as JSONRPCMessage;
    } catch (error) {
      answer = { jsonrpc: '2.0', id, error: wireError(error) };
    } finally {
      running.delete(id);
    }
    const reason = controller.signal.reason;
    if (reason instanceof RouterError && reason.code === 'CANCELLED') return;
    send(answer);
  };

  transport.onmessage = (message, extra) => {
    const m = message as Fields;
    if (m.method === 'tools/call' && m.id !== undefined) {
      void run(m.id as RequestId, m.params);
      return;
    }
    if (m.method === 'notifications/cancelled') {
      const controller = running.get((m.params as Fields | undefined)?.requestId as RequestId);
      if (controller) {
        controller.abort(CANCELLED());
        return;
      }
    }
    deliver?.(message, extra);
  };
}
