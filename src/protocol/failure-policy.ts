/**
 * What an attempt's error means for the breaker, and whether the request may go out again.
 */
import { sdkClient } from './sdk-client';
import { isMcpError } from './mcp-error';

export type OutcomeKind = 'failure' | 'ignored';

/**
 * An HTTP backend answered 404 for our session id: it forgot the session; the request was never processed.
 * (Backends are reached through the SDK v2 client only, open-link.ts: its SdkHttpError is the one to look for.)
 */
export function isSessionExpired(error: unknown): boolean {
  return error instanceof sdkClient().SdkHttpError && error.status === 404;
}

export interface ClassifiedError {
  /** failure: counts against the backend; ignored: the backend did its job (or the client gave up). */
  kind: OutcomeKind;
  /** The request never reached the backend: resending it cannot run anything twice. */
  notReached: boolean;
  code?: number;
  message: string;
}

/**
 * The backend answering what was asked: invalid request, method not found, invalid params, and MCP's own
 * "resource not found" (-32002) and "URL elicitation required" (-32042), which sit in the server-error range.
 */
const NOT_FAILURES = new Set([-32600, -32601, -32602, -32002, -32042]);

function isServerErrorCode(code: number): boolean {
  return code === -32603 || (code <= -32000 && code >= -32099);
}

/** Classifies an error thrown by an attempt (the caller handles timeouts and client cancels itself). */
export function classifyError(error: unknown): ClassifiedError {
  const message = error instanceof Error ? error.message : String(error);
  if (isMcpError(error)) {
    if (NOT_FAILURES.has(error.code)) return { kind: 'ignored', notReached: false, code: error.code, message };
    if (isServerErrorCode(error.code)) return { kind: 'failure', notReached: false, code: error.code, message };
    // Other application-defined codes are the backend answering: not its health's business.
    return { kind: 'ignored', notReached: false, code: error.code, message };
  }
  // An HTTP status: the SDK v2 client's SdkHttpError carries it as `status`, v1's as `code`.
  const status = error instanceof sdkClient().SdkHttpError ? error.status : (error as { code?: unknown })?.code;
  if (
    typeof status === 'number' &&
    status >= 400 &&
    status < 500 &&
    status !== 404 &&
    status !== 408 &&
    status !== 429
  ) {
    return { kind: 'ignored', notReached: false, code: status, message };
  }
  // A send that failed before anything left us: the SDK says "Not connected".
  const notReached = /not connected/i.test(message);
  return { kind: 'failure', notReached, message };
}

/** Methods that only read: resending them is always safe. */
const READ_ONLY_METHODS = new Set([
  'tools/list',
  'prompts/list',
  'prompts/get',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'completion/complete',
  'ping',
]);

export function isReadOnlyMethod(method: string): boolean {
  return READ_ONLY_METHODS.has(method);
}

/** A tool the backend says can be called again without harm. */
export function isRetrySafeTool(
  annotations: { readOnlyHint?: boolean; idempotentHint?: boolean } | undefined,
): boolean {
  return Boolean(annotations?.readOnlyHint || annotations?.idempotentHint);
}
