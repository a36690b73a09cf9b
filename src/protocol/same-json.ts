type Fields = Record<string, unknown>;

/**
 * Deep equality of two parsed JSON values (members in any order). It stops at the first difference and
 * allocates nothing: comparing two large lists this way is cheaper than serializing both.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    if (a.length !== other.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], other[i])) return false;
    return true;
  }
  let count = 0;
  for (const key in a as Fields) {
    if (!Object.hasOwn(a, key)) continue;
    if (!Object.hasOwn(b, key) || !sameJson((a as Fields)[key], (b as Fields)[key])) return false;
    count++;
  }
  let otherCount = 0;
  for (const key in b as Fields) if (Object.hasOwn(b, key)) otherCount++;
  return count === otherCount;
}
