/**
 * What the bench's figures say against the issues' targets: issue 19 (the router against the floor proxies, for
 * both protocol eras; p99; the best peer; memory; start-up; tools/list), issue 15 (the 2026-07-28 path against
 * the 2025 one), and readings that are not targets (marked `ref`). Pure functions of the medians.
 */

/** The medians of one target at one client count. */
export interface Cell {
  target: string;
  role: string;
  concurrency: number;
  /** Runs that measured; 0 when every run failed. */
  runs: number;
  callsPerSecond: number;
  p99Ms: number;
  firstError?: string;
}

/** The router-only figures (bench/extras.ts); undefined when not measured, with the reason in `errors`. */
export interface ExtrasFigures {
  rss50BackendsMB?: number;
  rss1000SessionsMB?: number;
  startupRouterMs?: number;
  startupDirectMs?: number;
  toolsList1000P99Ms?: number;
  /** Why a figure is missing (failed, skipped, router not built). */
  missing: Record<string, string>;
}

export interface Verdict {
  issue: string;
  name: string;
  value: number;
  /** The target, as text (`>= 0.9`), or `reading` for a figure that is not a target. */
  bar: string;
  /** Undefined when it could not be measured, and for readings. */
  met?: boolean;
  note?: string;
}

const ERAS = [
  { era: '2025', suffix: '' },
  { era: '2026-07-28', suffix: '-2026' },
] as const;
const TRANSPORTS = [
  { id: 'http', name: 'HTTP' },
  { id: 'stdio', name: 'stdio' },
] as const;

type Test = (value: number) => boolean;
const NO_PEER = 'no peer';

class Verdicts {
  readonly list: Verdict[] = [];

  constructor(private readonly cells: Cell[]) {}

  cell(target: string, c: number): Cell | undefined {
    return this.cells.find((s) => s.target === target && s.concurrency === c);
  }

  /** Why a cell gives no figure: not chosen, or every run failed (with the first error). */
  private why(target: string, c: number): string {
    const cell = this.cell(target, c);
    if (target === NO_PEER) return 'no peer measured';
    if (!cell) return `${target} not measured`;
    if (cell.runs === 0) return `${target} failed (why: above)`;
    return `${target} gave no figure`;
  }

  private figure(target: string, c: number, pick: (cell: Cell) => number): number | undefined {
    const cell = this.cell(target, c);
    const value = cell && cell.runs > 0 ? pick(cell) : undefined;
    return value !== undefined && Number.isFinite(value) ? value : undefined;
  }

  ratio(
    issue: string,
    name: string,
    a: [string, number],
    b: [string, number],
    pick: (cell: Cell) => number,
    bar: string,
    test?: Test,
    note?: string,
  ): void {
    const x = this.figure(a[0], a[1], pick);
    const y = this.figure(b[0], b[1], pick);
    if (x === undefined || y === undefined || y <= 0) {
      const why = [x === undefined ? this.why(a[0], a[1]) : '', y === undefined ? this.why(b[0], b[1]) : '']
        .filter(Boolean)
        .join('; ');
      this.list.push({ issue, name, value: NaN, bar, note: why || note });
      return;
    }
    const value = x / y;
    this.list.push({ issue, name, value, bar, met: test ? test(value) : undefined, note });
  }

  value(issue: string, name: string, value: number | undefined, bar: string, test: Test, missing?: string): void {
    if (value === undefined || !Number.isFinite(value)) {
      this.list.push({ issue, name, value: NaN, bar, note: missing ?? 'not measured' });
      return;
    }
    this.list.push({ issue, name, value, bar, met: test(value) });
  }

  /** The best peer's id at `c` clients (by calls/s), if any measured. */
  bestPeer(c: number): string | undefined {
    return this.cells
      .filter((s) => s.role === 'peer' && s.concurrency === c && s.runs > 0 && Number.isFinite(s.callsPerSecond))
      .sort((a, b) => b.callsPerSecond - a.callsPerSecond)[0]?.target;
  }
}

const calls = (cell: Cell) => cell.callsPerSecond;
const p99 = (cell: Cell) => cell.p99Ms;
const atLeast = (bar: number) => (v: number) => v >= bar;
const atMost = (bar: number) => (v: number) => v <= bar;
const under = (bar: number) => (v: number) => v < bar;

