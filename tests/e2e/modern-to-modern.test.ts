/**
 * A 2026-07-28 client through the router CLI to a 2026-07-28 backend (tests/fixtures/v2-backend.ts on SDK v2),
 * over a stdio backend and a 2026-only streamable HTTP one: the backend's input requests reach the client whole,
 * under the backend's own keys, and its answers go back to the same backend; the backend is told what the client
 * declared, so a client without elicitation gets -32021 (HTTP 400) rather than a question it cannot answer;
 * several rounds, sampling, progress and log messages work. (The built fixture: run `npm run build` first.)
 */
import { Client, LOG_LEVEL_META_KEY, ProtocolError, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { EVERYTHING, ROOT } from '../helpers/config';
import { startHttpCli, tempFile } from '../helpers/cli';
import { last, openListen, send, type Fields } from '../helpers/modern-wire';
import { startHttpBackend, V2_BACKEND } from '../fixtures/v2-http';

function text(result: unknown): string {
  return JSON.stringify((result as { content?: unknown }).content);
}

async function modernClient(url: string, capabilities: Record<string, object>) {
  const client = new Client(
    { name: 'modern-to-modern', version: '1.0.0' },
    { versionNegotiation: { mode: { pin: '2026-07-28' } }, capabilities },
  );
  if ('elicitation' in capabilities)
    client.setRequestHandler('elicitation/create', async () => ({
      action: 'accept',
      content: { name: 'Ada', ok: true },
    }));
  if ('sampling' in capabilities)
    client.setRequestHandler('sampling/createMessage', async () => ({
      role: 'assistant',
      content: { type: 'text', text: 'short' },
      model: 'test-model',
    }));
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

/** The router CLI over HTTP with these backends, and a 2026 client (elicitation, sampling) connected to it. */
async function routerAndClient(backendLines: string[]) {
  const config = tempFile('backends.yaml', [...backendLines, ''].join('\n'));
  const router = await startHttpCli(['--config', config]);
  const client = await modernClient(router.url, { elicitation: {}, sampling: {} });
  return {
    router,
    client,
    async close() {
      await client.close();
      router.child.kill('SIGTERM');
      await router.exit;
    },
  };
}

const backends: [string, () => Promise<{ yaml: string[]; child?: ChildProcess }>][] = [
  [
    'stdio',
    async () => ({
      yaml: [`    command: ${JSON.stringify(process.execPath)}`, `    args: [${JSON.stringify(V2_BACKEND)}]`],
    }),
  ],
  [
    'streamable HTTP, 2026 only',
    async () => {
      const { url, child } = await startHttpBackend(['--reject-legacy']);
      return { yaml: ['    transport: streamable-http', `    url: ${url}`], child };
    },
  ],
];

describe.each(backends)('a 2026 client, a 2026 backend over %s', (_name, startBackend) => {
  let setup: Awaited<ReturnType<typeof routerAndClient>>;
  let router: typeof setup.router;
  let client: Client;
  let backendChild: ChildProcess | undefined;

  beforeAll(async () => {
    const backend = await startBackend();
    backendChild = backend.child;
    setup = await routerAndClient([
      'routing:',
      '  enable_namespace_prefixing: false',
      'backends:',
      '  - name: v2',
      ...backend.yaml,
    ]);
    ({ router, client } = setup);
  });

  afterAll(async () => {
    await setup?.close();
    backendChild?.kill();
  });

  it('hands the client the backend’s round under the backend’s own keys, and its answer back', async () => {
    const caps = { 'io.modelcontextprotocol/clientCapabilities': { elicitation: {} } };
    const call = { name: 'ask_name', arguments: {} };
    const first = last(await send(router.url, 'tools/call', call, caps)).result!;
    expect(first).toMatchObject({ resultType: 'input_required' });
    expect(Object.keys(first.inputRequests as object)).toEqual(['name']);
    const answer = { name: { action: 'accept', content: { name: 'Grace' } } };
    const done = last(
      await send(router.url, 'tools/call', { ...call, inputResponses: answer, requestState: first.requestState }, caps),
    ).result!;
    expect(done).toMatchObject({ resultType: 'complete' });
    expect(text(done)).toContain('hello Grace');
  });

  it('an elicitation and a sampling request the backend asks for are answered by the client', async () => {
    expect(text(await client.callTool({ name: 'ask_name', arguments: {} }))).toContain('hello Ada');
    expect(text(await client.callTool({ name: 'summarize', arguments: { text: 'a long text' } }))).toContain(
      'model said: short',
    );
  });

  it('as many rounds as the backend asks go back to the same backend', async () => {
    expect(text(await client.callTool({ name: 'rounds', arguments: { n: 3 } }))).toContain('done after 3 rounds');
  });

  it('the backend hears what the client declared: without elicitation the call is -32021, on HTTP 400', async () => {
    const bare = await modernClient(router.url, {});
    try {
      const error = await bare.callTool({ name: 'ask_name', arguments: {} }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProtocolError);
      expect((error as ProtocolError).code).toBe(-32021);
    } finally {
      await bare.close();
    }
    const raw = await send(router.url, 'tools/call', { name: 'ask_name', arguments: {} });
    expect(raw.status).toBe(400);
    expect(last(raw).error).toMatchObject({ code: -32021 });
  });

  it('progress reaches the client; log messages only at the level the request asked for, on its stream', async () => {
    const progress: number[] = [];
    const result = await client.callTool(
      { name: 'slow', arguments: { steps: 2, ms: 1 } },
      { onprogress: (p) => void progress.push(p.progress) },
    );
    expect(text(result)).toContain('slow done');
    expect(progress).toEqual([1, 2]);

    const call = { name: 'slow', arguments: { steps: 2, ms: 1 } };
    const logged = (reply: Awaited<ReturnType<typeof send>>) =>
      reply.messages.filter((m) => m.method === 'notifications/message').map((m) => (m.params as Fields).data);
    expect(logged(await send(router.url, 'tools/call', call, { [LOG_LEVEL_META_KEY]: 'info' }))).toEqual([
      'step 1',
      'step 2',
    ]);
    expect(logged(await send(router.url, 'tools/call', call, { [LOG_LEVEL_META_KEY]: 'error' }))).toEqual([]);
  });

  it('list changes and updates of subscribed resources reach the client’s listen stream', async () => {
    const listen = await openListen(router.url, { toolsListChanged: true, resourceSubscriptions: ['v2://counter'] });
    const seen = (method: string) => listen.events.some((e) => e.method === method);
    try {
      await client.callTool({ name: 'add_tool', arguments: { name: `later_${Date.now()}` } });
      await client.callTool({ name: 'touch', arguments: {} });
      while (!seen('notifications/tools/list_changed') || !seen('notifications/resources/updated'))
        await new Promise((r) => setImmediate(r));
      expect(listen.events.find((e) => e.method === 'notifications/resources/updated')).toMatchObject({
        params: { uri: 'v2://counter' },
      });
    } finally {
      listen.close();
    }
  });

  it('a call the client cancels is cancelled at the backend', async () => {
    const stats = async () => text(await client.callTool({ name: 'stats', arguments: {} }));
    const before = await stats();
    const controller = new AbortController();
    const call = client.callTool(
      { name: 'slow', arguments: { steps: 100, ms: 50 } },
      { signal: controller.signal, onprogress: () => controller.abort() },
    );
    await expect(call).rejects.toThrow();
    while ((await stats()) === before) await new Promise((r) => setImmediate(r));
    expect(await stats()).not.toBe(before);
  });
});

describe('the lists a 2026 client gets', () => {
  it('are trusted no longer than the shortest-lived backend’s own ttlMs', async () => {
    const config = tempFile(
      'backends.yaml',
      [
        'backends:',
        '  - name: brief',
        `    command: ${JSON.stringify(process.execPath)}`,
        `    args: [${JSON.stringify(V2_BACKEND)}, --ttl-ms, '2500']`,
        '  - name: plain',
        `    command: ${JSON.stringify(process.execPath)}`,
        `    args: [${JSON.stringify(V2_BACKEND)}]`,
        '',
      ].join('\n'),
    );
    const router = await startHttpCli(['--config', config]);
    try {
      const lists = last(await send(router.url, 'tools/list')).result!;
      expect(lists).toMatchObject({ ttlMs: 2500, cacheScope: 'public' });
      expect(last(await send(router.url, 'server/discover')).result).toMatchObject({ ttlMs: 2500 });
    } finally {
      router.child.kill('SIGTERM');
      await router.exit;
    }
  });
});

describe('a 2026 client, a 2025 backend over streamable HTTP (server-everything)', () => {
  let everything: ChildProcess;
  let setup: Awaited<ReturnType<typeof routerAndClient>>;
  let client: Client;

  beforeAll(async () => {
    const port = await freePort();
    everything = spawn(process.execPath, [join(ROOT, 'node_modules', EVERYTHING), 'streamableHttp'], {
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    await new Promise<void>((resolve) => {
      let err = '';
      everything.stderr!.on('data', (d: Buffer) => {
        err += d;
        if (/listening on port/.test(err)) resolve();
      });
    });
    setup = await routerAndClient([
      'backends:',
      '  - name: everything',
      '    transport: streamable-http',
      `    url: http://127.0.0.1:${port}/mcp`,
    ]);
    ({ client } = setup);
  });

  afterAll(async () => {
    await setup?.close();
    everything?.kill();
  });

  it('its sampling and elicitation requests become input_required and back', async () => {
    const sampled = await client.callTool({
      name: 'everything__trigger-sampling-request',
      arguments: { prompt: 'a prompt', maxTokens: 10 },
    });
    expect(text(sampled)).toContain('short');
    const elicited = await client.callTool({ name: 'everything__trigger-elicitation-request', arguments: {} });
    expect(text(elicited)).toContain('Ada');
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
