/**
 * Waiting for a backend to come back: resolves at the next change of any of the given backend actors (a
 * reconnection, a trial permit freed), rejects when the request's signal aborts (its deadline, or the client's
 * cancel). The caller routes again after each change: a change is a reason to look, not a promise of a backend.
 */
import type { BackendActorRef } from '../../machines/backend.machine';
import type { CancelSignal } from '../cancellation';

export function nextBackendChange(refs: readonly BackendActorRef[], signal: CancelSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const subscriptions: { unsubscribe(): void }[] = [];
    const end = () => {
      for (const s of subscriptions) s.unsubscribe();
      signal.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      end();
      reject(signal.reason);
    };
    const onChange = () => {
      end();
      resolve();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    for (const ref of refs) subscriptions.push(ref.subscribe({ next: onChange, complete: onChange }));
  });
}
