/**
 * Who may serve a request: the backends the catalog lists for the name, each with its live state (admission,
 * load), a per-client backend judged by the asking session's own instance. And explain_route: how a name would
 * be routed now, without sending anything.
 */
import type { BackendActorRef, BackendSnapshot } from '../../machines/backend.machine';
import { admissionOf, connectionStateOf } from '../../machines/backend.selectors';
import type { DispatchAdmission, DispatchRoute } from '../../machines/dispatch-decision';
import type { Catalog } from '../catalog/catalog';
import type { Strategy } from '../config/types';
import { planRoute, selectRoute, type CandidateView } from '../routing/strategies';
import type { BackendPool } from './backend-pool';
import type { ClientInstances } from './client-instances';
import type { Traffic } from './traffic';

const DRAINING = { admit: false, reason: 'draining (being removed or replaced)' } as const;

/**
 * Whether a backend refused admission only for the moment: it is connecting or reconnecting, or half-open with
 * every trial permit taken (a trial's end frees one). An open circuit or a stopped backend is not: its wait
 * would outlast most requests' deadlines.
 */
export function refusedForNow(snapshot: BackendSnapshot, admission: DispatchAdmission): boolean {
  if (admission.admit) return false;
  if (admission.reason === 'half-open: no trial permit free') return true;
  if (admission.reason !== 'not connected') return false;
  const connection = connectionStateOf(snapshot);
  return connection === 'connecting' || connection === 'reconnecting';
}

/** A type, not an interface: management hands it on as a plain record. */
export type RouteExplanation = {
  name: string;
  kind: 'tool' | 'prompt' | 'resource' | 'unknown';
  original: string | null;
  strategy: string | null;
  decided_by: string | null;
  order: string[];
  would_choose: string | null;
  skipped: { backend: string; reason: string }[];
};

export interface RouteCandidatesDependencies {
  catalog: Catalog;
  pool: BackendPool;
  instances: ClientInstances;
  traffic: Traffic;
  isDraining(name: string): boolean;
  defaultStrategy(): Strategy;
  /** The dispatch actor's round-robin turn, so an explanation matches the next dispatch. */
  turn(): number;
}

export class RouteCandidates {
  constructor(private readonly deps: RouteCandidatesDependencies) {}

  /** Candidates for a request: the backends that offer the name, with their live state. */
  candidatesFor(
    method: string,
    name: string,
    backends: Record<string, BackendActorRef>,
    session?: string,
  ): { original: string; views: CandidateView[] } {
    const { catalog, pool, traffic } = this.deps;
    let original = name;
    let names: string[] = [];
    if (method === 'tools/call') {
      const entry = catalog.tool(name);
      if (entry) ({ original, backends: names } = entry);
    } else if (method === 'prompts/get') {
      const entry = catalog.prompt(name);
      if (entry) ({ original, backends: names } = entry);
    } else if (method === 'completion/complete' && name.startsWith('prompt:')) {
      const entry = catalog.prompt(name.slice('prompt:'.length));
      if (entry) ({ original, backends: names } = entry);
    } else if (method.startsWith('resources/') || method === 'completion/complete') {
      names = catalog.resourceBackends(name);
    }
    const views: CandidateView[] = [];
    // The catalog keeps each name's backends by priority, then configuration order.
    const own = this.deps.instances.ofSession(session);
    for (const backend of names) {
      // A per-client backend is judged by this session's own instance of it; the strategy sees the
      // configured name, so routes and fallback_to chains read as written.
      const actor = own?.get(backend) ?? backend;
      const ref = backends[actor];
      const config = pool.config(backend);
      if (!ref || !config) continue;
      const snapshot = ref.getSnapshot();
      const admission = this.deps.isDraining(backend) ? DRAINING : admissionOf(snapshot);
      const view: CandidateView = {
        backend,
        actor,
        priority: config.priority,
        routes: config.routes,
        inFlight: traffic.inFlight(actor),
        admission,
      };
      // Only a refusal is looked at twice: the request path of an admitted backend pays nothing for it.
      if (!admission.admit && admission !== DRAINING && refusedForNow(snapshot, admission)) view.soon = true;
      views.push(view);
    }
    return { original, views };
  }

  /** One attempt's candidates and the route the configuration selects: what the dispatch actor decides on. */
  routeFor(method: string, name: string, session: string | undefined): DispatchRoute {
    const backends = this.deps.pool.supervisor.getSnapshot().context.backends;
    const { original, views } = this.candidatesFor(method, name, backends, session);
    return selectRoute(original, views, this.deps.defaultStrategy());
  }

  /** What explain_route and `mcp-router check` show: candidates, order, who is skipped and why, who decided. */
  explainRoute(name: string): RouteExplanation {
    const { catalog } = this.deps;
    const kind = catalog.tool(name)
      ? 'tool'
      : catalog.prompt(name)
        ? 'prompt'
        : catalog.resourceBackends(name).length && name.includes(':')
          ? 'resource'
          : 'unknown';
    if (kind === 'unknown')
      return {
        name,
        kind,
        original: null,
        strategy: null,
        decided_by: null,
        order: [],
        would_choose: null,
        skipped: [],
      };
    const method = kind === 'tool' ? 'tools/call' : kind === 'prompt' ? 'prompts/get' : 'resources/read';
    const { original, views } = this.candidatesFor(
      method,
      name,
      this.deps.pool.supervisor.getSnapshot().context.backends,
    );
    const plan = planRoute({
      name: original,
      candidates: views,
      defaultStrategy: this.deps.defaultStrategy(),
      exclude: new Set(),
      turn: this.deps.turn(),
    });
    return {
      name,
      kind,
      original,
      strategy: plan.strategy,
      decided_by: plan.decidedBy,
      order: plan.order,
      would_choose: plan.chosen?.backend ?? null,
      skipped: plan.skipped,
    };
  }
}
