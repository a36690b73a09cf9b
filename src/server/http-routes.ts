/**
 * The windows onto the router beside /mcp: /healthz, /readyz, /metrics, /status (a live page) and
 * /status.json (what the page polls).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { admissionOf } from '../../machines/backend.selectors';
import { clean } from '../management/backend-status';
import { statusOf } from '../management/management-tools';
import type { Router } from '../router/router';
import type { RouterMetrics } from '../observability/metrics';
import { STATUS_PAGE_HTML } from './status-page';

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

/**
 * Ready when at least one backend can take a request now. Backends that retrying will not heal (a command not
 * found, a server that speaks no MCP version the router offers) are named either way, with why.
 */
export function readiness(router: Router): {
  ready: boolean;
  reason: string;
  unusable?: Record<string, string>;
} {
  const names = router.backendNames();
  const unusable: Record<string, string> = {};
  const routable = names.filter((n) => {
    const snapshot = router.backendRef(n)?.getSnapshot();
    if (!snapshot) return false;
    const config = router.backendConfig(n);
    if (snapshot.context.link.hopeless && config)
      unusable[n] = clean(config, snapshot.context.lastError?.message) ?? 'failed';
    return admissionOf(snapshot).admit;
  });
  const named = Object.keys(unusable).length > 0 ? { unusable } : {};
  if (routable.length > 0)
    return { ready: true, reason: `${routable.length} of ${names.length} backend(s) routable`, ...named };
  return {
    ready: false,
    reason: names.length === 0 ? 'no backends configured' : `none of ${names.length} backend(s) is routable`,
    ...named,
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
