/**
 * The closed loop: C clients, each with one call outstanding at a time, for a warm-up that is not counted and
 * then a measured window. A call counts when it completes inside the window; its latency is from send to answer.
 */
import { performance } from 'node:perf_hooks';
import { percentileSorted } from './stats';

/** One client's call: resolves true when the answer is right, false or a thrown error otherwise. */
export type Call = (text: string) => Promise<true | string>;

export interface LoadResult {
  concurrency: number;
  warmupSeconds: number;
  measureSeconds: number;
  /** Correct answers completed inside the measured window. */
  calls: number;
  callsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  /** Calls inside the window that failed, timed out or came back wrong. */
  errors: number;
  warmupErrors: number;
  firstError?: string;
  /** CPU the load generator itself used during the window, % of one core: it must stay clear of 100. */
  loadgenCpuPercent: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function closedLoop(
  clients: Call[],
  warmupMs: number,
  measureMs: number,
  onMeasuring?: () => void,
): Promise<LoadResult> {
  const begin = performance.now();
  const warmEnd = begin + warmupMs;
  const end = warmEnd + measureMs;
  const latencies: number[] = [];
  let errors = 0;
  let warmupErrors = 0;
  let firstError: string | undefined;
  let cpuAtWarmEnd = process.cpuUsage();
  let wallAtWarmEnd = performance.now();
  const measuring = setTimeout(() => {
    cpuAtWarmEnd = process.cpuUsage();
    wallAtWarmEnd = performance.now();
    onMeasuring?.();
  }, warmupMs);

  await Promise.all(
    clients.map(async (call, client) => {
      let seq = 0;
      let failingInARow = 0;
      for (;;) {
        const start = performance.now();
        if (start >= end) return;
        let outcome: true | string;
        try {
          outcome = await call(`c${client}-${seq++}`);
        } catch (error) {
          outcome = error instanceof Error ? error.message : String(error);
        }
        const stop = performance.now();
        const inWindow = stop >= warmEnd && stop <= end;
        if (outcome === true) {
          failingInARow = 0;
          if (inWindow) latencies.push(stop - start);
          continue;
        }
        firstError ??= outcome;
        if (inWindow) errors++;
        else if (stop < warmEnd) warmupErrors++;
        // A broken client must not spin: back off, and give up on it after a long run of failures.
        if (++failingInARow >= 200) {
          const left = end - performance.now();
          if (left > 0) await sleep(left);
          return;
        }
        await sleep(5);
      }
    }),
  );
  clearTimeout(measuring);
  const cpu = process.cpuUsage(cpuAtWarmEnd);
  const loadgenCpuPercent = ((cpu.user + cpu.system) / 1000 / (performance.now() - wallAtWarmEnd)) * 100;

  const sorted = Float64Array.from(latencies).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    concurrency: clients.length,
    warmupSeconds: warmupMs / 1000,
    measureSeconds: measureMs / 1000,
    calls: sorted.length,
    callsPerSecond: sorted.length / (measureMs / 1000),
    p50Ms: percentileSorted(sorted, 50),
    p90Ms: percentileSorted(sorted, 90),
    p99Ms: percentileSorted(sorted, 99),
    maxMs: sorted.length ? sorted[sorted.length - 1]! : NaN,
    meanMs: sorted.length ? sum / sorted.length : NaN,
    errors,
    warmupErrors,
    firstError,
    loadgenCpuPercent,
  };
}

export interface CountedResult {
  clients: number;
  /** Calls completed (answered right or not). */
  calls: number;
  /** Calls that failed, timed out or came back wrong. */
  errors: number;
  firstError?: string;
  durationMs: number;
  callsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * The closed loop by count instead of time (the soak): C clients, each with one call outstanding at a time,
 * until `total` calls have completed. `onCompleted(n, errors)` runs synchronously as the n-th call completes,
 * so that a caller can sample at exact counts. A client that keeps failing backs off and, after a long run of
 * failures, gives up (its share is then not made up by the others).
 */
export async function countedLoop(
  clients: Call[],
  total: number,
  onCompleted?: (completed: number, errors: number) => void,
): Promise<CountedResult> {
  const begin = performance.now();
  const latencies = new Float64Array(total);
  let issued = 0;
  let completed = 0;
  let errors = 0;
  let firstError: string | undefined;

  await Promise.all(
    clients.map(async (call, client) => {
      let failingInARow = 0;
      while (issued < total) {
        const seq = issued++;
        const start = performance.now();
        let outcome: true | string;
        try {
          outcome = await call(`c${client}-${seq}`);
        } catch (error) {
          outcome = error instanceof Error ? error.message : String(error);
        }
        latencies[completed++] = performance.now() - start;
        if (outcome !== true) {
          errors++;
          firstError ??= outcome;
        }
        onCompleted?.(completed, errors);
        if (outcome === true) {
          failingInARow = 0;
          continue;
        }
        if (++failingInARow >= 200) return;
        await sleep(5);
      }
    }),
  );

  const durationMs = performance.now() - begin;
  const sorted = latencies.subarray(0, completed).sort();
  return {
    clients: clients.length,
    calls: completed,
    errors,
    firstError,
    durationMs,
    callsPerSecond: completed / (durationMs / 1000),
    p50Ms: percentileSorted(sorted, 50),
    p99Ms: percentileSorted(sorted, 99),
    maxMs: sorted.length ? sorted[sorted.length - 1]! : NaN,
  };
}
