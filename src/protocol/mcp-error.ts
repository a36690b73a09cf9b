/**
 * The v1 SDK's McpError, for the modules the router loads before it spawns its stdio backends (backends/,
 * protocol/, management/). The SDK's types module builds every schema of the protocol when it loads, which
 * would hold back the first spawn; through these it loads on first use, after the spawns. Its types are
 * imported as types, which cost nothing at run time. The server front imports the SDK as usual.
 */
import type * as SdkTypes from '@modelcontextprotocol/sdk/types.js';
import type { McpError } from '@modelcontextprotocol/sdk/types.js';

/** The codes these modules answer with: JSON-RPC's and MCP's, the same numbers as the SDK's ErrorCode. */
export const ErrorCode = {
  ConnectionClosed: -32000,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
} as const;

let loaded: typeof SdkTypes | undefined;
function sdkTypes(): typeof SdkTypes {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a deferred load, for the reason above
  return (loaded ??= require('@modelcontextprotocol/sdk/types.js') as typeof SdkTypes);
}

/**
 * Loads the SDK's error class now. For a link that has just connected (its process spawned long ago): its close
 * handler makes an McpError as the process goes away, and a module load there may come too late (at exit, or
 * after a test's environment is torn down).
 */
export function loadMcpError(): void {
  sdkTypes();
}

/** `new McpError(code, message, data)`: the SDK's class, so the 2025 front sends it as the error it is. */
export function mcpError(code: number, message: string, data?: unknown): McpError {
  return new (sdkTypes().McpError)(code, message, data);
}

export function isMcpError(error: unknown): error is McpError {
  return error instanceof sdkTypes().McpError;
}
