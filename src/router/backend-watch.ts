/**
 * Follows every backend actor the supervisor spawns: a log line for each change of its connection, health or
 * circuit state, the metrics' gauges, and the state listeners (the status page). Also: waiting for backends'
 * first connection attempts, so the first tools/list a client sends is complete in the usual case.
 */
import type { BackendActorRef, BackendSnapshot } from '../../machines/backend.machine';
import type { SupervisorActorRef } from '../../machines/supervisor.machine';
import type { RouterClock } from '../clock';
import type { Logger } from '../logging/logger';
import { describeChanges, stateView, type StateView } from '../observability/state-changes';

export type BackendStateListener = (backend: string, snapshot: BackendSnapshot) => void;

export interface BackendStateObserver {
  backendState?(backend: string, snapshot: BackendSnapshot): void;
  removeBackend?(backend: string): void;
}

export class BackendWatch {
  private readonly listeners = new Set<BackendStateListener>();

  constructor(supervisor: SupervisorActorRef, logger: Logger, observer: BackendStateObserver | undefined) {
    const watched = new Map<BackendActorRef, { unsubscribe(): void }>();
    let known: Record<string, BackendActorRef> | undefined;
    supervisor.subscribe((snapshot) => {
      // Observers hear every change of the supervisor; only a new set of backends matters here.
      if (snapshot.context.backends === known) return;
      known = snapshot.context.backends;
      const refs = new Set(Object.values(snapshot.context.backends));
      for (const ref of refs) {
        if (watched.has(ref)) continue;
        const name = ref.getSnapshot().context.name;
        const log = logger.child({ backend: name });
        let prev: StateView | undefined;
        // Failures and half-open trials change a backend's context; only a change of state is worth a log line or a gauge.
        const onSnapshot = (s: BackendSnapshot) => {
          const next = stateView(s);
          if (
            prev &&
            prev.connection === next.connection &&
            prev.health === next.health &&
            prev.circuit === next.circuit
          )
            return;
          for (const line of describeChanges(prev, next, s)) log[line.level](line.message, line.fields);
          prev = next;
          observer?.backendState?.(name, s);
          for (const l of this.listeners) l(name, s);
        };
        onSnapshot(ref.getSnapshot());
        watched.set(ref, ref.subscribe(onSnapshot));
      }
      for (const [ref, sub] of watched) {
        if (refs.has(ref)) continue;
        sub.unsubscribe();
        watched.delete(ref);
        observer?.removeBackend?.(ref.getSnapshot().context.name);
      }
    });
  }

  /** Every change of a backend's connection, health or circuit state. */
  onBackendState(listener: BackendStateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** Resolves when each named backend has connected or failed its first attempt, or after maxMs. */
export async function whenFirstAttempted(
  refOf: (name: string) => BackendActorRef | undefined,
  names: string[],
  maxMs: number,
  clock: RouterClock,
): Promise<void> {
  const subs: { unsubscribe(): void }[] = [];
  const waits = names.map(
    (name) =>
      new Promise<void>((resolve) => {
        const ref = refOf(name);
        if (!ref) return resolve();
        const done = (s: BackendSnapshot) =>
          s.context.link.connectedAt !== null || s.context.lastError !== null || s.status !== 'active';
        if (done(ref.getSnapshot())) return resolve();
        const sub = ref.subscribe((s) => {
          if (done(s)) {
            sub.unsubscribe();
            resolve();
          }
        });
        subs.push(sub);
      }),
  );
  let timer: unknown;
  await Promise.race([Promise.all(waits), new Promise<void>((r) => (timer = clock.setTimeout(r, maxMs)))]);
  clock.clearTimeout(timer);
  // Past the bound, a backend still connecting must not keep a subscription alive for nothing.
  for (const sub of subs) sub.unsubscribe();
}
