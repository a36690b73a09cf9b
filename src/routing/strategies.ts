/**
 * Pure routing: given the backends that offer a name and their current state, which backend gets this
 * attempt, in what order the others stand, and why any is skipped. No I/O, no actors: table-driven tests.
 * The configuration's patterns are matched here (selectRoute); ordering and choosing are the dispatch
 * decision's, beside the machines (machines/dispatch-decision.ts), which the dispatch actor runs.
 */
import {
  decideDispatch,
  type DispatchAdmission,
  type DispatchCandidate,
  type DispatchRoute,
} from '../../machines/dispatch-decision';
import { micromatch } from '../config/micromatch';
import type { RouteConfig, Strategy } from '../config/types';

export { loadSharingOrder } from '../../machines/dispatch-decision';

export type Admission = DispatchAdmission;

export interface CandidateView extends DispatchCandidate {
  routes: RouteConfig[];
}

export interface PlanInput {
  /** The name as the backends know it (namespace prefix already removed). */
  name: string;
  /** Backends that offer the name, in configuration order. */
  candidates: CandidateView[];
  defaultStrategy: Strategy;
  /** Backends already tried for this request. */
  exclude: ReadonlySet<string>;
  /** A counter that advances per dispatch: rotates backends of equal priority and equal load. */
  turn: number;
}

export interface Plan {
  /** The strategy that decided, and what supplied it (a route's pattern, or the default). */
  strategy: Strategy;
  decidedBy: string;
  order: string[];
  skipped: { backend: string; reason: string }[];
  chosen: { backend: string; epoch: number } | null;
}

const matchCache = new Map<string, boolean>();
/** Glob matching is on every request; names and patterns are few, so remember answers. */
export function globMatches(name: string, pattern: string): boolean {
  const key = `${pattern}\u0000${name}`;
  let hit = matchCache.get(key);
  if (hit === undefined) {
    hit = micromatch().isMatch(name, pattern);
    if (matchCache.size > 50_000) matchCache.clear();
    matchCache.set(key, hit);
  }
  return hit;
}

interface RouteMatch {
  candidate: CandidateView;
  route: RouteConfig;
}

function firstRouteMatch(name: string, candidates: CandidateView[]): RouteMatch | undefined {
  for (const candidate of byPriority(candidates)) {
    const route = candidate.routes.find((r) => globMatches(name, r.pattern));
    if (route) return { candidate, route };
  }
  return undefined;
}

function byPriority(candidates: CandidateView[]): CandidateView[] {
  if (candidates.length < 2) return candidates;
  return [...candidates].sort((a, b) => a.priority - b.priority);
}

function chainOrder(route: RouteMatch, candidates: CandidateView[]): CandidateView[] {
  const byName = new Map(candidates.map((c) => [c.backend, c]));
  const chain: CandidateView[] = [route.candidate];
  for (const link of route.route.fallbackTo) {
    const c = byName.get(link);
    if (c && !chain.includes(c)) chain.push(c);
  }
  return chain;
}

/**
 * The route the configuration selects for a name: the strategy (from the first matching route by priority,
 * or the default), what decided it, the candidates it may use and how it orders them.
 */
export function selectRoute(name: string, candidates: CandidateView[], defaultStrategy: Strategy): DispatchRoute {
  // Most backends have no routes: the default strategy decides, and no pattern needs matching.
  const match = candidates.some((c) => c.routes.length > 0) ? firstRouteMatch(name, candidates) : undefined;
  const strategy: Strategy = match?.route.strategy ?? defaultStrategy;
  const decidedBy = match
    ? `route ${JSON.stringify(match.route.pattern)} of ${match.candidate.backend}`
    : 'default strategy';
  const skipped: DispatchRoute['skipped'] = [];
  if (strategy === 'path') {
    if (!match)
      // No route claims the name: every backend offering it may serve it, by capability.
      return {
        strategy: 'capability',
        decidedBy: 'default strategy path: no route matched, so by capability',
        ordering: 'load-sharing',
        candidates,
        skipped,
      };
    const claimants = candidates.filter((c) => c.routes.some((r) => globMatches(name, r.pattern)));
    for (const c of candidates)
      if (!claimants.includes(c)) skipped.push({ backend: c.backend, reason: 'no route match' });
    return { strategy, decidedBy, ordering: 'load-sharing', candidates: claimants, skipped };
  }
  if (strategy === 'fallback') {
    if (!match || match.route.fallbackTo.length === 0)
      return { strategy, decidedBy, ordering: 'priority', candidates, skipped };
    const chain = chainOrder(match, candidates);
    for (const c of candidates)
      if (!chain.includes(c)) skipped.push({ backend: c.backend, reason: 'not in the fallback chain' });
    return { strategy, decidedBy, ordering: 'as-given', candidates: chain, skipped };
  }
  return { strategy, decidedBy, ordering: 'load-sharing', candidates, skipped };
}

/** The whole plan for a name, as explain_route shows it and the table-driven tests pin it. */
export function planRoute(input: PlanInput): Plan {
  const route = selectRoute(input.name, input.candidates, input.defaultStrategy);
  const choice = decideDispatch(route, [...input.exclude], input.turn);
  const chosen = choice.chosen;
  return {
    strategy: route.strategy as Strategy,
    decidedBy: route.decidedBy,
    order: choice.order,
    skipped: choice.skipped,
    chosen: chosen && chosen.admission.admit ? { backend: chosen.backend, epoch: chosen.admission.epoch } : null,
  };
}
