/**
 * What `main.ts` builds the fronts from, in one module it loads when it first needs a front: over stdio, after
 * the backends' processes have been spawned (both SDKs' servers, ajv and the HTTP front are most of the
 * router's own start-up, and the backends boot meanwhile).
 */
export { createClientSession } from './client-session';
export { HttpFront } from './http-front';
export { serveStdio } from './stdio-front';
export { ModernFront } from './modern-front';
export { ModernHttp } from './modern-http';
export { ModernStdio } from './modern-stdio';
export { observabilityRoutes } from './http-routes';
export { startSideListener, type SideListener } from './side-listener';
