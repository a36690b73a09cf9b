/**
 * The order the bench measures its targets in, round by round. Its verdicts are ratios of two targets, and on a
 * shared machine whose speed drifts over minutes (in one run the same target's rounds differed by a quarter,
 * and the backend's and the load generator's CPU per call with it), two targets measured minutes apart are
 * compared across that drift. So the targets a ratio compares run next to each other: over each transport, the
 * router for both eras and the floors for both. Within a group, and the groups among themselves, the order
 * rotates from round to round, so that no target always runs first or last.
 */

/** Which comparison a target belongs to: the router and floor targets by transport; any other alone. */
export function comparisonGroup(id: string): string {
  const match = /^(?:router|floor)-(http|stdio)(?:-2026)?$/.exec(id);
  return match ? `router and floor over ${match[1]}` : id;
}

function rotated<T>(items: readonly T[], by: number): T[] {
  const shift = items.length === 0 ? 0 : by % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

/** The targets of round `round` (from 1), in the order to measure them. */
export function runOrder<T extends { id: string }>(active: readonly T[], round: number): T[] {
  const groups = new Map<string, T[]>();
  for (const target of active) {
    const key = comparisonGroup(target.id);
    const group = groups.get(key);
    if (group) group.push(target);
    else groups.set(key, [target]);
  }
  return rotated([...groups.values()], round - 1).flatMap((group) => rotated(group, round - 1));
}
