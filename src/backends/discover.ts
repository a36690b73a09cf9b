/**
 * Reads what a backend offers, following pagination, and only for the capabilities it declares: asking a
 * server for prompts it does not have is an error on some servers, and must not break the aggregate. A 2026
 * backend says how long its lists stay true (`ttlMs`): the shortest of them is kept.
 */
import type { Client, ServerCapabilities } from '@modelcontextprotocol/client';
import type { BackendCapabilities } from '../catalog/catalog';

const MAX_PAGES = 1000;

/** The longest a backend's ttlMs is believed (the SDK client's own cap). */
const MAX_TTL_MS = 24 * 60 * 60 * 1000;

interface Page<T> {
  items: T[];
  nextCursor?: string;
  ttlMs?: unknown;
}

export interface DiscoveredLists {
  capabilities: BackendCapabilities;
  /** The backend's own freshness for its lists, when it gave one above 0 (a 2026 backend's ttlMs). */
  ttlMs: number | undefined;
}

async function allPages<T>(fetchPage: (cursor?: string) => Promise<Page<T>>, ttls: number[]): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await fetchPage(cursor);
    if (page === 0 && typeof result.ttlMs === 'number' && result.ttlMs > 0) ttls.push(result.ttlMs);
    items.push(...result.items);
    if (!result.nextCursor || result.nextCursor === cursor) break;
    cursor = result.nextCursor;
  }
  return items;
}

export async function discoverLists(
  client: Client,
  capabilities: ServerCapabilities,
  signal?: AbortSignal,
): Promise<DiscoveredLists> {
  // The router keeps its own catalog: the SDK's response cache would only hide a change from a refresh.
  const options = { signal, cacheMode: 'bypass' as const };
  const ttls: number[] = [];
  const ttlOf = (r: object) => (r as { ttlMs?: unknown }).ttlMs;
  const [tools, resources, resourceTemplates, prompts] = await Promise.all([
    capabilities.tools
      ? allPages(async (cursor) => {
          const r = await client.listTools(cursor ? { cursor } : undefined, options);
          return { items: r.tools, nextCursor: r.nextCursor, ttlMs: ttlOf(r) };
        }, ttls)
      : [],
    capabilities.resources
      ? allPages(async (cursor) => {
          const r = await client.listResources(cursor ? { cursor } : undefined, options);
          return { items: r.resources, nextCursor: r.nextCursor, ttlMs: ttlOf(r) };
        }, ttls)
      : [],
    capabilities.resources
      ? allPages(async (cursor) => {
          const r = await client.listResourceTemplates(cursor ? { cursor } : undefined, options);
          return { items: r.resourceTemplates, nextCursor: r.nextCursor, ttlMs: ttlOf(r) };
        }, ttls).catch(() => [])
      : [],
    capabilities.prompts
      ? allPages(async (cursor) => {
          const r = await client.listPrompts(cursor ? { cursor } : undefined, options);
          return { items: r.prompts, nextCursor: r.nextCursor, ttlMs: ttlOf(r) };
        }, ttls)
      : [],
  ]);
  const ttlMs = ttls.length > 0 ? Math.min(MAX_TTL_MS, ...ttls) : undefined;
  return { capabilities: { tools, resources, resourceTemplates, prompts } as BackendCapabilities, ttlMs };
}

export async function discoverCapabilities(
  client: Client,
  capabilities: ServerCapabilities,
  signal?: AbortSignal,
): Promise<BackendCapabilities> {
  return (await discoverLists(client, capabilities, signal)).capabilities;
}
