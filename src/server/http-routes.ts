/**
 * The windows onto the router beside /mcp: /healthz, /readyz, /metrics, /status (a live page) and
 * /status.json (what the page polls).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { admissionOf } from '../../machines/backend.selectors';
import { statusOf } from '../management/management-tools';
import type { Router } from '../router/router';
import type { RouterMetrics } from '../observability/metrics';
import { STATUS_PAGE_HTML } from './status-page';

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

/** Ready when at least one backend can take a request now. */
export function readiness(router: Router): { ready: boolean; reason: string } {
  const names = router.backendNames();
  const routable = names.filter((n) => {
    const ref = router.backendRef(n);
    return ref ? admissionOf(ref.getSnapshot()).admit : false;
  });
  if (routable.length > 0) return { ready: true, reason: `${routable.length} of ${names.length} backend(s) routable` };
  return {
    ready: false,
    reason: names.length === 0 ? 'no backends configured' : `none of ${names.length} backend(s) is routable`,
  };
}

export function statusDocument(router: Router) {
  const backends = router.backendNames().map((n) => statusOf(router, n)!);
  const routes = [...router.catalog.toolEntries()].map((e) => ({
    name: e.exposed,
    kind: 'tool',
    backends: e.backends,
  }));
  for (const e of router.catalog.promptEntries())
    routes.push({ name: e.exposed, kind: 'prompt', backends: e.backends });
  return {
    at: new Date().toISOString(),
    ...readiness(router),
    default_strategy: router.settings.defaultStrategy,
    backends,
    routes,
  };
}

export function observabilityRoutes(router: Router, metrics: RouterMetrics | undefined) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    switch ((req.url ?? '/').split('?')[0]) {
      case '/healthz':
        json(res, 200, { status: 'ok' });
        return true;
      case '/readyz': {
        const r = readiness(router);
        json(res, r.ready ? 200 : 503, r);
        return true;
      }
      case '/metrics':
        if (!metrics) return false;
        void metrics
          .render()
          .then(({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body));
        return true;
      case '/status':
        res
          .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
          .end(STATUS_PAGE_HTML);
        return true;
      case '/status.json':
        json(res, 200, statusDocument(router));
        return true;
      default:
        return false;
    }
  };
}
