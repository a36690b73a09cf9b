/**
 * Tells backend actors how their attempts ended, in order, at one event per backend per batch of answers
 * rather than one per answer, and none for a success that would change nothing.
 *
 * Every outcome that can change a backend's state reaches its actor. A success on a closed circuit with no
 * failure streak to end is a no-op in the machine (`attempt.succeeded` there only resets the streak), so it
 * is not sent, unless `everyOutcome` (an inspector is attached, and shows every outcome). Successes in a row
 * on a closed circuit that is counting failures are held until the current batch of microtasks has run (the
 * answers that arrived in one read from the backend) and go as one `attempt.succeeded` with their `count`. A
 * closed circuit only needs to know that the failure streak is over, so n successes in a row mean the same to
 * it as one. Anything else goes at once: a failure or an ignored attempt (after the successes held before it,
 * so the breaker sees them in order), and any outcome while the circuit is open or half-open, where each
 * success is a trial.
 *
 * The machine reads no `count`: a closed circuit treats any successes as one. That holds because a run is only
 * held while the circuit is closed, and is always sent before the failure that could open it.
 *
 * Why: an actor event costs a few microseconds of XState's transition work, and at 16 calls in flight that was
 * a sixth of the router's time per call (CPU profile, `npm run bench`). With one client in flight every batch
 * is one answer, and the event was still about 10 of the router's 100 µs of CPU per call over stdio.
 */
import type { AttemptOutcomeEvent, BackendActorRef } from '../../machines/backend.machine';
import { circuitStateOf, failureStreakOf } from '../../machines/backend.selectors';

interface SuccessRun {
  epoch: number;
  at: number;
  latencyMs: number;
  count: number;
}

export class OutcomeReports {
  private readonly held = new Map<BackendActorRef, SuccessRun>();
  private flushQueued = false;

  /** `everyOutcome`: send the successes that change nothing too (for an inspector to see). */
  constructor(private readonly everyOutcome = true) {}

  report(ref: BackendActorRef, outcome: AttemptOutcomeEvent): void {
    const snapshot = ref.getSnapshot();
    if (outcome.type === 'attempt.succeeded' && circuitStateOf(snapshot) === 'closed') {
      const run = this.held.get(ref);
      // No streak to end and none of it held back: the event would change nothing.
      if (!run && !this.everyOutcome && failureStreakOf(snapshot) === 0) return;
      if (run && run.epoch === outcome.epoch) {
        run.count++;
        run.at = outcome.at;
        run.latencyMs = outcome.latencyMs;
        return;
      }
      if (run) this.send(ref, run);
      this.held.set(ref, { epoch: outcome.epoch, at: outcome.at, latencyMs: outcome.latencyMs, count: 1 });
      if (!this.flushQueued) {
        this.flushQueued = true;
        queueMicrotask(this.flush);
      }
      return;
    }
    const run = this.held.get(ref);
    if (run) {
      this.held.delete(ref);
      this.send(ref, run);
    }
    ref.send(outcome);
  }

  /** Sends every held run now. */
  readonly flush = (): void => {
    this.flushQueued = false;
    if (this.held.size === 0) return;
    const runs = [...this.held];
    this.held.clear();
    for (const [ref, run] of runs) this.send(ref, run);
  };

  private send(ref: BackendActorRef, run: SuccessRun): void {
    ref.send({ type: 'attempt.succeeded', epoch: run.epoch, at: run.at, latencyMs: run.latencyMs, count: run.count });
  }
}
