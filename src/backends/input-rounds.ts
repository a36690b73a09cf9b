/**
 * A 2026-07-28 backend asks for input in its result (`resultType: "input_required"`, with `inputRequests` and an
 * opaque `requestState`) instead of sending requests of its own. The link puts each input request to the client
 * whose call it is (ClientOrigin.request: a 2025 client gets it as a server-to-client request on its session, a
 * 2026 client as the front decides), then sends the call again with the answers (`inputResponses`) and the
 * backend's `requestState` byte for byte, for as many rounds as the backend asks, up to MAX_INPUT_ROUNDS.
 *
 * A 2026 client's call is passed through: the backend is told the client's own capabilities, each round goes to
 * the client whole under the backend's keys (ModernOrigin.requestAll), and what the client answers goes back as
 * it is. The backend's `requestState` stays here, with the held call the router's own sealed state names, so the
 * retry goes to the same backend on the same link.
 */
import { ErrorCode, mcpError } from '../protocol/mcp-error';
import type { CancelSignal } from '../cancellation';
import type { BackendCalls, CallOptions } from './backend-calls';
import { refusalFor } from './backend-client-handlers';
import type { ClientOrigin, InputRequests } from './client-origins';

/** Rounds one call may take (the SDK client's own default): a backend that keeps asking is answered with an error. */
export const MAX_INPUT_ROUNDS = 10;

type Fields = Record<string, unknown>;

function isInputRequired(result: Fields): boolean {
  return result.resultType === 'input_required';
}

export async function callWithInputRounds(
  calls: Pick<BackendCalls, 'call'>,
  method: string,
  params: Fields,
  options: CallOptions = {},
): Promise<Fields> {
  const modern = options.origin?.modern;
  if (modern) options = { ...options, clientCapabilities: modern.capabilities };
  let result = await calls.call(method, params, options);
  for (let round = 1; isInputRequired(result); round++) {
    if (round > MAX_INPUT_ROUNDS)
      throw mcpError(
        ErrorCode.InternalError,
        `mcp-router: the backend still asked for input after ${MAX_INPUT_ROUNDS} rounds of ${method}; the router gave up`,
      );
    const answers = await answer(method, result.inputRequests as InputRequests | undefined, options);
    const retry: Fields = { ...params };
    if (answers) retry.inputResponses = answers;
    if (typeof result.requestState === 'string') retry.requestState = result.requestState;
    result = await calls.call(method, retry, options);
  }
  return result;
}

/** Each input request put to the calling client, one after the other (a user answers one form at a time). */
async function answer(
  method: string,
  requests: InputRequests | undefined,
  options: CallOptions,
): Promise<Fields | undefined> {
  const entries = Object.entries(requests ?? {});
  if (entries.length === 0) return undefined;
  const origin = options.origin;
  if (!origin)
    throw mcpError(
      ErrorCode.InvalidRequest,
      `mcp-router: the backend asked for input during ${method}, but no client session made this call, so there is no client to ask`,
    );
  const signal = abortSignalOf(options.signal);
  if (origin.modern) return origin.modern.requestAll(Object.fromEntries(entries), signal);
  const answers: Fields = {};
  for (const [key, request] of entries) answers[key] = await ask(origin, request, signal);
  return answers;
}

async function ask(
  origin: ClientOrigin,
  request: InputRequests[string],
  signal: AbortSignal | undefined,
): Promise<Fields> {
  const refusal = refusalFor(request.method, origin);
  if (refusal) throw refusal;
  return origin.request(request.method, request.params, signal);
}

/** The call's signal as an AbortSignal, for the client request (only when input is asked: not per call). */
function abortSignalOf(signal: CancelSignal | undefined): AbortSignal | undefined {
  if (!signal) return undefined;
  if (signal instanceof AbortSignal) return signal;
  const controller = new AbortController();
  if (signal.aborted) controller.abort(signal.reason);
  else signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
  return controller.signal;
}
