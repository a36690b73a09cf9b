import type { RouteConfig } from '../../src/config/types';
import { globMatches, planRoute, type CandidateView, type PlanInput } from '../../src/routing/strategies';

const open = { admit: true as const, epoch: 1 };
function c(backend: string, priority: number, extra: Partial<CandidateView> = {}): CandidateView {
  return { backend, priority, routes: [], inFlight: 0, admission: open, ...extra };
}
function route(pattern: string, strategy?: RouteConfig['strategy'], fallbackTo: string[] = []): RouteConfig {
  return { pattern, strategy, fallbackTo };
}
function plan(partial: Partial<PlanInput> & Pick<PlanInput, 'candidates'>) {
  return planRoute({ name: 'search_docs', defaultStrategy: 'capability', exclude: new Set(), turn: 0, ...partial });
}

describe('glob patterns (micromatch)', () => {
  it.each([
    ['search_docs', 'search_*', true],
    ['get_user', '{get,list}_*', true],
    ['list_users', '{get,list}_*', true],
    ['delete_user', '{get,list}_*', false],
    ['a/b/c', '**', true],
    ['anything', '**', true],
    ['search', 'search_*', false],
  ])('%s against %s → %s', (name, pattern, expected) => {
    expect(globMatches(name, pattern)).toBe(expected);
  });
});

describe('planRoute', () => {
  it.each<[string, Partial<PlanInput> & Pick<PlanInput, 'candidates'>, string[], string | null, string]>([
    [
      'capability: lower priority number first',
      { candidates: [c('b', 20), c('a', 10)] },
      ['a', 'b'],
      'a',
      'capability',
    ],
    [
      'capability: equal priorities, fewer in flight first',
      { candidates: [c('a', 10, { inFlight: 3 }), c('b', 10, { inFlight: 1 })] },
      ['b', 'a'],
      'b',
      'capability',
    ],
    [
      'capability: equal load rotates by turn',
      { candidates: [c('a', 10), c('b', 10)], turn: 1 },
      ['b', 'a'],
      'b',
      'capability',
    ],
    [
      'path: the route claims the name for its backend',
      { candidates: [c('a', 10), c('b', 20, { routes: [route('search_*', 'path')] })] },
      ['b'],
      'b',
      'path',
    ],
    [
      'path as default with no match: by capability',
      { defaultStrategy: 'path', candidates: [c('a', 10), c('b', 20)] },
      ['a', 'b'],
      'a',
      'capability',
    ],
    [
      'fallback: route chain, several links long',
      {
        candidates: [
          c('x', 1),
          c('a', 30, { routes: [route('search_*', 'fallback', ['b', 'c'])] }),
          c('b', 20),
          c('c', 10),
        ],
      },
      ['a', 'b', 'c'],
      'a',
      'fallback',
    ],
    [
      'fallback default: priority chain',
      { defaultStrategy: 'fallback', candidates: [c('b', 20), c('a', 10)] },
      ['a', 'b'],
      'a',
      'fallback',
    ],
    [
      'skips an open circuit and takes the next',
      { candidates: [c('a', 10, { admission: { admit: false, reason: 'circuit open' } }), c('b', 20)] },
      ['a', 'b'],
      'b',
      'capability',
    ],
    [
      'skips backends already tried',
      { candidates: [c('a', 10), c('b', 20)], exclude: new Set(['a']) },
      ['a', 'b'],
      'b',
      'capability',
    ],
    [
      'nothing admissible: no choice',
      { candidates: [c('a', 10, { admission: { admit: false, reason: 'not connected' } })] },
      ['a'],
      null,
      'capability',
    ],
  ])('%s', (_label, input, order, chosen, strategy) => {
    const result = plan(input);
    expect(result.order).toEqual(order);
    expect(result.chosen?.backend ?? null).toBe(chosen);
    expect(result.strategy).toBe(strategy);
  });

  it('says why each backend was skipped', () => {
    const result = plan({
      candidates: [
        c('a', 10, { admission: { admit: false, reason: 'circuit open' } }),
        c('b', 20, { admission: { admit: false, reason: 'unhealthy' } }),
      ],
    });
    expect(result.chosen).toBeNull();
    expect(result.skipped).toEqual([
      { backend: 'a', reason: 'circuit open' },
      { backend: 'b', reason: 'unhealthy' },
    ]);
  });

  it('shares calls evenly between equal priorities over many turns', () => {
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let turn = 0; turn < 300; turn++)
      counts[plan({ candidates: [c('a', 5), c('b', 5), c('c', 5)], turn }).chosen!.backend]!++;
    expect(counts).toEqual({ a: 100, b: 100, c: 100 });
  });
});
