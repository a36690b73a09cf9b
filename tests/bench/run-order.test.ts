import { comparisonGroup, runOrder } from '../../bench/run-order';

const ids = [
  'direct',
  'router-http',
  'router-stdio',
  'router-http-2026',
  'router-stdio-2026',
  'mcp-hub',
  'floor-http',
  'floor-stdio',
  'floor-http-2026',
  'floor-stdio-2026',
];
const targets = ids.map((id) => ({ id }));
const order = (round: number) => runOrder(targets, round).map((t) => t.id);

describe('the order the bench measures in', () => {
  it('groups the router and floor targets of a transport, both eras', () => {
    expect(comparisonGroup('router-http')).toBe(comparisonGroup('floor-http-2026'));
    expect(comparisonGroup('router-stdio-2026')).toBe(comparisonGroup('floor-stdio'));
    expect(comparisonGroup('router-http')).not.toBe(comparisonGroup('router-stdio'));
    expect(comparisonGroup('mcp-hub')).toBe('mcp-hub');
    expect(comparisonGroup('router-http-backend-v2')).toBe('router-http-backend-v2');
  });

  it('measures every target once a round, the four of a comparison one after another', () => {
    for (let round = 1; round <= 6; round++) {
      const measured = order(round);
      expect([...measured].sort()).toEqual([...ids].sort());
      for (const transport of ['http', 'stdio']) {
        const at = measured
          .map((id, i) => (comparisonGroup(id) === comparisonGroup(`router-${transport}`) ? i : -1))
          .filter((i) => i >= 0);
        expect(at).toHaveLength(4);
        expect(at[3]! - at[0]!).toBe(3);
      }
    }
  });

  it('rotates, so that no target is always first or always last', () => {
    const rounds = [1, 2, 3, 4, 5, 6].map(order);
    expect(new Set(rounds.map((r) => r[0])).size).toBeGreaterThan(1);
    expect(new Set(rounds.map((r) => r[r.length - 1])).size).toBeGreaterThan(1);
    // Within a comparison, the first of the four changes too.
    const firstHttp = rounds.map((r) => r.find((id) => comparisonGroup(id) === comparisonGroup('router-http')));
    expect(new Set(firstHttp).size).toBe(4);
  });
});
