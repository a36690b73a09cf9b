/**
 * Hostile values in otherwise valid calls, against the real router (the CLI, as a user runs it), over its
 * HTTP front and over its stdio front, with two fixture backends behind it: `flaky` over stdio (with
 * resources and prompts) and `web` over streamable HTTP. Both carry secrets in their config: an env value and
 * headers, literal and `${VAR}` from the router's own environment.
 *
 * Every call must get a JSON-RPC answer within the timeout (an error or a result; over HTTP never a 5xx); the
 * router must still serve a plain echo afterwards; and no answer may carry a stack trace, a path of the
 * router's install or a secret (nor may the router's stderr log carry a secret).
 */
import { spawn } from 'node:child_process';
import { ROOT, FLAKY } from '../helpers/config';
import { CLI, startHttpCli, tempFile } from '../helpers/cli';

/** Each call must be answered within this. The router's own request timeout (below) is shorter. */
const CALL_TIMEOUT_MS = 5_000;
/** Start-up (backends connecting on a busy machine) may take longer than a call. */
const START_TIMEOUT_MS = 20_000;
const MB = 1024 * 1024;

/** Distinctive values that must never come back. */
const SECRETS = {
  backendEnv: 'sk-env-9d41c7e2b5a8f3',
  header: 'hdr-3f8e61a0c4d7b9',
  routerEnv: 'renv-5b2c9e7a1f04d6',
};
const ROUTER_ENV = { HOSTILE_ROUTER_SECRET: SECRETS.routerEnv };

/** What an error message must not reveal about the router's installation. */
const INSTALL_PATTERNS: RegExp[] = [
  new RegExp(ROOT.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
  /dist\/(src|machines|tests)\//,
  /node_modules\//,
  /\.(js|ts|mjs|cjs):\d+(:\d+)?/,
];
/** A stack frame, as V8 prints it. */
const STACK_FRAME = /^\s+at \S/m;

interface Rpc {
  jsonrpc?: unknown;
  id?: unknown;
  method?: string;
  result?: {
    isError?: boolean;
    content?: Array<{ type: string; text?: string }>;
    structuredContent?: unknown;
    [k: string]: unknown;
  };
  error?: { code: number; message: string; data?: unknown };
}

interface Answer {
  /** HTTP status (HTTP front only). */
  status?: number;
  /** The answer as it came over the wire. */
  raw: string;
  message?: Rpc;
}

interface Front {
  name: string;
  /** Sends one message and resolves with its answer (rejects after timeoutMs, CALL_TIMEOUT_MS by default). */
  call(body: string, timeoutMs?: number): Promise<Answer>;
  /** Sends a notification: no JSON-RPC answer is due. */
  notify(body: string): Promise<void>;
  alive(): boolean;
  /** How it ended, when it has. */
  exitStatus(): string;
  stderr(): string;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------- the setup

function startWebBackend(): Promise<{ url: string; stop(): void }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FLAKY, '--http', '0'], {
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...process.env, FIXTURE_NAME: 'web' },
    });
    child.stdout.on('data', (d: Buffer) => {
      const m = /listening (http:\/\/\S+)/.exec(d.toString());
      if (m) resolve({ url: m[1]!, stop: () => void child.kill('SIGKILL') });
    });
    child.once('exit', (code) => reject(new Error(`web fixture exited with ${code}`)));
  });
}

/**
 * The router's config. `isolated`: no retries and a breaker that does not trip, so that each hostile call is
 * judged on its own answer; the breaker's and the retries' part is the 'known bugs' block's business.
 */
function writeConfig(webUrl: string, isolated: boolean): string {
  const q = JSON.stringify;
  const breaker = isolated ? '\n    circuit_breaker: { failure_threshold: 1000 }' : '';
  return tempFile(
    'backends.yaml',
    `routing:
  request_timeout_seconds: 3${isolated ? '\n  retry: { max_attempts: 1 }' : ''}
backends:
  - name: flaky
    command: ${q(process.execPath)}
    args: [${q(FLAKY)}]
    env:
      FIXTURE_NAME: flaky
      FIXTURE_RESOURCES: "1"
      FIXTURE_API_KEY: ${q(SECRETS.backendEnv)}
      FIXTURE_TOKEN: "\${HOSTILE_ROUTER_SECRET}"${breaker}
  - name: web
    url: ${q(webUrl)}
    headers:
      Authorization: ${q(`Bearer ${SECRETS.header}`)}
      X-Api-Key: "\${HOSTILE_ROUTER_SECRET}"${breaker}
`,
  );
}

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 'init',
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'hostile', version: '1' } },
};
const INITIALIZED = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' });

/** JSON-RPC messages out of a response body: plain JSON, or the data lines of an event stream. */
function messagesOf(contentType: string, raw: string): Rpc[] {
  if (contentType.includes('text/event-stream')) {
    return raw
      .split(/\r?\n\r?\n/)
      .map((event) =>
        event
          .split(/\r?\n/)
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5).trimStart())
          .join('\n'),
      )
      .filter((data) => data !== '')
      .map((data) => JSON.parse(data) as Rpc);
  }
  if (!raw) return [];
  const parsed = JSON.parse(raw) as Rpc | Rpc[];
  return Array.isArray(parsed) ? parsed : [parsed];
}

