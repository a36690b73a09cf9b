import type { CancelSignal } from './cancellation';

/**
 * Time, injected: the actor system and the request path share one clock, so a test can step a
 * SimulatedClock and a breaker's 60 seconds take no time.
 */

// `any` as in XState's own Clock type, so that one clock object serves both.
/* eslint-disable @typescript-eslint/no-explicit-any */
export interface RouterClock {
  now(): number;
  setTimeout(fn: (...args: any[]) => void, ms: number): any;
  clearTimeout(id: any): void;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

export const realClock: RouterClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id),
};

/** Resolves after `ms` on the given clock, or rejects when the signal aborts. */
export function sleep(clock: RouterClock, ms: number, signal?: CancelSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clock.clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
