/**
 * What `main.ts` builds a front from, in a module it loads when it first needs one: over stdio, after the
 * backends' processes have been spawned (the SDK's server is a large part of the router's own start-up, and
 * the backends boot meanwhile). The HTTP front's own modules are in http-fronts.ts.
 */
export { createClientSession } from './client-session';
export { serveStdio } from './stdio-front';
export { ModernFront } from './modern-front';
export { ModernStdio } from './modern-stdio';
