/**
 * The router's own failures as JSON-RPC errors, once, at the front, for clients of either era.
 */
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { RouterError } from '../errors';

/** Custom JSON-RPC codes in the implementation-defined server error range. */
export const ROUTER_ERROR_CODES = {
  NO_BACKEND_AVAILABLE: -32010,
  BACKEND_UNAVAILABLE: -32011,
  TIMEOUT: ErrorCode.RequestTimeout,
  CANCELLED: -32012,
} as const;

/** RouterError → JSON-RPC error, once, at the front. A backend's own JSON-RPC error passes through as it was. */
export function toMcpError(error: unknown): McpError {
  if (error instanceof McpError) return error;
  if (error instanceof RouterError) {
    if (error.code === 'BACKEND_ERROR' && error.cause instanceof McpError) return error.cause;
    switch (error.code) {
      case 'UNKNOWN_NAME':
      case 'INVALID_PARAMS':
        return new McpError(ErrorCode.InvalidParams, error.message, error.data);
      case 'NO_BACKEND_AVAILABLE':
      case 'BACKEND_UNAVAILABLE':
      case 'TIMEOUT':
      case 'CANCELLED':
        return new McpError(ROUTER_ERROR_CODES[error.code], error.message, error.data);
      default:
        return new McpError(ErrorCode.InternalError, error.message, error.data);
    }
  }
  return new McpError(ErrorCode.InternalError, 'internal error');
}