/** Issue 19's targets, then issue 15's, then the readings. */
export function verdicts(cells: Cell[], extras: ExtrasFigures): Verdict[] {
  const v = new Verdicts(cells);
  for (const { era, suffix } of ERAS) {
    for (const t of TRANSPORTS) {
      for (const c of [1, 16])
        v.ratio(
          '19',
          `router ${t.name} / floor ${t.name}, calls/s @${c} (${era})`,
          [`router-${t.id}${suffix}`, c],
          [`floor-${t.id}${suffix}`, c],
          calls,
          '>= 0.9',
          atLeast(0.9),
        );
    }
    for (const t of TRANSPORTS)
      v.ratio(
        '19',
        `router ${t.name} / floor ${t.name}, p99 @16 (${era})`,
        [`router-${t.id}${suffix}`, 16],
        [`floor-${t.id}${suffix}`, 16],
        p99,
        '<= 1.5',
        atMost(1.5),
      );
  }
  for (const c of [16, 1]) {
    const best = v.bestPeer(c);
    v.ratio(
      '19',
      `router HTTP / best peer, calls/s @${c}`,
      ['router-http', c],
      [best ?? NO_PEER, c],
      calls,
      c === 16 ? '>= 3' : 'reading',
      c === 16 ? atLeast(3) : undefined,
      best ? `best peer: ${best}` : undefined,
    );
  }
  v.value('19', 'router RSS, 50 backends, MB', extras.rss50BackendsMB, '< 120', under(120), extras.missing.rss50);
  v.value(
    '19',
    'router RSS, 1,000 open client sessions, MB',
    extras.rss1000SessionsMB,
    '< 250',
    under(250),
    extras.missing.sessions,
  );
  const startup =
    extras.startupRouterMs !== undefined && extras.startupDirectMs !== undefined && extras.startupDirectMs > 0
      ? extras.startupRouterMs / extras.startupDirectMs
      : undefined;
  v.value('19', 'start-up, 20 stdio backends: router / direct', startup, '<= 1.1', atMost(1.1), extras.missing.startup);
  v.value(
    '19',
    'tools/list over 1,000 aggregated tools, p99 ms',
    extras.toolsList1000P99Ms,
    '< 10',
    under(10),
    extras.missing.aggregation50,
  );

  for (const t of TRANSPORTS)
    for (const c of [1, 16])
      v.ratio(
        '15',
        `router ${t.name}: 2026-07-28 / 2025 path, calls/s @${c}`,
        [`router-${t.id}-2026`, c],
        [`router-${t.id}`, c],
        calls,
        '>= 0.9',
        atLeast(0.9),
      );

  const ref = (name: string, a: [string, number], b: [string, number], note?: string) =>
    v.ratio('ref', name, a, b, calls, 'reading', undefined, note);
  for (const c of [1, 16]) {
    ref(`router HTTP, SDK v2 / SDK v1 backend @${c}`, ['router-http-backend-v2', c], ['router-http', c]);
    ref(`router stdio, SDK v2 / SDK v1 backend @${c}`, ['router-stdio-backend-v2', c], ['router-stdio', c]);
  }
  for (const c of [1, 16]) {
    const best = v.bestPeer(c);
    ref(`floor HTTP / best peer @${c}`, ['floor-http', c], [best ?? NO_PEER, c]);
    ref(`floor HTTP (no node:http) / best peer @${c}`, ['floor-net-http', c], [best ?? NO_PEER, c]);
  }
  ref('floor HTTP / direct @16', ['floor-http', 16], ['direct', 16]);
  ref('floor stdio / direct @16', ['floor-stdio', 16], ['direct', 16]);
  for (const c of [1, 16]) {
    ref(`floor HTTP: 2026-07-28 / 2025 @${c}`, ['floor-http-2026', c], ['floor-http', c]);
    ref(`floor stdio: 2026-07-28 / 2025 @${c}`, ['floor-stdio-2026', c], ['floor-stdio', c]);
  }
  for (const c of [1, 16]) {
    ref(`SDK v2 createMcpHandler / floor HTTP 2026 @${c}`, ['sdk2-http-2026', c], ['floor-http-2026', c]);
    ref(`SDK v2 echo, direct: 2026 / 2025 client @${c}`, ['direct-2026', c], ['direct-v2', c]);
  }
  // Readings of targets that were not chosen say nothing: leave them out.
  return v.list.filter((r) => r.issue !== 'ref' || Number.isFinite(r.value));
}

/** One line per verdict: MET, NOT MET, n/a (not measured) or ref. */
export function formatVerdict(r: Verdict, width = 52): string {
  const mark =
    r.issue === 'ref'
      ? 'ref    '
      : r.met === undefined
        ? r.bar === 'reading'
          ? 'reading'
          : 'n/a    '
        : r.met
          ? 'MET    '
          : 'NOT MET';
  const value = Number.isFinite(r.value) ? r.value.toFixed(2) : '-';
  const bar = r.bar === 'reading' ? '' : `   (target ${r.bar})`;
  return `  ${mark}  ${r.name.padEnd(width)} ${value.padStart(8)}${bar}${r.note ? `  ${r.note}` : ''}`;
}
