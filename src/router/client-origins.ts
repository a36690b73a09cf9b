/**
 * Which client sessions have calls in flight on which backend. A backend's request to "its client"
 * (sampling, elicitation, roots) goes to the one session whose call is running there; when several are,
 * the router cannot tell whose it is and says so, rather than risk another client's answer.
 */
import { McpError, ErrorCode } from '@modelcontextprotocol/sdk/types.js';

/** What the router needs from a client session to pass a backend's request to it. */
export interface ClientOrigin {
  /** The client session's id: several calls of one session are one origin. */
  readonly id: string;
  request(method: string, params: Record<string, unknown> | undefined, signal?: AbortSignal): Promise<Record<string, unknown>>;
}

interface Entry {
  origin: ClientOrigin;
  calls: number;
}

export class ClientOrigins {
  private readonly byBackend = new Map<string, Map<string, Entry>>();

  enter(backend: string, origin: ClientOrigin): () => void {
    let sessions = this.byBackend.get(backend);
    if (!sessions) this.byBackend.set(backend, (sessions = new Map()));
    const entry = sessions.get(origin.id) ?? { origin, calls: 0 };
    entry.calls++;
    // The newest call's origin: its request stream is the one still open.
    entry.origin = origin;
    sessions.set(origin.id, entry);
    return () => {
      if (--entry.calls <= 0 && sessions!.get(origin.id) === entry) sessions!.delete(origin.id);
    };
  }

  /** The one session a backend's server→client request belongs to, or an error saying why there is none. */
  originFor(backend: string, method: string): ClientOrigin {
    const entries = [...(this.byBackend.get(backend)?.values() ?? [])];
    if (entries.length === 1) return entries[0].origin;
    throw new McpError(
      ErrorCode.InvalidRequest,
      entries.length === 0
        ? `mcp-router: ${method} arrived while no client call is running on this server, so there is no client to ask`
        : `mcp-router: ${method} cannot be attributed: ${entries.length} clients have calls running on this server`,
    );
  }
}
