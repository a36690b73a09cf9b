import { Catalog } from '../../src/catalog/catalog';
import { exposedName, isValidToolName } from '../../src/catalog/tool-names';

describe('exposed tool names', () => {
  it('prefixes the namespace with a double underscore', () => {
    expect(exposedName('fs', 'read_file')).toBe('fs__read_file');
  });

  it('keeps names as they are with namespaces off', () => {
    expect(exposedName(null, 'read_file')).toBe('read_file');
  });

  it.each([
    ['fs', 'read.file'],
    ['my server', 'tool/with/slashes'],
    ['a-very-long-namespace-name-that-goes-on', 'and-an-even-longer-tool-name-that-goes-on-and-on'],
    ['ns', 'ünïcödé'],
  ])('maps %s / %s to a name LLM APIs accept, deterministically', (ns, name) => {
    const exposed = exposedName(ns, name);
    expect(isValidToolName(exposed)).toBe(true);
    expect(exposedName(ns, name)).toBe(exposed);
  });

  it('never lets two different originals meet after mapping', () => {
    expect(exposedName('ns', 'a.b')).not.toBe(exposedName('ns', 'a/b'));
  });
});

describe('catalog', () => {
  const tool = (name: string, extra = {}) => ({ name, inputSchema: { type: 'object' as const }, ...extra });
  const empty = { tools: [], resources: [], resourceTemplates: [], prompts: [] };

  it('maps exposed names back through its table, not by splitting strings', () => {
    const catalog = new Catalog(true);
    catalog.setBackend({ name: 'b', namespace: 'my__ns', priority: 1 }, { ...empty, tools: [tool('x__y')] });
    const entry = catalog.tool('my__ns__x__y');
    expect(entry).toMatchObject({ original: 'x__y', backends: ['b'] });
  });

  it('groups replicas of a namespace under one name, lowest priority first', () => {
    const catalog = new Catalog(true);
    catalog.setBackend({ name: 'r2', namespace: 'search', priority: 20 }, { ...empty, tools: [tool('find')] });
    catalog.setBackend({ name: 'r1', namespace: 'search', priority: 10 }, { ...empty, tools: [tool('find')] });
    expect(catalog.tool('search__find')?.backends).toEqual(['r1', 'r2']);
    expect(catalog.listTools().map((t) => t.name)).toEqual(['search__find']);
  });

  it('passes schemas, annotations, titles and _meta through untouched', () => {
    const catalog = new Catalog(true);
    const def = tool('t', {
      title: 'T',
      annotations: { readOnlyHint: true },
      _meta: { k: 1 },
      outputSchema: { type: 'object' },
    });
    catalog.setBackend({ name: 'b', namespace: 'b', priority: 1 }, { ...empty, tools: [def] });
    expect(catalog.listTools()[0]).toEqual({ ...def, name: 'b__t' });
  });

  it('hides a backend tool that clashes with a management tool, and says so', () => {
    const catalog = new Catalog(false);
    catalog.reserve(['list_backends']);
    catalog.setBackend(
      { name: 'b', namespace: 'b', priority: 1 },
      { ...empty, tools: [tool('list_backends'), tool('other')] },
    );
    expect(catalog.listTools().map((t) => t.name)).toEqual(['other']);
    expect(catalog.clashes[0]).toMatch(/list_backends/);
  });

  it('finds the backend of a URI by its template', () => {
    const catalog = new Catalog(true);
    catalog.setBackend(
      { name: 'files', namespace: 'fs', priority: 1 },
      { ...empty, resourceTemplates: [{ name: 'f', uriTemplate: 'file:///{path}' }] },
    );
    catalog.setBackend(
      { name: 'db', namespace: 'db', priority: 1 },
      { ...empty, resourceTemplates: [{ name: 'r', uriTemplate: 'db://rows/{id}' }] },
    );
    expect(catalog.resourceBackends('db://rows/42')).toEqual(['db']);
  });

  it('reports which lists changed', () => {
    const catalog = new Catalog(true);
    expect(catalog.setBackend({ name: 'b', namespace: 'b', priority: 1 }, { ...empty, tools: [tool('a')] })).toEqual({
      tools: true,
      prompts: false,
      resources: false,
    });
    expect(catalog.setBackend({ name: 'b', namespace: 'b', priority: 1 }, { ...empty, tools: [tool('a')] })).toEqual({
      tools: false,
      prompts: false,
      resources: false,
    });
    // A change deep inside a definition is a change; a resource template is one of the resources list.
    const described = { ...tool('a'), description: 'now described' };
    expect(catalog.setBackend({ name: 'b', namespace: 'b', priority: 1 }, { ...empty, tools: [described] })).toEqual({
      tools: true,
      prompts: false,
      resources: false,
    });
    const templates = [{ uriTemplate: 'file:///{path}', name: 'files' }];
    expect(
      catalog.setBackend(
        { name: 'b', namespace: 'b', priority: 1 },
        { ...empty, tools: [described], resourceTemplates: templates },
      ),
    ).toEqual({ tools: false, prompts: false, resources: true });
  });
});
