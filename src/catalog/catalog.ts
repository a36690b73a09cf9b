/**
 * The aggregate: what every connected backend offers, under the names clients see. Rebuilt whenever a
 * backend's lists change (never per request); requests resolve names through its maps.
 */
import { sameJson } from '../protocol/same-json';
import type { Prompt, Resource, ResourceTemplate, Tool } from '@modelcontextprotocol/sdk/types.js';
import { exposedName } from './tool-names';
import { uriMatchesTemplate } from './uri-template';

export interface BackendCapabilities {
  tools: Tool[];
  resources: Resource[];
  resourceTemplates: ResourceTemplate[];
  prompts: Prompt[];
}

export interface CatalogBackend {
  name: string;
  namespace: string;
  priority: number;
  /** Position in the configuration: breaks ties between equal priorities. */
  order?: number;
}

/** One exposed name and the backends that can serve it (replicas, or same-named tools with namespaces off). */
export interface CatalogEntry<T> {
  exposed: string;
  /** The name the backends know it by. */
  original: string;
  /** Backend names, lowest priority number first. */
  backends: string[];
  /** The definition clients see: the preferred backend's, with the exposed name. */
  definition: T;
  /** Per backend, its own definition (annotations may differ between replicas). */
  perBackend: Map<string, T>;
}

export interface ListChange {
  tools: boolean;
  resources: boolean;
  prompts: boolean;
}

export class Catalog {
  private readonly backends = new Map<string, { info: CatalogBackend; caps: BackendCapabilities }>();
  private tools = new Map<string, CatalogEntry<Tool>>();
  private prompts = new Map<string, CatalogEntry<Prompt>>();
  private resources = new Map<string, CatalogEntry<Resource>>();
  private templates: { backend: string; template: ResourceTemplate }[] = [];
  private toolList: Tool[] = [];
  private promptList: Prompt[] = [];
  private resourceList: Resource[] = [];
  private templateList: ResourceTemplate[] = [];
  /** Names the router itself serves (management tools); a backend's tool of the same name is hidden. */
  private reserved = new Set<string>();
  readonly clashes: string[] = [];

  constructor(private namespaces: boolean) {}

  /** A reload may turn namespacing on or off: every exposed name is recomputed. */
  setNamespaces(on: boolean): ListChange {
    if (on === this.namespaces) return { tools: false, resources: false, prompts: false };
    const before = this.lists();
    this.namespaces = on;
    this.rebuild();
    return this.diff(before);
  }

  reserve(names: readonly string[]): void {
    for (const n of names) this.reserved.add(n);
  }

  /** Sets (or replaces) what a backend offers; returns which lists changed for clients. */
  setBackend(info: CatalogBackend, caps: BackendCapabilities): ListChange {
    const before = this.lists();
    this.backends.set(info.name, { info, caps });
    this.rebuild();
    return this.diff(before);
  }

  removeBackend(name: string): ListChange {
    if (!this.backends.has(name)) return { tools: false, resources: false, prompts: false };
    const before = this.lists();
    this.backends.delete(name);
    this.rebuild();
    return this.diff(before);
  }

  hasBackend(name: string): boolean {
    return this.backends.has(name);
  }

  capabilitiesOf(name: string): BackendCapabilities | undefined {
    return this.backends.get(name)?.caps;
  }

  tool(exposed: string): CatalogEntry<Tool> | undefined {
    return this.tools.get(exposed);
  }

  prompt(exposed: string): CatalogEntry<Prompt> | undefined {
    return this.prompts.get(exposed);
  }

  listTools(): Tool[] {
    return this.toolList;
  }

  listPrompts(): Prompt[] {
    return this.promptList;
  }

  listResources(): Resource[] {
    return this.resourceList;
  }

  listResourceTemplates(): ResourceTemplate[] {
    return this.templateList;
  }

  toolEntries(): Iterable<CatalogEntry<Tool>> {
    return this.tools.values();
  }

  promptEntries(): Iterable<CatalogEntry<Prompt>> {
    return this.prompts.values();
  }