async function httpFront(config: string): Promise<Front> {
  const router = await startHttpCli(
    ['--config', config, '--log-level', 'debug', '--allow-backend-changes'],
    ROUTER_ENV,
  );
  const post = async (body: string, sessionId?: string, timeoutMs = CALL_TIMEOUT_MS) => {
    const res = await fetch(router.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...(sessionId ? { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' } : {}),
      },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const raw = await res.text();
    return { res, raw };
  };
  let sessionId: string | null;
  try {
    const init = await post(JSON.stringify(INITIALIZE), undefined, START_TIMEOUT_MS);
    sessionId = init.res.headers.get('mcp-session-id');
    if (init.res.status !== 200 || !sessionId) throw new Error(`initialize failed: ${init.res.status} ${init.raw}`);
    await post(INITIALIZED, sessionId);
  } catch (error) {
    router.child.kill('SIGKILL');
    throw new Error(`HTTP router: ${(error as Error).message}\n${router.stderr().slice(-1500)}`, { cause: error });
  }
  return {
    name: 'HTTP',
    async call(body, timeoutMs) {
      const { res, raw } = await post(body, sessionId!, timeoutMs);
      const messages = messagesOf(res.headers.get('content-type') ?? '', raw);
      return { status: res.status, raw, message: messages.find((m) => m.method === undefined) };
    },
    async notify(body) {
      const { res, raw } = await post(body, sessionId!);
      // Accepted (202), or refused with a JSON-RPC error: either way, never a 5xx.
      if (res.status >= 500) throw new Error(`notification answered ${res.status}: ${raw}`);
    },
    alive: () => router.child.exitCode === null && router.child.signalCode === null,
    exitStatus: () => `exit code ${router.child.exitCode}, signal ${router.child.signalCode}`,
    stderr: router.stderr,
    async close() {
      router.child.kill('SIGTERM');
      await router.exit;
    },
  };
}

async function stdioFront(config: string): Promise<Front> {
  const child = spawn(
    process.execPath,
    [CLI, '--config', config, '--transport', 'stdio', '--log-level', 'debug', '--allow-backend-changes'],
    {
      env: { ...process.env, ...ROUTER_ENV },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => (stderr += d));
  const exit = new Promise<void>((r) => child.once('close', () => r()));
  // Responses in arrival order; server-initiated messages (notifications, requests) are not answers.
  const answers: string[] = [];
  const waiting: Array<(answer: string) => void> = [];
  let pending = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    pending += chunk;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (!line.trim()) continue;
      const message = JSON.parse(line) as Rpc;
      if (message.method !== undefined) continue;
      answers.push(line);
      while (answers.length > 0 && waiting.length > 0) waiting.shift()!(answers.shift()!);
    }
  });
  /** The next answer in arrival order (several callers wait in turn). */
  const nextAnswer = (timeoutMs = CALL_TIMEOUT_MS) =>
    new Promise<string>((resolve, reject) => {
      if (answers.length > 0) return resolve(answers.shift()!);
      const take = (answer: string) => {
        clearTimeout(timer);
        resolve(answer);
      };
      const timer = setTimeout(() => {
        waiting.splice(waiting.indexOf(take), 1);
        reject(new Error(`no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      waiting.push(take);
    });
  const write = (body: string) => {
    if (body.includes('\n')) throw new Error('a stdio message must be one line');
    child.stdin.write(`${body}\n`);
  };
  let syncs = 0;
  write(JSON.stringify(INITIALIZE));
  try {
    const init = JSON.parse(await nextAnswer(START_TIMEOUT_MS)) as Rpc;
    if (!init.result) throw new Error(`initialize failed: ${JSON.stringify(init)}`);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`stdio router: ${(error as Error).message}\n${stderr.slice(-1500)}`, { cause: error });
  }
  write(INITIALIZED);
  return {
    name: 'stdio',
    async call(body, timeoutMs) {
      // One message at a time: the next answer is this one's, whatever its id.
      write(body);
      const raw = await nextAnswer(timeoutMs);
      return { raw, message: JSON.parse(raw) as Rpc };
    },
    async notify(body) {
      // No answer is due, but one that is not a valid message gets an error (id null): a ping behind it tells
      // where the answers to this notification end.
      write(body);
      const sync = `sync-${++syncs}`;
      write(JSON.stringify({ jsonrpc: '2.0', id: sync, method: 'ping' }));
      for (;;) {
        const answer = JSON.parse(await nextAnswer()) as Rpc;
        if (answer.id === sync) return;
        if (answer.id !== null || !answer.error)
          throw new Error(`unexpected answer to a notification: ${JSON.stringify(answer).slice(0, 300)}`);
      }
    },
    alive: () => child.exitCode === null && child.signalCode === null,
    exitStatus: () => `exit code ${child.exitCode}, signal ${child.signalCode}`,
    stderr: () => stderr,
    async close() {
      child.stdin.end();
      await exit;
    },
  };
}

// ------------------------------------------------------------------------------------------- the values

const HUGE = 'a'.repeat(MB);
/** Big, where 1 MB would only cost time: values the router passes along rather than looks up. */
const LARGE = 'b'.repeat(64 * 1024);
const CONTROL = '\u0000\u0001\u0007\b\t\n\u000b\f\r\u001b[31m\u007f\u0085';
const BIDI = '\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c';
const ZERO_WIDTH = '\u200b\u200c\u200d\ufeff';
const LONE_SURROGATES = '\ud800x\udfff';
const DEPTH = 100_000;
/** Nested objects and arrays JSON.parse accepts but a recursive walk (JSON.stringify, a schema) cannot. */
const DEEP_OBJECT = '{"a":'.repeat(DEPTH) + '1' + '}'.repeat(DEPTH);
const DEEP_ARRAY = '['.repeat(DEPTH) + ']'.repeat(DEPTH);

const HOSTILE_NAMES: Array<[string, string]> = [
  ['empty', ''],
  ['1 MB', HUGE],
  ['1 MB in a namespace', `flaky__${HUGE}`],
  ['NUL', '\u0000'],
  ['a real name with NUL', 'flaky__echo\u0000'],
  ['a real name with control characters', `flaky__echo${CONTROL}`],
  ['bidi overrides', `flaky__${BIDI}echo`],
  ['right-to-left override', '\u202eohce__ykalf'],
  ['zero-width characters', `${ZERO_WIDTH}flaky__echo`],
  ['lone surrogates', LONE_SURROGATES],
  ['path traversal', '../../etc/passwd'],
  ['namespaced path traversal', 'flaky__../../etc/passwd'],
  ['an absolute path', '/etc/passwd'],
  ['a Windows path', '..\\..\\windows\\win.ini'],
  ['percent-encoded traversal', '%2e%2e%2f%2e%2e%2fetc%2fpasswd'],
  ['a file URI', 'file:///etc/passwd'],
  ['100,000 separators', '__'.repeat(50_000)],
  ['20,000 namespaces', `flaky${'__flaky'.repeat(20_000)}__echo`],
  ['doubled separator', 'flaky____echo'],
  ['leading separator', '__flaky__echo'],
  ['trailing separator', 'flaky__echo__'],
  ['__proto__', '__proto__'],
  ['constructor', 'constructor'],
  ['toString', 'toString'],
  ['namespaced hasOwnProperty', 'flaky__hasOwnProperty'],
  ['an env reference', '${HOSTILE_ROUTER_SECRET}'],
  ['header injection', 'web__echo\r\nX-Injected: 1'],
];

const HOSTILE_URIS: Array<[string, unknown]> = [
  ['an absolute path', '/etc/passwd'],
  ['path traversal', '../../etc/passwd'],
  ['file:///etc/passwd', 'file:///etc/passwd'],
  ['file://localhost', 'file://localhost/etc/passwd'],
  ['file URI with ..', 'file:///../../../etc/passwd'],
  ['.. inside a known scheme', 'fixture://doc/../../etc/passwd'],
  ['percent-encoded ..', 'fixture://doc/%2e%2e%2f%2e%2e%2fetc%2fpasswd'],
  ['a bare ..', 'fixture://doc/..'],
  ['javascript:', 'javascript:alert(1)'],
  ['JaVaScRiPt: with a cookie', 'JaVaScRiPt:alert(document.cookie)'],
  ['data: HTML', 'data:text/html,<script>alert(1)</script>'],
  ['cloud metadata', 'http://169.254.169.254/latest/meta-data/'],
  ['a UNC path', '\\\\server\\share\\x'],
  ['64 KB', `fixture://doc/${LARGE}`],
  ['100,000 ../', `file:///${'../'.repeat(100_000)}etc/passwd`],
  ['NUL', 'fixture://doc/\u0000'],
  ['bidi', `fixture://doc/${BIDI}`],
  ['empty', ''],
  ['an env reference', '${HOSTILE_ROUTER_SECRET}'],
  ['a number', 1],
  ['null', null],
  ['an object', {}],
  ['an array', ['fixture://doc/readme']],
];

interface Case {
  label: string;
  body: string;
  /** The id the answer must carry, when the message's id is a valid one. */
  id?: unknown;
  /** Extra checks on the answer. */
  check?: (m: Rpc) => void;
}

let seq = 0;
function request(label: string, method: string, params?: unknown, check?: Case['check']): Case {
  const id = `h${++seq}`;
  return {
    label,
    body: JSON.stringify({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) }),
    id,
    check,
  };
}
/** A request whose params are given as JSON text (for what JSON.stringify cannot build). */
function rawRequest(label: string, method: string, paramsJson: string, check?: Case['check']): Case {
  const id = `h${++seq}`;
  return {
    label,
    body: `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"method":${JSON.stringify(method)},"params":${paramsJson}}`,
    id,
    check,
  };
}

const isError = (code?: number) => (m: Rpc) => {
  expect(m.error).toBeDefined();
  if (code !== undefined) expect(m.error!.code).toBe(code);
};
const isToolError = (m: Rpc) => {
  expect(m.error).toBeUndefined();
  expect(m.result?.isError).toBe(true);
};
const isToolResult = (m: Rpc) => {
  expect(m.error).toBeUndefined();
  expect(m.result?.isError).toBeFalsy();
};

function hostileCases(webUrl: string): Case[] {
  const cases: Case[] = [];
  const call = (name: unknown, args?: unknown) => ({ name, ...(args === undefined ? {} : { arguments: args }) });

  // Tool names.
  for (const [label, name] of HOSTILE_NAMES)
    cases.push(request(`tools/call, name: ${label}`, 'tools/call', call(name, {}), isError(-32602)));
  for (const name of [42, null, {}, ['flaky__echo'], true])
    cases.push(
      request(`tools/call, name of type ${JSON.stringify(name)}`, 'tools/call', call(name, {}), isError(-32602)),
    );

  // Arguments of the wrong type, to a backend's tool and to a management tool.
  for (const tool of ['flaky__echo', 'web__echo', 'list_backends']) {
    for (const args of [[], 'text', 42, null, true, [1, 2, 3]]) {
      cases.push(
        request(
          `tools/call ${tool}, arguments ${JSON.stringify(args)}`,
          'tools/call',
          call(tool, args),
          isError(-32602),
        ),
      );
    }
    cases.push(
      request(
        `tools/call ${tool}, text of the wrong type`,
        'tools/call',
        call(tool, { text: { nested: [1, { deeper: null }] } }),
      ),
    );
    cases.push(
      request(
        `tools/call ${tool}, 5,000 keys`,
        'tools/call',
        call(tool, Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, i]))),
      ),
    );
    cases.push(
      rawRequest(
        `tools/call ${tool}, a __proto__ key`,
        'tools/call',
        `{"name":"${tool}","arguments":{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}}`,
      ),
    );
  }
  cases.push(
    request(
      'tools/call flaky__echo, 64 KB of text with control characters',
      'tools/call',
      call('flaky__echo', { text: `${CONTROL}${BIDI}${LARGE}` }),
    ),
  );
  // Nesting JSON.parse takes but JSON.stringify cannot (to a backend's tool it also trips that backend's circuit
  // breaker today: see 'known bugs' below).
  for (const tool of ['flaky__echo', 'web__echo', 'list_backends']) {
    cases.push(
      rawRequest(
        `tools/call ${tool}, arguments nested ${DEPTH} deep (objects)`,
        'tools/call',
        `{"name":"${tool}","arguments":${DEEP_OBJECT}}`,
      ),
    );
    cases.push(
      rawRequest(
        `tools/call ${tool}, arguments nested ${DEPTH} deep (arrays)`,
        'tools/call',
        `{"name":"${tool}","arguments":{"text":${DEEP_ARRAY}}}`,
      ),
    );
  }
  cases.push(
    rawRequest(
      `resources/read, params nested ${DEPTH} deep`,
      'resources/read',
      `{"uri":"fixture://doc/readme","extra":${DEEP_OBJECT}}`,
    ),
  );

  // _meta and progress tokens.
  for (const meta of [
    { progressToken: {} },
    { progressToken: [] },
    { progressToken: null },
    { progressToken: true },
    { progressToken: 1.5 },
    { progressToken: 1e308 },
    { progressToken: -1 },
    { progressToken: LARGE },
    { progressToken: `${CONTROL}${BIDI}` },
    'meta',
    [],
    null,
    { progressToken: 'p', 'io.evil/blob': LARGE },
  ]) {
    const label = JSON.stringify(meta).slice(0, 60);
    cases.push(
      request(`tools/call flaky__echo, _meta ${label}`, 'tools/call', {
        name: 'flaky__echo',
        arguments: { text: 'm' },
        _meta: meta,
      }),
    );
    cases.push(request(`tools/list, _meta ${label}`, 'tools/list', { _meta: meta }));
  }

  // Resources.
  // An answer either way: the fixture reads any one-segment name under fixture://doc/ (`..` and NUL included,
  // as a careless server would) and answers -32002 for the rest; the router must pass both along intact.
  for (const [label, uri] of HOSTILE_URIS)
    cases.push(
      request(
        `resources/read, uri: ${label}`,
        'resources/read',
        { uri },
        typeof uri === 'string' ? undefined : isError(),
      ),
    );
  cases.push(request('resources/read without a uri', 'resources/read', {}, isError()));
  cases.push(
    request('resources/templates/list with a hostile cursor', 'resources/templates/list', { cursor: `../../${LARGE}` }),
  );
  cases.push(request('resources/subscribe to a path', 'resources/subscribe', { uri: 'file:///etc/passwd' }));

  // Prompts.
  for (const [label, name] of [['64 KB', LARGE], ...HOSTILE_NAMES.slice(3, 16)])
    cases.push(request(`prompts/get, name: ${label}`, 'prompts/get', { name, arguments: { who: 'x' } }, isError()));
  for (const args of [
    { who: 1 },
    { who: {} },
    { who: null },
    { who: [LARGE] },
    [],
    'who',
    42,
    null,
    { who: LARGE },
    { who: CONTROL },
  ]) {
    cases.push(
      request(`prompts/get flaky__greet, arguments ${JSON.stringify(args).slice(0, 40)}`, 'prompts/get', {
        name: 'flaky__greet',
        arguments: args,
      }),
    );
  }
  cases.push(
    rawRequest(
      `prompts/get flaky__greet, arguments nested ${DEPTH} deep`,
      'prompts/get',
      `{"name":"flaky__greet","arguments":${DEEP_OBJECT}}`,
      isError(),
    ),
  );
  cases.push(
    request(
      'completion/complete with a hostile ref',
      'completion/complete',
      { ref: { type: 'ref/prompt', name: LARGE }, argument: { name: 'who', value: CONTROL } },
      isError(),
    ),
  );

  // Management tools, with wrong types and hostile values.
  const namesToTry: unknown[] = [
    undefined,
    1,
    null,
    {},
    [],
    '',
    HUGE,
    '../../etc/passwd',
    '__proto__',
    'constructor',
    'toString',
    `${CONTROL}${BIDI}`,
    '${HOSTILE_ROUTER_SECRET}',
  ];
  for (const tool of ['get_backend_health', 'unregister_backend']) {
    for (const name of namesToTry) {
      cases.push(
        request(
          `${tool}(backend_name: ${JSON.stringify(name)?.slice(0, 30)})`,
          'tools/call',
          call(tool, name === undefined ? {} : { backend_name: name }),
          isToolError,
        ),
      );
    }
  }
  for (const name of namesToTry) {
    cases.push(
      request(
        `explain_route(name: ${JSON.stringify(name)?.slice(0, 30)})`,
        'tools/call',
        call('explain_route', name === undefined ? {} : { name }),
      ),
    );
  }
  for (const target of [
    'file:///etc/passwd',
    'javascript:alert(1)',
    'fixture://doc/../../etc/passwd',
    `fixture://doc/${LARGE}`,
  ]) {
    cases.push(request(`explain_route(${target.slice(0, 40)})`, 'tools/call', call('explain_route', { name: target })));
  }
  cases.push(
    rawRequest(
      'list_backends with hostile arguments',
      'tools/call',
      `{"name":"list_backends","arguments":{"filter":${JSON.stringify(LARGE)},"__proto__":{"x":1}}}`,
    ),
  );
  cases.push(
    request(
      'reload_backends_config with a path',
      'tools/call',
      call('reload_backends_config', { path: '/etc/passwd', config: '../../etc/passwd' }),
    ),
  );
  const backends: Array<[string, unknown]> = [
    ['missing', undefined],
    ['null', null],
    ['a string', 'flaky'],
    ['a number', 1],
    ['an array', [{ name: 'x', command: 'node' }]],
    ['empty', {}],
    ['a 1 MB name', { name: HUGE, command: 'node' }],
    ['a traversal name', { name: '../../etc/passwd', command: 'node' }],
    ['a name with control characters', { name: `x${CONTROL}`, command: 'node' }],
    ['a javascript: url', { name: 'hostile-js', url: 'javascript:alert(1)' }],
    ['a file: url', { name: 'hostile-file', url: 'file:///etc/passwd' }],
    ['a duplicate name', { name: 'flaky', command: 'node' }],
    ['a 1 MB unknown key', { name: 'hostile-key', command: 'node', [HUGE]: 1 }],
    [
      '100 unknown keys',
      {
        name: 'hostile-keys',
        command: 'node',
        ...Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`comand${i}`, i])),
      },
    ],
    [
      'wrong types everywhere',
      { name: 1, command: {}, args: 'x', env: [], priority: 'high', routes: {}, headers: 'h' },
    ],
    ['an env reference in the url', { name: 'hostile-env-url', url: '${HOSTILE_ROUTER_SECRET}' }],
    ['an env reference in a source', { name: 'hostile-env-source', source: '${HOSTILE_ROUTER_SECRET}/x' }],
    [
      'an env reference in fallback_to',
      {
        name: 'hostile-env-fallback',
        command: 'node',
        routes: [{ pattern: '*', fallback_to: '${HOSTILE_ROUTER_SECRET}' }],
      },
    ],
    ['an env reference in the name', { name: 'x${HOSTILE_ROUTER_SECRET}', command: 'node' }],
    ['an env reference with a default in the name', { name: 'flaky${HOSTILE_ROUTER_SECRET:-}', command: 'node' }],
    [
      'an env reference in an env value, with NUL',
      { name: 'hostile-env-nul', command: 'node', env: { K: '${HOSTILE_ROUTER_SECRET}\u0000' } },
    ],
    [
      'an env reference in a header, with CR LF',
      {
        name: 'hostile-header',
        url: 'http://127.0.0.1:9/mcp',
        headers: { 'X-Api-Key': '${HOSTILE_ROUTER_SECRET}\r\nX-Injected: 1' },
      },
    ],
    [
      'a header name that is no token',
      { name: 'hostile-header-name', url: 'http://127.0.0.1:9/mcp', headers: { 'X-A\r\nB': 'v' } },
    ],
    // Names every JavaScript object has: such a backend was taken for one that exists, never started, and
    // broke list_backends and unregister_backend until a restart.
    ['the name constructor', { name: 'constructor', command: process.execPath, args: [FLAKY] }],
    ['the name __proto__', { name: '__proto__', command: process.execPath, args: [FLAKY] }],
    ['the name toString', { name: 'toString', command: process.execPath, args: [FLAKY] }],
  ];
  for (const [label, backend] of backends) {
    cases.push(
      request(
        `register_backend(${label})`,
        'tools/call',
        call('register_backend', backend === undefined ? {} : { backend }),
        isToolError,
      ),
    );
  }
  cases.push(
    rawRequest(
      `register_backend(nested ${DEPTH} deep)`,
      'tools/call',
      `{"name":"register_backend","arguments":{"backend":${DEEP_OBJECT}}}`,
      isToolError,
    ),
  );
  cases.push(
    rawRequest(
      'register_backend(a __proto__ key)',
      'tools/call',
      '{"name":"register_backend","arguments":{"backend":{"__proto__":{"polluted":true},"name":"hostile-proto","command":"node"}}}',
      isToolError,
    ),
  );
  // A backend that takes the router's secret in its header: registered, served, listed, never shown, removed.
  cases.push(
    request(
      'register_backend(a secret header from the environment)',
      'tools/call',
      call('register_backend', {
        backend: { name: 'web2', url: webUrl, headers: { 'X-Api-Key': '${HOSTILE_ROUTER_SECRET}' } },
      }),
      isToolResult,
    ),
  );
  cases.push(request('list_backends with the registered one', 'tools/call', call('list_backends', {}), isToolResult));
  cases.push(
    request(
      'get_backend_health of the registered one',
      'tools/call',
      call('get_backend_health', { backend_name: 'web2' }),
      isToolResult,
    ),
  );
  cases.push(
    request('explain_route to the registered one', 'tools/call', call('explain_route', { name: 'web2__echo' })),
  );
  cases.push(
    request(
      'unregister_backend of the registered one',
      'tools/call',
      call('unregister_backend', { backend_name: 'web2' }),
      isToolResult,
    ),
  );

  // Unknown methods, with huge params.
  cases.push(request('unknown method with 1 MB of params', 'x/unknown', { blob: HUGE }, isError(-32601)));
  for (const method of [
    HUGE,
    '__proto__',
    'constructor',
    'toString',
    'rpc.discover',
    'tools/call ',
    'TOOLS/CALL',
    `tools/${CONTROL}`,
    '../../etc/passwd',
  ]) {
    cases.push(
      request(
        `method ${JSON.stringify(method).slice(0, 40)}`,
        method,
        { name: 'flaky__echo', arguments: { text: 'x' } },
        isError(-32601),
      ),
    );
  }
  cases.push(
    request(
      'unknown method, 100,000 params in an array',
      'x/unknown',
      Array.from({ length: 100_000 }, (_, i) => i),
      isError(),
    ),
  );
  cases.push(rawRequest(`unknown method, params nested ${DEPTH} deep`, 'x/unknown', DEEP_OBJECT, isError()));
  cases.push(request('ping with large params', 'ping', { blob: LARGE }));
  cases.push(request('logging/setLevel to a hostile level', 'logging/setLevel', { level: LARGE }, isError()));

  // Ids of odd types: valid ones are echoed, invalid ones get an error.
  const echo = '"method":"tools/call","params":{"name":"flaky__echo","arguments":{"text":"id"}}';
  const idCase = (label: string, idJson: string, valid: boolean): Case => ({
    label: `id ${label}`,
    body: `{"jsonrpc":"2.0","id":${idJson},${echo}}`,
    id: valid ? JSON.parse(idJson) : undefined,
    check: valid ? undefined : isError(),
  });
  cases.push(idCase('0', '0', true));
  cases.push(idCase('-1', '-1', true));
  cases.push(idCase('2^53 - 1', String(Number.MAX_SAFE_INTEGER), true));
  cases.push(idCase('100 KB string', JSON.stringify('i'.repeat(100_000)), true));
  cases.push(idCase('string with control characters and bidi', JSON.stringify(`${CONTROL}${BIDI}`), true));
  cases.push(idCase('__proto__', '"__proto__"', true));
  cases.push(idCase('empty string', '""', true));
  cases.push(idCase('1e308', '1e308', false));
  cases.push(idCase('30 digits', '123456789012345678901234567890', false));
  cases.push(idCase('1.5', '1.5', false));
  cases.push(idCase('true', 'true', false));
  cases.push(idCase('an object', '{"a":1}', false));
  cases.push(idCase('an array', '[1]', false));
  cases.push(idCase('null', 'null', false));
  return cases;
}

