/**
 * The checks every listener of the router applies before it serves anything: Host and Origin (DNS
 * rebinding), then the bearer token on every path but the liveness and readiness probes. The MCP endpoint
 * and the stdio mode's side listener share them, so no window onto the router is left open.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkHostAndOrigin, type HostPolicy } from './host-policy';

export interface RequestGate {
  policy: HostPolicy;
  /** When set, every request but /healthz and /readyz must carry `Authorization: Bearer <token>`. */
  authToken?: string;
}

/** Constant-time comparison, so the token cannot be guessed byte by byte from response times. */
export function bearerMatches(authorization: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(authorization ?? '');
  const given = createHash('sha256')
    .update(match?.[1] ?? '')
    .digest();
  const wanted = createHash('sha256').update(token).digest();
  return Boolean(match) && timingSafeEqual(given, wanted);
}

function refuse(res: ServerResponse, status: number, message: string): void {
  res
    .writeHead(status, { 'content-type': 'application/json' })
    .end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

/** Answers 403 or 401 itself and returns false when the request may not pass. */
export function admit(req: IncomingMessage, res: ServerResponse, gate: RequestGate): boolean {
  const refusal = checkHostAndOrigin(req, gate.policy);
  if (refusal) {
    refuse(res, 403, refusal);
    return false;
  }
  const path = (req.url ?? '/').split('?')[0];
  // Liveness and readiness stay open to probes; everything else needs the token.
  const probe = path === '/healthz' || path === '/readyz';
  if (gate.authToken !== undefined && !probe && !bearerMatches(req.headers.authorization, gate.authToken)) {
    res.setHeader('www-authenticate', 'Bearer');
    refuse(res, 401, 'Unauthorized: a valid bearer token is required');
    return false;
  }
  return true;
}
