/**
 * The dispatch decision as a pure function (machines/dispatch-decision.ts): the candidates and the route come
 * on the event, the round-robin turn is the dispatch actor's state, and the decision is the chosen backend, the
 * order, and why each other candidate was skipped.
 */
import { decideDispatch, type DispatchCandidate, type DispatchRoute } from '../../machines/dispatch-decision';

const open = { admit: true as const, epoch: 4 };
function c(backend: string, priority: number, extra: Partial<DispatchCandidate> = {}): DispatchCandidate {
  return { backend, priority, inFlight: 0, admission: open, ...extra };
}
function route(candidates: DispatchCandidate[], extra: Partial<DispatchRoute> = {}): DispatchRoute {
  return {
    strategy: 'capability',
    decidedBy: 'default strategy',
    ordering: 'load-sharing',
    candidates,
    skipped: [],
    ...extra,
  };
}
const chosenOf = (r: DispatchRoute, exclude: string[] = [], turn = 0) =>
  decideDispatch(r, exclude, turn).chosen?.backend ?? null;

describe('dispatch decision: strategy order', () => {
  it('load sharing: lower priority number first, whatever the configuration order', () => {
    const d = decideDispatch(route([c('b', 20), c('a', 10)]), [], 0);
    expect(d.order).toEqual(['a', 'b']);
    expect(d.chosen?.backend).toBe('a');
  });

  it('load sharing: among equal priorities, fewer requests in flight first', () => {
    const d = decideDispatch(
      route([c('a', 10, { inFlight: 3 }), c('b', 10, { inFlight: 1 }), c('z', 5, { inFlight: 9 })]),
      [],
      0,
    );
    expect(d.order).toEqual(['z', 'b', 'a']);
  });

  it('priority ordering (fallback without a chain): by priority alone, load ignored', () => {
    const d = decideDispatch(
      route([c('a', 10, { inFlight: 5 }), c('b', 10), c('c', 1)], { ordering: 'priority' }),
      [],
      1,
    );
    expect(d.order).toEqual(['c', 'a', 'b']);
  });

  it('as-given ordering (a fallback chain): the chain order, even against priority', () => {
    const d = decideDispatch(route([c('low', 90), c('high', 1)], { ordering: 'as-given' }), [], 0);
    expect(d.order).toEqual(['low', 'high']);
    expect(d.chosen?.backend).toBe('low');
  });
});

describe('dispatch decision: round robin', () => {
  it('rotates equally placed, equally loaded backends by the turn', () => {
    const r = () => route([c('a', 10), c('b', 10), c('c', 10)]);
    expect([0, 1, 2, 3].map((turn) => chosenOf(r(), [], turn))).toEqual(['a', 'b', 'c', 'a']);
  });

  it('the dispatch actor advances the turn itself: see supervisor-dispatch.test.ts; here, the turn never overrides load', () => {
    expect(chosenOf(route([c('a', 10, { inFlight: 1 }), c('b', 10)]), [], 0)).toBe('b');
    expect(chosenOf(route([c('a', 10, { inFlight: 1 }), c('b', 10)]), [], 1)).toBe('b');
  });
});

describe('dispatch decision: skip reasons', () => {
  it('names every candidate not chosen with its reason, the route`s own skips first', () => {
    const d = decideDispatch(
      route(
        [
          c('tried', 1),
          c('down', 2, { admission: { admit: false, reason: 'not connected' } }),
          c('open', 3, { admission: { admit: false, reason: 'circuit open' } }),
          c('ok', 4),
        ],
        { skipped: [{ backend: 'other', reason: 'no route match' }] },
      ),
      ['tried'],
      0,
    );
    expect(d.chosen?.backend).toBe('ok');
    expect(d.skipped).toEqual([
      { backend: 'other', reason: 'no route match' },
      { backend: 'tried', reason: 'already tried for this request' },
      { backend: 'down', reason: 'not connected' },
      { backend: 'open', reason: 'circuit open' },
    ]);
  });

  it('chooses nobody when every candidate is out, and says why for each', () => {
    const d = decideDispatch(route([c('a', 1, { admission: { admit: false, reason: 'unhealthy' } })]), [], 0);
    expect(d.chosen).toBeNull();
    expect(d.skipped).toEqual([{ backend: 'a', reason: 'unhealthy' }]);
  });

  it('excludes by actor: a session`s own instance tried once is not tried again, and is reported by its configured name', () => {
    const r = () => route([c('memory', 1, { actor: 'memory#3' }), c('spare', 2)]);
    expect(decideDispatch(r(), [], 0).chosen).toMatchObject({ backend: 'memory', actor: 'memory#3' });
    const again = decideDispatch(r(), ['memory#3'], 0);
    expect(again.chosen?.backend).toBe('spare');
    expect(again.skipped).toEqual([{ backend: 'memory', reason: 'already tried for this request' }]);
  });
});

describe('dispatch decision: half-open trial permits', () => {
  it('a half-open backend with a free trial permit is chosen in its circuit epoch', () => {
    const d = decideDispatch(route([c('trial', 1, { admission: { admit: true, epoch: 7 } }), c('b', 2)]), [], 0);
    expect(d.chosen?.admission).toEqual({ admit: true, epoch: 7 });
  });

  it('a half-open backend with no permit free is skipped for the next candidate', () => {
    const full = { admit: false as const, reason: 'half-open: no trial permit free' };
    const d = decideDispatch(route([c('trial', 1, { admission: full }), c('b', 2)]), [], 0);
    expect(d.chosen?.backend).toBe('b');
    expect(d.skipped).toEqual([{ backend: 'trial', reason: 'half-open: no trial permit free' }]);
  });
});

describe('dispatch decision: who is worth waiting for', () => {
  const down = { admit: false as const, reason: 'not connected' };
  it('with none chosen, names the actors refused only for the moment (reconnecting, no permit free)', () => {
    const d = decideDispatch(
      route([
        c('a', 1, { admission: down, soon: true, actor: 'a#2' }),
        c('b', 1, { admission: { admit: false, reason: 'circuit open' } }),
        c('c', 2, { admission: { admit: false, reason: 'half-open: no trial permit free' }, soon: true }),
      ]),
      [],
      0,
    );
    expect(d.chosen).toBeNull();
    expect(d.waitFor).toEqual(['a#2', 'c']);
  });

  it('names nobody when a backend is chosen, or when every refusal is lasting', () => {
    expect(
      decideDispatch(route([c('a', 1, { admission: down, soon: true }), c('b', 2)]), [], 0).waitFor,
    ).toBeUndefined();
    expect(decideDispatch(route([c('a', 1, { admission: down })]), [], 0).waitFor).toBeUndefined();
  });
});