/** Notifications with hostile values: no answer is due, and the router must survive them. */
const HOSTILE_NOTIFICATIONS = [
  { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: { a: 1 }, reason: LARGE } },
  { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'never-sent' } },
  { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: {}, progress: 'lots' } },
  { jsonrpc: '2.0', method: 'notifications/initialized', params: { blob: LARGE } },
  { jsonrpc: '2.0', method: 'notifications/roots/list_changed', params: null },
  { jsonrpc: '2.0', method: `notifications/${LARGE}` },
  { jsonrpc: '2.0', method: '__proto__', params: { polluted: true } },
];

// ------------------------------------------------------------------------------------------- the checks

/** Every string in a value (the texts an answer carries), however deep. */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) strings(v, out);
  return out;
}

/** What an answer tells the caller went wrong: the JSON-RPC error, or a tool result with isError. */
function errorTexts(m: Rpc): string[] {
  if (m.error) return strings(m.error);
  if (m.result?.isError) return strings(m.result.content);
  return [];
}

function leaksIn(answer: Answer): string[] {
  const found: string[] = [];
  for (const [what, secret] of Object.entries(SECRETS))
    if (answer.raw.includes(secret)) found.push(`the ${what} secret`);
  if (!answer.message) return found;
  for (const text of strings(answer.message))
    if (STACK_FRAME.test(text)) found.push(`a stack trace: ${text.slice(0, 300)}`);
  for (const text of errorTexts(answer.message)) {
    for (const pattern of INSTALL_PATTERNS)
      if (pattern.test(text)) found.push(`an install path (${pattern}): ${text.slice(0, 300)}`);
  }
  return found;
}

