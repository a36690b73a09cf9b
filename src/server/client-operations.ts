/**
 * What a client can ask of the aggregate, whatever its protocol era: the lists, and the requests forwarded
 * to a backend (tools/call, prompts/get, resources/read, completion/complete). A 2025 session and a 2026
 * request differ in how they reach here and how the answer goes back, not in what happens in between.
 */
import { paramHeaders, paramHeadersFor } from '../protocol/param-headers';
import type { Progress } from '@modelcontextprotocol/sdk/types.js';
import type { ClientOrigin } from '../backends/client-origins';
import type { Cancellation, CancelSignal } from '../cancellation';
import { RouterError } from '../errors';
import { callManagementTool, listedManagementTools } from '../management/management-tools';
import { MANAGEMENT_TOOL_NAMES } from '../management/tool-names';
import { isRetrySafeTool } from '../protocol/failure-policy';
import type { Router } from '../router/router';
import { writtenOnce } from './written-once';

type Fields = Record<string, unknown>;

const MANAGEMENT_TOOLS = new Set(MANAGEMENT_TOOL_NAMES);

/** How one forwarded request runs: who asks, how it is cancelled, where its progress and input requests go. */
export interface CallContext {
  /** The client session asking (per-client backends route to its instance); none for 2026 requests. */
  session?: string;
  /** The client's cancellation: a controller (cheaper) or a signal. */
  controller?: Cancellation;
  signal?: CancelSignal;
  onprogress?: (progress: Progress) => void;
  origin: ClientOrigin;
}

function unknown(what: string, name: string): RouterError {
  return new RouterError('UNKNOWN_NAME', `Unknown ${what}: ${name}`);
}

/** What the router advertises to a client of either era, from what its backends can do together. */
export function advertisedCapabilities(aggregate: ReturnType<Router['aggregateCapabilities']>): Fields {
  return {
    tools: { listChanged: true },
    ...(aggregate.resources
      ? { resources: { listChanged: true, ...(aggregate.subscribe ? { subscribe: true } : {}) } }
      : {}),
    ...(aggregate.prompts ? { prompts: { listChanged: true } } : {}),
    ...(aggregate.logging ? { logging: {} } : {}),
    ...(aggregate.completions ? { completions: {} } : {}),
  };
}

/** One tools/list result and what it was made of. */
interface KeptToolList {
  catalogList: readonly unknown[];
  management: readonly unknown[];
  perClient: string;
  result: { readonly tools: Fields[] };
}

/** Per router: the last tools/list result for its 2025 sessions and for sessionless (2026) requests. */
const keptToolLists = new WeakMap<Router, { sessions?: KeptToolList; sessionless?: KeptToolList }>();

/** The configured backends that are `session: per-client` (not their instances), as one string to compare. */
function perClientBackends(router: Router): string {
  let names = '';
  for (const name of router.backendNames())
    if (router.templateOf(name) === name && router.backendConfig(name)?.session === 'per-client') names += `${name}\n`;
  return names;
}

/** A tool's own error result (isError) is the tool's answer, not the backend's failure: it does not count. */
function toolResultCounts(result: Fields): 'ignored' | 'success' {
  return result.isError ? 'ignored' : 'success';
}

export class ClientOperations {
  /**
   * @param sessionless requests come without a session (2026): backends that are `session: per-client` serve
   *   none of them, since there is no client to give an instance of its own; they are left out of the lists
   *   and a request by name says why.
   */
  constructor(
    private readonly router: Router,
    private readonly sessionless = false,
  ) {}

  private perClientOnly(backends: readonly string[]): boolean {
    return (
      this.sessionless &&
      backends.length > 0 &&
      backends.every((b) => this.router.backendConfig(b)?.session === 'per-client')
    );
  }

  private refusePerClient(what: string, name: string, backends: readonly string[]): void {
    if (!this.perClientOnly(backends)) return;
    throw new RouterError(
      'INVALID_PARAMS',
      `${what} ${name} is served only by "session: per-client" backend(s) (${backends.join(', ')}): a 2026-07-28 ` +
        'request has no session to give an instance of its own; use a 2025-11-25 session for it',
    );
  }

  async listTools(): Promise<Fields[]> {
    return (await this.listToolsResult()).tools;
  }

