/**
 * The size cap on an HTTP backend's answers (issue 17.8): the fetch the streamable HTTP transport uses, with
 * each JSON body and each server-sent event held to MAX_MESSAGE_CHARS bytes. One over the cap is dropped as it
 * arrives (memory stays bounded) and an error answer for the request takes its place: that call fails with a
 * message naming the limit, and the session and every other call carry on.
 */
import type { FetchLike } from '@modelcontextprotocol/client';
import { MAX_MESSAGE_CHARS, OVERSIZED_ANSWER_CODE, oversizedMessage, type OversizedLine } from './line-reader';

type Id = string | number;

/** The id of the one request a POST carries (undefined for notifications, answers and batches). */
function requestIdOf(init: RequestInit | undefined): Id | undefined {
  if (init?.method !== 'POST' || typeof init.body !== 'string') return undefined;
  try {
    const m = JSON.parse(init.body) as { id?: unknown; method?: unknown };
    return typeof m.method === 'string' && (typeof m.id === 'string' || typeof m.id === 'number') ? m.id : undefined;
  } catch {
    return undefined;
  }
}

const errorAnswer = (id: Id, bytes: number, limit: number) =>
  JSON.stringify({
    jsonrpc: '2.0',
    id,
    error: { code: OVERSIZED_ANSWER_CODE, message: oversizedMessage(bytes, limit, 'bytes') },
  });

/** The whole body, or the number of bytes read when it went over the cap (the rest is not read). */
async function readCapped(body: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array[] | number> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return chunks;
    bytes += value.byteLength;
    if (bytes > limit) {
      await reader.cancel().catch(() => {});
      return bytes;
    }
    chunks.push(value);
  }
}

/**
 * Server-sent events, one whole event at a time (an event ends at an empty line). An event over the cap is
 * skipped to its end; for a POST's own stream, an error answer for its request is sent in its place.
 */
function cappedEvents(id: Id | undefined, limit: number, onOversized: (line: OversizedLine) => void) {
  let held: Uint8Array[] = [];
  let heldBytes = 0;
  /** Bytes of the oversized event being skipped, or -1 when none is. */
  let skipped = -1;
  let afterNewline = false;
  const encoder = new TextEncoder();
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      let start = 0;
      for (let i = 0; i < chunk.length; i++) {
        const byte = chunk[i];
        if (byte === 13) continue;
        if (byte !== 10) {
          afterNewline = false;
          continue;
        }
        if (!afterNewline) {
          afterNewline = true;
          continue;
        }
        // An empty line: the event ends here.
        afterNewline = false;
        const piece = chunk.subarray(start, i + 1);
        start = i + 1;
        if (skipped < 0 && heldBytes + piece.byteLength > limit) skipped = heldBytes;
        if (skipped >= 0) {
          const bytes = skipped + piece.byteLength;
          skipped = -1;
          held = [];
          heldBytes = 0;
          onOversized({ chars: bytes, id });
          if (id !== undefined)
            controller.enqueue(encoder.encode(`event: message\ndata: ${errorAnswer(id, bytes, limit)}\n\n`));
          continue;
        }
        for (const h of held) controller.enqueue(h);
        controller.enqueue(piece);
        held = [];
        heldBytes = 0;
      }
      const rest = chunk.subarray(start);
      if (rest.byteLength === 0) return;
      if (skipped >= 0) skipped += rest.byteLength;
      else if (heldBytes + rest.byteLength > limit) {
        skipped = heldBytes + rest.byteLength;
        held = [];
        heldBytes = 0;
      } else {
        held.push(rest.slice());
        heldBytes += rest.byteLength;
      }
    },
    flush(controller) {
      for (const h of held) controller.enqueue(h);
    },
  });
}

export function cappedFetch(
  onOversized: (line: OversizedLine) => void,
  limit = MAX_MESSAGE_CHARS,
  base: FetchLike = fetch,
): FetchLike {
  return async (url, init) => {
    const response = await base(url, init);
    if (!response.body || !response.ok) return response;
    const id = requestIdOf(init);
    const type = response.headers.get('content-type') ?? '';
    // The body is decoded already: its length and encoding are no longer what the headers say.
    const headers = new Headers(response.headers);
    headers.delete('content-length');
    headers.delete('content-encoding');
    const rebuilt = (body: ReadableStream<Uint8Array> | Blob | string) =>
      new Response(body, { status: response.status, statusText: response.statusText, headers });
    if (type.startsWith('text/event-stream'))
      return rebuilt(response.body.pipeThrough(cappedEvents(id, limit, onOversized)));
    if (!type.startsWith('application/json')) return response;
    const body = await readCapped(response.body, limit);
    if (Array.isArray(body)) return rebuilt(new Blob(body));
    onOversized({ chars: body, id });
    // No request to answer (a notification's 202 never has a body): an empty batch the transport ignores.
    return rebuilt(id === undefined ? '[]' : errorAnswer(id, body, limit));
  };
}
