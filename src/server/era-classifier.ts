/**
 * Which era a POST to /mcp belongs to, with the SDK's own classifier as the judge. The SDK validates the
 * whole body and the `_meta` envelope with zod on every call, which cost the 2026 path about a tenth of its
 * CPU under the bench. A client sends the same envelope on every request, so the common case is decided here:
 * a plain JSON-RPC request whose envelope the SDK has already found valid, with headers that agree with the
 * body, is modern without asking again. The SDK judges each distinct envelope once (by its reserved keys,
 * the only ones it validates) and every request that is not plainly that case, so verdicts and errors stay
 * the SDK's.
 */
import { sameJson } from '../protocol/same-json';
import {
  classifyInboundRequest,
  PROTOCOL_VERSION_META_KEY,
  type InboundClassificationOutcome,
  type JSONRPCRequest,
} from '@modelcontextprotocol/server';
import { isModernVersion } from '../protocol/modern';

type Fields = Record<string, unknown>;

export interface PostToClassify {
  protocolVersionHeader?: string;
  mcpMethodHeader?: string;
  mcpNameHeader?: string;
  body: unknown;
}

const RESERVED_PREFIX = 'io.modelcontextprotocol/';
/** Distinct envelopes remembered; past it the memory starts over (a client sends one envelope again and again). */
const MAX_REMEMBERED = 256;
const RECENT = 8;

function isPlainObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class EraClassifier {
  private readonly validEnvelopes = new Map<string, boolean>();
  /** The reserved keys of the valid envelopes seen last (and how many), newest first. */
  private readonly recent: { reserved: Fields; count: number }[] = [];

  classify(post: PostToClassify): InboundClassificationOutcome {
    const message = this.plainModernRequest(post);
    if (!message) return classifyInboundRequest({ httpMethod: 'POST', ...post });
    const revision = post.protocolVersionHeader!;
    return {
      kind: 'modern',
      messageKind: 'request',
      message,
      classification: { era: isModernVersion(revision) ? 'modern' : 'legacy', revision },
    };
  }

  /** The body, when it is a well-formed 2026 request whose envelope and headers need no second look. */
  private plainModernRequest({
    body,
    protocolVersionHeader,
    mcpMethodHeader,
  }: PostToClassify): JSONRPCRequest | undefined {
    if (!isPlainObject(body) || body.jsonrpc !== '2.0') return undefined;
    const { method, id, params } = body;
    if (typeof method !== 'string' || method === 'initialize' || 'result' in body || 'error' in body) return undefined;
    if (typeof id !== 'string' && !Number.isInteger(id)) return undefined;
    if (!isPlainObject(params) || !isPlainObject(params._meta)) return undefined;
    const meta = params._meta;
    const version = meta[PROTOCOL_VERSION_META_KEY];
    if (typeof version !== 'string' || version !== protocolVersionHeader) return undefined;
    if (mcpMethodHeader !== undefined && mcpMethodHeader !== method) return undefined;
    const progressToken = meta.progressToken;
    if (progressToken !== undefined && typeof progressToken !== 'string' && !Number.isInteger(progressToken))
      return undefined;
    return this.isValidEnvelope(meta) ? (body as JSONRPCRequest) : undefined;
  }

  /** Whether the SDK finds these reserved `_meta` keys a valid modern envelope (asked once per distinct one). */
  private isValidEnvelope(meta: Fields): boolean {
    // The envelopes seen last are compared first: cheaper than serializing one per request.
    for (const known of this.recent) if (sameReserved(meta, known.reserved, known.count)) return true;
    const reserved: Fields = {};
    for (const key in meta) if (key.startsWith(RESERVED_PREFIX)) reserved[key] = meta[key];
    const key = JSON.stringify(reserved);
    let valid = this.validEnvelopes.get(key);
    if (valid === undefined) {
      const route = classifyInboundRequest({
        httpMethod: 'POST',
        body: { jsonrpc: '2.0', id: 0, method: 'tools/list', params: { _meta: reserved } },
      });
      valid = route.kind === 'modern' && route.messageKind === 'request';
      if (this.validEnvelopes.size >= MAX_REMEMBERED) this.validEnvelopes.clear();
      this.validEnvelopes.set(key, valid);
    }
    if (valid) {
      this.recent.unshift({ reserved, count: Object.keys(reserved).length });
      if (this.recent.length > RECENT) this.recent.pop();
    }
    return valid;
  }
}

/** Whether `meta` carries exactly the reserved keys of `known`, with equal values. */
function sameReserved(meta: Fields, known: Fields, knownCount: number): boolean {
  let count = 0;
  for (const key in meta) {
    if (!key.startsWith(RESERVED_PREFIX)) continue;
    if (!Object.hasOwn(known, key) || !sameJson(meta[key], known[key])) return false;
    count++;
  }
  return count === knownCount;
}
