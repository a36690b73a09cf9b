/**
 * Resource subscriptions, counted across client sessions: the backend is subscribed while at least one
 * session is, and its updates reach the subscribed sessions only.
 */
export class Subscriptions {
  private readonly byUri = new Map<string, Set<string>>();

  /** Returns true when this is the first subscriber (the backend must be told). */
  add(uri: string, session: string): boolean {
    let sessions = this.byUri.get(uri);
    if (!sessions) this.byUri.set(uri, (sessions = new Set()));
    sessions.add(session);
    return sessions.size === 1;
  }

  /** Returns true when the last subscriber left (the backend may be told). */
  remove(uri: string, session: string): boolean {
    const sessions = this.byUri.get(uri);
    if (!sessions?.delete(session)) return false;
    if (sessions.size > 0) return false;
    this.byUri.delete(uri);
    return true;
  }

  has(uri: string, session: string): boolean {
    return this.byUri.get(uri)?.has(session) ?? false;
  }

  /** Drops a closed session; returns the URIs nobody is subscribed to any more. */
  dropSession(session: string): string[] {
    const released: string[] = [];
    for (const [uri, sessions] of this.byUri) {
      if (sessions.delete(session) && sessions.size === 0) {
        this.byUri.delete(uri);
        released.push(uri);
      }
    }
    return released;
  }
}
