#!/usr/bin/env node
/**
 * The benchmark's backend on the MCP SDK v2 (`@modelcontextprotocol/server`): the same tools as
 * echo-backend.ts, on v2's low-level `Server`, served by `serveStdio`, which serves both eras (a 2025 client's
 * initialize, or a 2026-07-28 client's stateless requests). The router's backend links speak 2025 to it.
 *
 * Tools:
 *   echo {text}       answers its text argument
 *   tool_0..tool_N-1  (with `--tools N`) the same echo under other names
 *
 * Usage: node dist/bench/echo-backend-v2.js [--tools N] [--name NAME]
 */
import { ProtocolError, Server, type Tool } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const extra = Number(flag('--tools') ?? 0);
if (!Number.isInteger(extra) || extra < 0) {
  process.stderr.write('echo-backend-v2: --tools wants a whole number\n');
  process.exit(2);
}
const serverName = flag('--name') ?? 'bench-echo-v2';

const inputSchema = {
  type: 'object' as const,
  properties: { text: { type: 'string', description: 'what to answer' } },
  required: ['text'],
};
const tools: Tool[] = [
  { name: 'echo', description: 'Answers its text argument.', inputSchema, annotations: { readOnlyHint: true } },
];
for (let i = 0; i < extra; i++) {
  tools.push({
    name: `tool_${i}`,
    description: `Bench tool ${i}: answers its text argument.`,
    inputSchema,
    annotations: { readOnlyHint: true },
  });
}
const names = new Set(tools.map((t) => t.name));

// Leave when the client goes away: a stdio server whose stdin closed has nobody left to serve.
process.stdin.on('end', () => process.exit(0));
serveStdio(
  () => {
    const server = new Server({ name: serverName, version: '1.0.0' }, { capabilities: { tools: {} } });
    server.setRequestHandler('tools/list', async () => ({ tools }));
    server.setRequestHandler('tools/call', async (request) => {
      if (!names.has(request.params.name)) throw new ProtocolError(-32602, `Unknown tool: ${request.params.name}`);
      const text = request.params.arguments?.text;
      return { content: [{ type: 'text' as const, text: typeof text === 'string' ? text : '' }] };
    });
    return server;
  },
  { onerror: (error) => process.stderr.write(`echo-backend-v2: ${String(error)}\n`) },
);
