/**
 * Messages written to a pipe in one turn of the event loop leave in one writev instead of one syscall each.
 * The flush waits for setImmediate, after every I/O callback of this turn, not for nextTick: answers a backend
 * sent in several chunks, or requests several clients sent, then share a syscall (measured: stdio at 16 in
 * flight 6,968 → 7,906 calls/s, and lower latency at 1). This is on both of the router's pipes: stdout to its
 * client and stdin of each stdio backend.
 */
import type { Writable } from 'node:stream';

const COALESCED = Symbol('mcp-router.coalesced');

export function coalesceWrites(stream: Writable): void {
  const s = stream as Writable & { [COALESCED]?: boolean };
  if (s[COALESCED]) return;
  s[COALESCED] = true;
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  let corked = false;
  const uncork = () => {
    corked = false;
    stream.uncork();
  };
  stream.write = ((...args: unknown[]) => {
    if (!corked && !stream.writableEnded && !stream.destroyed) {
      corked = true;
      stream.cork();
      setImmediate(uncork);
    }
    return write(...args);
  }) as Writable['write'];
}
