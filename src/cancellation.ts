/**
 * Cancelling one request, for less than an AbortController costs: Node's AbortSignal is an EventTarget, and
 * making one, listening to it and letting go of the listener is a measurable part of a relayed call (a CPU
 * profile showed createAbortSignal alone at 3 %). The request path needs only this: whether it is cancelled,
 * why, and to be told once when it is. An AbortSignal has the same shape, so a client's signal from the SDK
 * can be passed wherever a CancelSignal is taken.
 */
export interface CancelSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

export class Cancellation implements CancelSignal {
  aborted = false;
  reason: unknown = undefined;
  private listeners: Array<() => void> | undefined;

  /** The signal side, as with an AbortController (the same object). */
  get signal(): CancelSignal {
    return this;
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners) for (const listener of listeners) listener();
  }

  /** Listeners run once, at the abort (the `once` option is what they always get). */
  addEventListener(_type: 'abort', listener: () => void): void {
    if (!this.aborted) (this.listeners ??= []).push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const listeners = this.listeners;
    if (!listeners) return;
    const at = listeners.indexOf(listener);
    if (at >= 0) listeners.splice(at, 1);
  }
}
