/**
 * The HTTP front and the side listener (with the routes they serve), which `main.ts` loads only when it serves
 * HTTP or is asked for a side listener: over stdio without one, none of it (nor the SDK v2 server package the
 * HTTP front's era classifier uses) is loaded at all.
 */
export { HttpFront } from './http-front';
export { ModernHttp } from './modern-http';
export { observabilityRoutes } from './http-routes';
export { startSideListener, type SideListener } from './side-listener';
