/**
 * The dispatch decision, pure: which backend gets one attempt of a request, in what order the candidates
 * stand, and why any is skipped. src/ builds the candidates per request (the catalog's backends for the name,
 * each with its admission, priority and load, and the route the configuration's patterns select) and carries
 * them on `request.dispatch`; the dispatch actor keeps the round-robin turn. No I/O, no other actors: src/
 * performs what follows (a half-open trial permit, `attempt.started`).
 */

/** Whether a new attempt may go to a backend now, and if so in which circuit epoch. */
export type DispatchAdmission = { admit: true; epoch: number } | { admit: false; reason: string };

export interface DispatchCandidate {
  /** The configured backend: strategies, routes and fallback chains read this name. */
  backend: string;
  /** The actor that serves it: the backend itself, or the asking session's own instance of it. */
  actor?: string;
  priority: number;
  /** Requests in flight on it: equally placed backends share the load by it. */
  inFlight: number;
  admission: DispatchAdmission;
  /** Refused now but may be admitted soon (it is reconnecting, or half-open with every trial permit taken). */
  soon?: boolean;
}

/**
 * How the selected strategy orders its candidates: by load within priority groups (capability, path), by
 * priority alone (fallback without a chain), or as given (a fallback chain).
 */
export type DispatchOrdering = 'load-sharing' | 'priority' | 'as-given';

export interface Skip {
  backend: string;
  reason: string;
}

/** The route the configuration selects for a name (from its patterns): what the decision starts from. */
export interface DispatchRoute {
  strategy: string;
  /** What supplied the strategy: a route's pattern, or the default. */
  decidedBy: string;
  ordering: DispatchOrdering;
  /** The candidates the strategy may use, in configuration order (or chain order, for 'as-given'). */
  candidates: readonly DispatchCandidate[];
  /** Candidates the route rules out before ordering (no route match, not in the fallback chain). */
  skipped: Skip[];
}

export interface DispatchChoice {
  /** The candidates in the order the strategy put them (configured names). */
  order: string[];
  skipped: Skip[];
  /** The chosen candidate, or null when none is left. */
  chosen: DispatchCandidate | null;
  /** With none chosen: the actors refused only for the moment, worth waiting for (absent when there are none). */
  waitFor?: string[];
}

/**
 * Orders the route's candidates and takes the first one that is neither excluded (already tried for this
 * request, by actor name) nor refused admission. `turn` rotates equally placed backends (round robin). With
 * none left, names those refused only for the moment (`waitFor`): a caller may wait for one of them. The
 * route's `skipped` is extended in place (the route is built for this one attempt).
 */
export function decideDispatch(route: DispatchRoute, exclude: readonly string[], turn: number): DispatchChoice {
  const ordered = orderCandidates(route.candidates, route.ordering, turn);
  const skipped = route.skipped;
  let chosen: DispatchCandidate | null = null;
  let waitFor: string[] | undefined;
  for (const c of ordered) {
    if (exclude.length > 0 && exclude.includes(c.actor ?? c.backend)) {
      skipped.push({ backend: c.backend, reason: 'already tried for this request' });
    } else if (!c.admission.admit) {
      skipped.push({ backend: c.backend, reason: c.admission.reason });
      if (c.soon) (waitFor ??= []).push(c.actor ?? c.backend);
    } else if (!chosen) {
      chosen = c;
    }
  }
  const order = ordered.map((c) => c.backend);
  return chosen || !waitFor ? { order, skipped, chosen } : { order, skipped, chosen, waitFor };
}

function orderCandidates(
  candidates: readonly DispatchCandidate[],
  ordering: DispatchOrdering,
  turn: number,
): readonly DispatchCandidate[] {
  if (ordering === 'as-given') return candidates;
  if (ordering === 'priority') return byPriority(candidates);
  return loadSharingOrder(candidates, turn);
}

function byPriority<C extends DispatchCandidate>(candidates: readonly C[]): readonly C[] {
  // Most names have one backend: nothing to order (and nothing to copy; no caller changes the array).
  if (candidates.length < 2) return candidates;
  // Array.prototype.sort is stable: equal priorities keep configuration order.
  return [...candidates].sort((a, b) => a.priority - b.priority);
}

/**
 * Priority order where equal priorities share the load: fewest requests in flight first, and among equally
 * loaded backends a rotation by `turn` (round robin).
 */
export function loadSharingOrder<C extends DispatchCandidate>(candidates: readonly C[], turn: number): readonly C[] {
  if (candidates.length < 2) return candidates;
  const groups = new Map<number, C[]>();
  for (const c of byPriority(candidates)) {
    const group = groups.get(c.priority) ?? [];
    group.push(c);
    groups.set(c.priority, group);
  }
  const out: C[] = [];
  for (const group of groups.values()) {
    if (group.length === 1) {
      out.push(group[0]!);
      continue;
    }
    const shift = turn % group.length;
    const rotated = [...group.slice(shift), ...group.slice(0, shift)];
    out.push(...rotated.sort((a, b) => a.inFlight - b.inFlight));
  }
  return out;
}