function describeAnswer(answer: Answer): string {
  return answer.raw.length > 400 ? `${answer.raw.slice(0, 400)}... (${answer.raw.length} chars)` : answer.raw;
}

async function exercise(front: Front, webUrl: string): Promise<void> {
  const problems: string[] = [];
  for (const c of hostileCases(webUrl)) {
    let answer: Answer;
    const started = Date.now();
    try {
      answer = await front.call(c.body);
      if (process.env.HOSTILE_VERBOSE)
        process.stderr.write(
          `${front.name} ${String(Date.now() - started).padStart(5)} ms  ${c.label.slice(0, 70)}  ${describeAnswer(answer).slice(0, 300)}\n`,
        );
    } catch (error) {
      problems.push(`${c.label}: no answer (${(error as Error).message})`);
      if (!front.alive()) {
        problems.push(`the router is gone (${front.exitStatus()}); its last words: ${front.stderr().slice(-1500)}`);
        break;
      }
      continue;
    }
    const m = answer.message;
    if (answer.status !== undefined && answer.status >= 500)
      problems.push(`${c.label}: HTTP ${answer.status} ${describeAnswer(answer)}`);
    if (!m || m.jsonrpc !== '2.0' || (m.result === undefined) === (m.error === undefined)) {
      problems.push(`${c.label}: not a JSON-RPC answer: ${describeAnswer(answer)}`);
      continue;
    }
    if (c.id !== undefined && m.id !== c.id)
      problems.push(`${c.label}: answered with id ${JSON.stringify(m.id)?.slice(0, 40)}`);
    for (const leak of leaksIn(answer)) problems.push(`${c.label}: leaks ${leak}`);
    try {
      c.check?.(m);
    } catch (error) {
      problems.push(
        `${c.label}: ${(error as Error).message.split('\n').slice(0, 4).join(' ')} in ${describeAnswer(answer)}`,
      );
    }
  }
  for (const n of HOSTILE_NOTIFICATIONS) {
    const label = `notification ${n.method.slice(0, 40)} ${JSON.stringify(n.params ?? null).slice(0, 40)}`;
    try {
      await front.notify(JSON.stringify(n));
    } catch (error) {
      problems.push(`${label}: ${(error as Error).message}`);
      if (!front.alive()) {
        problems.push(`the router is gone (${front.exitStatus()}); its last words: ${front.stderr().slice(-1500)}`);
        break;
      }
    }
  }

  expect(problems).toEqual([]);
  expect(front.alive()).toBe(true);
  // Still serving, both backends, and the management tools.
  for (const tool of ['flaky__echo', 'web__echo']) {
    const after = await front.call(
      JSON.stringify({
        jsonrpc: '2.0',
        id: `after-${tool}`,
        method: 'tools/call',
        params: { name: tool, arguments: { text: 'still here' } },
      }),
    );
    expect([tool, after.message?.result?.content?.[0] ?? describeAnswer(after)]).toEqual([
      tool,
      { type: 'text', text: 'still here' },
    ]);
  }
  const list = await front.call(
    JSON.stringify({
      jsonrpc: '2.0',
      id: 'after-list',
      method: 'tools/call',
      params: { name: 'list_backends', arguments: {} },
    }),
  );
  const backends = (
    list.message?.result?.structuredContent as
      { backends?: Array<{ name: string; healthy: boolean; circuit_state: string }> } | undefined
  )?.backends;
  expect(backends?.map((b) => [b.name, b.healthy, b.circuit_state])).toEqual([
    ['flaky', true, 'CLOSED'],
    ['web', true, 'CLOSED'],
  ]);
  // No secret in anything the router logged either.
  for (const [what, secret] of Object.entries(SECRETS))
    expect([what, front.stderr().includes(secret)]).toEqual([what, false]);
}

