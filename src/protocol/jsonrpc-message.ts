/**
 * The SDK's test of a JSON-RPC message (JSONRPCMessageSchema: request, notification, result or error, each
 * strict), written out by hand. The SDK runs four zod schemas per message for it; every message the router
 * receives or relays pays for this test, so it must cost next to nothing. A unit test checks that it agrees
 * with the SDK's schemas on generated messages.
 *
 * A message the SDK would not recognize is dropped without an answer, so the fronts refuse such messages
 * themselves, with a JSON-RPC error.
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

const RELATED_TASK = 'io.modelcontextprotocol/related-task';

type Fields = Record<string, unknown>;

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** RequestIdSchema and ProgressTokenSchema: a string or an integer (zod's int: a safe integer). */
function isId(value: unknown): value is string | number {
  return typeof value === 'string' || Number.isSafeInteger(value);
}

function hasValidMeta(holder: Fields): boolean {
  const meta = holder._meta;
  if (meta === undefined) return true;
  if (!isObject(meta)) return false;
  if (meta.progressToken !== undefined && !isId(meta.progressToken)) return false;
  const task = meta[RELATED_TASK];
  return task === undefined || (isObject(task) && typeof task.taskId === 'string');
}

function hasOnly(message: Fields, allowed: readonly string[]): boolean {
  for (const key in message) if (!allowed.includes(key)) return false;
  return true;
}

const REQUEST_KEYS = ['jsonrpc', 'id', 'method', 'params'];
const NOTIFICATION_KEYS = ['jsonrpc', 'method', 'params'];
const RESULT_KEYS = ['jsonrpc', 'id', 'result'];
const ERROR_KEYS = ['jsonrpc', 'id', 'error'];

export function isJsonRpcMessage(message: unknown): message is JSONRPCMessage {
  if (!isObject(message) || message.jsonrpc !== '2.0') return false;
  if (message.method !== undefined) {
    if (typeof message.method !== 'string') return false;
    const params = message.params;
    if (params !== undefined && !(isObject(params) && hasValidMeta(params))) return false;
    if (message.id === undefined) return hasOnly(message, NOTIFICATION_KEYS);
    return isId(message.id) && hasOnly(message, REQUEST_KEYS);
  }
  if (message.result !== undefined) {
    return (
      isId(message.id) && isObject(message.result) && hasValidMeta(message.result) && hasOnly(message, RESULT_KEYS)
    );
  }
  const error = message.error;
  if (error === undefined || !isObject(error)) return false;
  if (message.id !== undefined && !isId(message.id)) return false;
  return Number.isSafeInteger(error.code) && typeof error.message === 'string' && hasOnly(message, ERROR_KEYS);
}
