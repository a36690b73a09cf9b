/**
 * Reads what a backend offers, following pagination, and only for the capabilities it declares: asking a
 * server for prompts it does not have is an error on some servers, and must not break the aggregate.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { ServerCapabilities } from '@modelcontextprotocol/sdk/types.js';
import type { BackendCapabilities } from '../catalog/catalog';

const MAX_PAGES = 1000;

async function allPages<T>(fetchPage: (cursor?: string) => Promise<{ items: T[]; nextCursor?: string }>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await fetchPage(cursor);
    items.push(...result.items);
    if (!result.nextCursor || result.nextCursor === cursor) break;
    cursor = result.nextCursor;
  }
  return items;
}

export async function discoverCapabilities(
  client: Client,
  capabilities: ServerCapabilities,
  signal?: AbortSignal,
): Promise<BackendCapabilities> {
  const options = { signal };
  const [tools, resources, resourceTemplates, prompts] = await Promise.all([
    capabilities.tools
      ? allPages(async (cursor) => {
          const r = await client.listTools(cursor ? { cursor } : undefined, options);
          return { items: r.tools, nextCursor: r.nextCursor };
        })
      : [],
    capabilities.resources
      ? allPages(async (cursor) => {
          const r = await client.listResources(cursor ? { cursor } : undefined, options);
          return { items: r.resources, nextCursor: r.nextCursor };
        })
      : [],
    capabilities.resources
      ? allPages(async (cursor) => {
          const r = await client.listResourceTemplates(cursor ? { cursor } : undefined, options);
          return { items: r.resourceTemplates, nextCursor: r.nextCursor };
        }).catch(() => [])
      : [],
    capabilities.prompts
      ? allPages(async (cursor) => {
          const r = await client.listPrompts(cursor ? { cursor } : undefined, options);
          return { items: r.prompts, nextCursor: r.nextCursor };
        })
      : [],
  ]);
  return { tools, resources, resourceTemplates, prompts };
}
