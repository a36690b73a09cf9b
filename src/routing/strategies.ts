/**
 * Pure routing: given the backends that offer a name and their current state, which backend gets this
 * attempt, in what order the others stand, and why any is skipped. No I/O, no actors: table-driven tests.
 */
import micromatch from 'micromatch';
import type { RouteConfig, Strategy } from '../config/types';

export type Admission = { admit: true; epoch: number } | { admit: false; reason: string };

export interface CandidateView {
  backend: string;
  priority: number;
  routes: RouteConfig[];
  inFlight: number;
  admission: Admission;
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
    hit = micromatch.isMatch(name, pattern);
    if (matchCache.size > 50_000) matchCache.clear();
    matchCache.set(key, hit);
  }
  return hit;
}

interface RouteMatch {
  candidate: CandidateView;
  route: RouteConfig;
}

function firstRouteMatch(input: PlanInput): RouteMatch | undefined {
  for (const candidate of byPriority(input.candidates)) {
    const route = candidate.routes.find((r) => globMatches(input.name, r.pattern));
    if (route) return { candidate, route };
  }
  return undefined;
}

function byPriority(candidates: CandidateView[]): CandidateView[] {
  // Most names have one backend: nothing to order (and nothing to copy; no caller changes the array).
  if (candidates.length < 2) return candidates;
  // Array.prototype.sort is stable: equal priorities keep configuration order.
  return [...candidates].sort((a, b) => a.priority - b.priority);
}

/**
 * Priority order where equal priorities share the load: fewest requests in flight first, and among equally
 * loaded backends a rotation by `turn` (round robin).
 */
export function loadSharingOrder(candidates: CandidateView[], turn: number): CandidateView[] {
  if (candidates.length < 2) return candidates;
  const groups = new Map<number, CandidateView[]>();
  for (const c of byPriority(candidates)) {
    const group = groups.get(c.priority) ?? [];
    group.push(c);
    groups.set(c.priority, group);
  }
  const out: CandidateView[] = [];
  for (const group of groups.values()) {
    if (group.length === 1) {
      out.push(group[0]);
      continue;
    }
    const shift = turn % group.length;
    const rotated = [...group.slice(shift), ...group.slice(0, shift)];
    out.push(...rotated.sort((a, b) => a.inFlight - b.inFlight));
  }
  return out;
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

export function planRoute(input: PlanInput): Plan {
  const match = firstRouteMatch(input);
  let strategy: Strategy = match?.route.strategy ?? input.defaultStrategy;
  let decidedBy = match
    ? `route ${JSON.stringify(match.route.pattern)} of ${match.candidate.backend}`
    : 'default strategy';
  let ordered: CandidateView[];
  const skipped: Plan['skipped'] = [];

  if (strategy === 'path') {
    if (match) {
      const claimants = input.candidates.filter((c) => c.routes.some((r) => globMatches(input.name, r.pattern)));
      for (const c of input.candidates)
        if (!claimants.includes(c)) skipped.push({ backend: c.backend, reason: 'no route match' });
      ordered = loadSharingOrder(claimants, input.turn);
    } else {
      // No route claims the name: every backend offering it may serve it, by capability.
      strategy = 'capability';
      decidedBy = 'default strategy path: no route matched, so by capability';
      ordered = loadSharingOrder(input.candidates, input.turn);
    }
  } else if (strategy === 'fallback') {
    if (match && match.route.fallbackTo.length > 0) {
      ordered = chainOrder(match, input.candidates);
      for (const c of input.candidates)
        if (!ordered.includes(c)) skipped.push({ backend: c.backend, reason: 'not in the fallback chain' });
    } else {
      ordered = byPriority(input.candidates);
    }
  } else {
    ordered = loadSharingOrder(input.candidates, input.turn);
  }

  let chosen: Plan['chosen'] = null;
  for (const c of ordered) {
    if (input.exclude.has(c.backend)) {
      skipped.push({ backend: c.backend, reason: 'already tried for this request' });
    } else if (!c.admission.admit) {
      skipped.push({ backend: c.backend, reason: c.admission.reason });
    } else if (!chosen) {
      chosen = { backend: c.backend, epoch: c.admission.epoch };
    }
  }
  return { strategy, decidedBy, order: ordered.map((c) => c.backend), skipped, chosen };
}
