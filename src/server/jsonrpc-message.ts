/**
 * Exactly the SDK's own test of a JSON-RPC message. A message it would not recognize is dropped without an
 * answer, so the fronts refuse such messages themselves, with a JSON-RPC error.
 */
import {
  isJSONRPCErrorResponse,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
} from '@modelcontextprotocol/sdk/types.js';

export function isJsonRpcMessage(m: unknown): m is JSONRPCMessage {
  return isJSONRPCRequest(m) || isJSONRPCNotification(m) || isJSONRPCResultResponse(m) || isJSONRPCErrorResponse(m);
}