  /**
   * tools/list's result: the same (frozen) object for as long as what it is made of stays (the catalog's
   * list, which is new on every change of it; the management tools in force; for sessionless requests, which
   * backends are per-client), shared by every session of this router and marked to be written as JSON once
   * (written-once.ts).
   */
  async listToolsResult(): Promise<{ readonly tools: Fields[] }> {
    await this.router.whenSettled();
    const { router, sessionless } = this;
    const catalogList = router.catalog.listTools();
    const management = listedManagementTools(router);
    const perClient = sessionless ? perClientBackends(router) : '';
    let kept = keptToolLists.get(router);
    if (!kept) keptToolLists.set(router, (kept = {}));
    const last = sessionless ? kept.sessionless : kept.sessions;
    if (last?.catalogList === catalogList && last.management === management && last.perClient === perClient)
      return last.result;
    const listed = sessionless
      ? catalogList.filter((t) => !this.perClientOnly(router.catalog.tool(t.name)?.backends ?? []))
      : catalogList;
    const tools = Object.freeze([...management, ...listed]) as unknown as Fields[];
    const result = writtenOnce(Object.freeze({ tools }));
    const made: KeptToolList = { catalogList, management, perClient, result };
    if (sessionless) kept.sessionless = made;
    else kept.sessions = made;
    return result;
  }

  async listPrompts(): Promise<Fields[]> {
    await this.router.whenSettled();
    const prompts = this.router.catalog.listPrompts();
    if (!this.sessionless) return prompts;
    return prompts.filter((p) => !this.perClientOnly(this.router.catalog.prompt(p.name)?.backends ?? []));
  }

  async listResources(): Promise<Fields[]> {
    await this.router.whenSettled();
    const resources = this.router.catalog.listResources();
    if (!this.sessionless) return resources;
    return resources.filter((r) => !this.perClientOnly(this.router.catalog.resourceBackends(r.uri as string)));
  }

  async listResourceTemplates(): Promise<Fields[]> {
    await this.router.whenSettled();
    return this.router.catalog.listResourceTemplates();
  }

  async callTool(params: Fields & { name: string; _meta?: Fields }, context: CallContext): Promise<Fields> {
    const { router } = this;
    const { name } = params;
    if (MANAGEMENT_TOOLS.has(name)) {
      const own = await callManagementTool(router, name, params.arguments as Fields | undefined);
      if (own) return own;
    }
    const entry = router.catalog.tool(name);
    if (!entry) throw unknown('tool', name);
    this.refusePerClient('tool', name, entry.backends);
    // Awaited: an async function that returns a promise unawaited takes a microtask hop more to settle with it.
    return await router.dispatcher.forward(
      { method: 'tools/call', name, session: context.session },
      {
        paramsFor: () => ({ ...params, name: entry.original }),
        headersFor: (backend) => {
          const declared = paramHeaders(entry.perBackend.get(router.templateOf(backend))?.inputSchema);
          return declared.length > 0 ? paramHeadersFor(declared, params.arguments) : undefined;
        },
        retrySafe: (backend) => isRetrySafeTool(entry.perBackend.get(router.templateOf(backend))?.annotations),
        controller: context.controller,
        signal: context.signal,
        onprogress: context.onprogress,
        origin: context.origin,
        resultCounts: toolResultCounts,
      },
    );
  }

  getPrompt(params: Fields & { name: string }, context: CallContext): Promise<Fields> {
    const entry = this.router.catalog.prompt(params.name);
    if (!entry) throw unknown('prompt', params.name);
    this.refusePerClient('prompt', params.name, entry.backends);
    return this.forward('prompts/get', params.name, context, () => ({ ...params, name: entry.original }));
  }

  readResource(params: Fields & { uri: string }, context: CallContext): Promise<Fields> {
    const backends = this.router.catalog.resourceBackends(params.uri);
    if (backends.length === 0) throw unknown('resource', params.uri);
    this.refusePerClient('resource', params.uri, backends);
    return this.forward('resources/read', params.uri, context, () => ({ ...params }));
  }

  complete(params: Fields & { ref: { type: string; name?: string; uri?: string } }, context: CallContext) {
    const { ref } = params;
    if (ref.type === 'ref/prompt') {
      const entry = this.router.catalog.prompt(ref.name ?? '');
      if (!entry) throw unknown('prompt', String(ref.name));
      return this.forward('completion/complete', `prompt:${ref.name}`, context, () => ({
        ...params,
        ref: { ...ref, name: entry.original },
      }));
    }
    return this.forward('completion/complete', ref.uri ?? '', context, () => ({ ...params }));
  }

  /** resources/subscribe or unsubscribe on the backends that serve the URI. */
  subscription(method: 'resources/subscribe' | 'resources/unsubscribe', uri: string, context: CallContext) {
    return this.forward(method, uri, context, () => ({ uri }));
  }

  private forward(method: string, name: string, context: CallContext, paramsFor: () => Fields): Promise<Fields> {
    return this.router.dispatcher.forward(
      { method, name, session: context.session },
      {
        paramsFor,
        retrySafe: () => true,
        controller: context.controller,
        signal: context.signal,
        onprogress: context.onprogress,
        origin: context.origin,
      },
    );
  }
}
