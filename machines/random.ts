/**
 * A tiny seeded PRNG (mulberry32) whose whole state is one number, so jitter lives in machine context:
 * replayable in tests and visible in the inspector, with no Math.random inside a pure machine.
 */
export function nextRandom(state: number): { value: number; state: number } {
  const next = (state + 0x6d2b79f5) | 0;
  let t = next;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  const value = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  return { value, state: next };
}