/** One web fixture for the whole file: each router opens its own session on it. */
let web: Awaited<ReturnType<typeof startWebBackend>>;
beforeAll(async () => {
  web = await startWebBackend();
});
afterAll(() => web?.stop());

describe('hostile values in otherwise valid calls', () => {
  let config: string;

  beforeAll(() => {
    config = writeConfig(web.url, true);
  });

  // Both fronts at once (each its own router): the calls are sequential within a front, and the two routers
  // share nothing but the web fixture, which serves each its own session.
  it('over HTTP and over stdio: every call is answered, nothing leaks, and the router keeps serving', async () => {
    const started = await Promise.allSettled([httpFront(config), stdioFront(config)]);
    const fronts = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    try {
      for (const s of started) if (s.status === 'rejected') throw s.reason;
      const outcomes = await Promise.allSettled(fronts.map((front) => exercise(front, web.url)));
      for (const [i, outcome] of outcomes.entries()) {
        if (outcome.status === 'rejected')
          throw Object.assign(outcome.reason as Error, {
            message: `over ${fronts[i]!.name}: ${(outcome.reason as Error).message}`,
          });
      }
    } finally {
      await Promise.all(fronts.map((front) => front.close()));
    }
  }, 60_000);
});

/**
 * Bugs that hostile values exposed once: each test names what went wrong before its fix, so that it fails
 * if the fix is undone.
 */
