/**
 * DNS rebinding protection: a browser page on another site must not be able to talk to a router bound on
 * loopback. Host must name the bound address (or an allowed host), and an Origin, when sent, must be local
 * (or allowed). A wildcard bind (0.0.0.0, ::) is no exception: it accepts the machine's own names and
 * addresses (loopback names, its host name, its interfaces' addresses) and what --allowed-hosts adds.
 */
import type { IncomingMessage } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';

export interface HostPolicy {
  host: string;
  port: number;
  allowedHosts: string[];
  allowedOrigins: string[];
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];
/** `name:port` or `[v6]:port`, as a Host header carries them. */
const HAS_PORT = /^(\[[^\]]*\]|[^:]*):\d+$/;

function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host.startsWith('127.');
}

export function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]' || host === '';
}

/** The names a client on this machine or its networks may use for it: loopback, host name, addresses. */
function machineNames(): string[] {
  const names = [...LOOPBACK_NAMES];
  try {
    const name = hostname();
    if (name) names.push(name);
    for (const entries of Object.values(networkInterfaces()))
      for (const entry of entries ?? []) names.push(entry.family === 'IPv6' ? `[${entry.address}]` : entry.address);
  } catch {
    // Without them, loopback names and --allowed-hosts still work.
  }
  return names;
}

/** Built once per policy: every request is checked against it. */
const namesByPolicy = new WeakMap<HostPolicy, Set<string>>();

function hostNames(policy: HostPolicy): Set<string> {
  const known = namesByPolicy.get(policy);
  if (known) return known;
  const names = new Set<string>();
  const bound = policy.host.includes(':') ? `[${policy.host}]` : policy.host;
  // The wildcard address itself too: the router prints its URL with it, and no DNS name rebinds to it.
  const bases = isWildcard(policy.host)
    ? [...machineNames(), bound]
    : isLoopback(policy.host)
      ? [...LOOPBACK_NAMES, bound]
      : [bound];
  for (const base of bases) {
    names.add(base.toLowerCase());
    names.add(`${base}:${policy.port}`.toLowerCase());
  }
  // A name allowed without a port is allowed as the bound name is: bare, and with the port we listen on
  // (a client that reaches us as http://name:PORT/mcp sends `Host: name:PORT`).
  for (const h of policy.allowedHosts) {
    names.add(h.toLowerCase());
    if (!HAS_PORT.test(h)) names.add(`${h}:${policy.port}`.toLowerCase());
  }
  namesByPolicy.set(policy, names);
  return names;
}

/** Returns why the request is refused, or undefined when it may pass. */
export function checkHostAndOrigin(req: IncomingMessage, policy: HostPolicy): string | undefined {
  const host = (req.headers.host ?? '').toLowerCase();
  if (!hostNames(policy).has(host)) return `Forbidden: Host ${JSON.stringify(host)} is not allowed`;
  const origin = req.headers.origin;
  if (origin) {
    if (policy.allowedOrigins.includes(origin) || policy.allowedOrigins.includes('*')) return undefined;
    let originHost: string;
    try {
      originHost = new URL(origin).host.toLowerCase();
    } catch {
      return `Forbidden: Origin ${JSON.stringify(origin)} is not allowed`;
    }
    if (!hostNames(policy).has(originHost)) return `Forbidden: Origin ${JSON.stringify(origin)} is not allowed`;
  }
  return undefined;
}