  /**
   * Backends that can read a URI: those that listed it, else those whose template matches it, else every
   * backend that offers resources at all (a URI a backend put inside content must still resolve).
   */
  resourceBackends(uri: string): string[] {
    const listed = this.resources.get(uri);
    if (listed) return listed.backends;
    const exactTemplate = this.templates.filter((t) => t.template.uriTemplate === uri).map((t) => t.backend);
    if (exactTemplate.length) return unique(exactTemplate);
    const byTemplate = this.templates
      .filter((t) => uriMatchesTemplate(uri, t.template.uriTemplate))
      .map((t) => t.backend);
    if (byTemplate.length) return unique(byTemplate);
    return this.sortedBackends()
      .filter((b) => b.caps.resources.length > 0 || b.caps.resourceTemplates.length > 0)
      .map((b) => b.info.name);
  }

  private sortedBackends() {
    return [...this.backends.values()].sort(
      (a, b) => a.info.priority - b.info.priority || (a.info.order ?? 0) - (b.info.order ?? 0),
    );
  }

  private rebuild(): void {
    this.clashes.length = 0;
    const tools = new Map<string, CatalogEntry<Tool>>();
    const prompts = new Map<string, CatalogEntry<Prompt>>();
    const resources = new Map<string, CatalogEntry<Resource>>();
    const templates: { backend: string; template: ResourceTemplate }[] = [];
    for (const { info, caps } of this.sortedBackends()) {
      const ns = this.namespaces ? info.namespace : null;
      for (const tool of caps.tools) {
        const exposed = exposedName(ns, tool.name);
        if (this.reserved.has(exposed)) {
          this.clashes.push(
            `${info.name}: tool ${JSON.stringify(tool.name)} is hidden by the router's own tool of that name`,
          );
          continue;
        }
        addEntry(tools, exposed, tool.name, info.name, tool, (t) => ({ ...t, name: exposed }));
      }
      for (const prompt of caps.prompts) {
        const exposed = exposedName(ns, prompt.name);
        addEntry(prompts, exposed, prompt.name, info.name, prompt, (p) => ({ ...p, name: exposed }));
      }
      for (const resource of caps.resources)
        addEntry(resources, resource.uri, resource.uri, info.name, resource, (r) => r);
      for (const template of caps.resourceTemplates) templates.push({ backend: info.name, template });
    }
    this.tools = tools;
    this.prompts = prompts;
    this.resources = resources;
    this.templates = templates;
    this.toolList = [...tools.values()].map((e) => e.definition);
    this.promptList = [...prompts.values()].map((e) => e.definition);
    this.resourceList = [...resources.values()].map((e) => e.definition);
    const seenTemplates = new Set<string>();
    this.templateList = templates
      .filter((t) => !seenTemplates.has(t.template.uriTemplate) && seenTemplates.add(t.template.uriTemplate))
      .map((t) => t.template);
  }

  /** The lists clients see, as they are (rebuild makes new ones rather than changing these). */
  private lists() {
    return {
      tools: this.toolList,
      prompts: this.promptList,
      resources: this.resourceList,
      templates: this.templateList,
    };
  }

  /**
   * Which lists clients would see change. Compared as values, not serialized: at start-up every backend's
   * arrival changed the lists, and serializing the whole aggregate twice per change was a large part of the
   * router's start-up with 1,000 tools.
   */
  private diff(before: ReturnType<Catalog['lists']>): ListChange {
    return {
      tools: !sameJson(before.tools, this.toolList),
      prompts: !sameJson(before.prompts, this.promptList),
      resources: !sameJson(before.resources, this.resourceList) || !sameJson(before.templates, this.templateList),
    };
  }
}

function addEntry<T>(
  map: Map<string, CatalogEntry<T>>,
  exposed: string,
  original: string,
  backend: string,
  def: T,
  expose: (d: T) => T,
) {
  const entry = map.get(exposed);
  if (entry) {
    if (!entry.backends.includes(backend)) entry.backends.push(backend);
    entry.perBackend.set(backend, def);
    return;
  }
  map.set(exposed, {
    exposed,
    original,
    backends: [backend],
    definition: expose(def),
    perBackend: new Map([[backend, def]]),
  });
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