describe('hostile values: bugs found by them stay fixed', () => {
  let front: Front;
  let stdio: Front;

  beforeAll(async () => {
    front = await httpFront(writeConfig(web.url, false));
    stdio = await stdioFront(writeConfig(web.url, false));
    // The router serves normally: whatever fails below fails for the reason the test names.
    const echo = await front.call(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 'ready',
        method: 'tools/call',
        params: { name: 'flaky__echo', arguments: { text: 'ready' } },
      }),
    );
    expect(echo.message?.result?.content?.[0]).toEqual({ type: 'text', text: 'ready' });
  }, 30_000);
  afterAll(async () => {
    await front?.close();
    await stdio?.close();
  });

  // Was: outside tools/call (which the tool-call lane checks itself), the SDK validates params with zod, and
  // a ZodError has no JSON-RPC code: it answered -32603 with zod's issue list as the message.
  it('params of the wrong type are answered -32602 (invalid params), not -32603 (internal error)', async () => {
    const codes: unknown[] = [];
    for (const [method, params] of [
      ['resources/read', { uri: 42 }],
      ['prompts/get', { name: 'flaky__greet', arguments: { who: 1 } }],
    ] as const) {
      const answer = await front.call(JSON.stringify({ jsonrpc: '2.0', id: 'typed', method, params }));
      codes.push(answer.message?.error?.code);
      // One line saying where, not zod's issue list as JSON.
      expect(answer.message?.error?.message).toMatch(
        new RegExp(`^Invalid ${method} request: params\\.\\S+: Invalid input: expected string, received number$`),
      );
    }
    expect(codes).toEqual([-32602, -32602]);
  });

  // Was: HttpSessionTransport kept one pending POST per request id; a second request with an id still in
  // flight took the first one's place, and the first POST was never answered. Over stdio both ran, and two
  // answers came back with one id.
  it('two requests in flight with the same id, over HTTP and over stdio: the first is answered, the second refused at once (-32600)', async () => {
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id: 'twin',
      method: 'tools/call',
      params: { name: 'flaky__read_slow', arguments: { ms: 300 } },
    });
    for (const f of [front, stdio]) {
      const answers = await Promise.all([f.call(body, 2_000), f.call(body, 2_000)]);
      // The first runs; the second, whose answer could not be told from the first's, is refused.
      expect(answers.map((a) => a.message?.result?.content?.[0]?.type ?? a.message?.error?.code).sort()).toEqual([
        -32600,
        'text',
      ]);
    }
  });

  // Was: a cancelled request is never answered, so its POST stayed open (a socket and an entry per cancel)
  // and its id stayed "in flight" for good.
  it('a request the client cancels over HTTP: its POST ends, and its id may be used again', async () => {
    const slow = (ms: number) =>
      JSON.stringify({
        jsonrpc: '2.0',
        id: 'again',
        method: 'tools/call',
        params: { name: 'flaky__read_slow', arguments: { ms } },
      });
    const cancel = JSON.stringify({
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: 'again', reason: 'test' },
    });
    let settled = false;
    const first = front.call(slow(20_000), 10_000).finally(() => (settled = true));
    // The cancel may overtake the call on another connection: sent until the call's POST ends (bounded).
    for (const deadline = Date.now() + 5_000; !settled && Date.now() < deadline;) {
      await front.notify(cancel);
      await new Promise((r) => setImmediate(r));
    }
    const ended = await first;
    expect(ended.status).toBe(200);
    expect(ended.message).toBeUndefined();
    const again = await front.call(slow(1));
    expect(again.message?.result?.content?.[0]).toMatchObject({ type: 'text' });
  });

  // Was: classifyError counted every code in -32000..-32099 as the backend's failure, -32002 included, which
  // MCP defines as "resource not found", and retried the read: two reads of a URI that does not exist opened
  // the circuit, and the backend was out for everyone.
  it('a resource that does not exist (-32002) is answered at once and does not count against the backend', async () => {
    const answers: unknown[] = [];
    for (const uri of ['file:///etc/passwd', 'fixture://doc/../../etc/passwd']) {
      const answer = await front.call(
        JSON.stringify({ jsonrpc: '2.0', id: 'nf', method: 'resources/read', params: { uri } }),
      );
      answers.push(answer.message?.error);
    }
    const health = await front.call(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 'health',
        method: 'tools/call',
        params: { name: 'get_backend_health', arguments: { backend_name: 'flaky' } },
      }),
    );
    expect(health.message?.result?.structuredContent).toMatchObject({
      circuit_state: 'CLOSED',
      consecutive_failures: 0,
    });
    // The backend's own error, word for word as the fixture's SDK server puts it on the wire (no prefix added).
    expect(answers).toEqual([
      { code: -32002, message: 'MCP error -32002: Resource not found' },
      { code: -32002, message: 'MCP error -32002: Resource not found' },
    ]);
  });

  // Was: JSON.parse takes nesting that JSON.stringify cannot; the link's send threw a RangeError, counted as
  // the backend's failure, and the read-only tool was retried: two calls opened the circuit.
  it('arguments nested too deep to send are refused as invalid params and do not count against the backend', async () => {
    const codes: unknown[] = [];
    for (const args of [DEEP_OBJECT, `{"text":${DEEP_ARRAY}}`]) {
      const answer = await front.call(
        `{"jsonrpc":"2.0","id":"deep","method":"tools/call","params":{"name":"web__echo","arguments":${args}}}`,
      );
      codes.push(answer.message?.error?.code);
    }
    const health = await front.call(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 'health',
        method: 'tools/call',
        params: { name: 'get_backend_health', arguments: { backend_name: 'web' } },
      }),
    );
    expect(health.message?.result?.structuredContent).toMatchObject({
      circuit_state: 'CLOSED',
      consecutive_failures: 0,
    });
    expect(codes).toEqual([-32602, -32602]);
  });
});
