#!/usr/bin/env node
/**
 * The benchmark's backend: a minimal stdio MCP server, written with the SDK's low-level Server so that it
 * costs as little as an SDK server can.
 *
 * Tools:
 *   echo {text}     answers its text argument
 *   tool_0..tool_N-1  (with `--tools N`) the same echo under other names, for the aggregation measurements
 *
 * Usage: node dist/bench/echo-backend.js [--tools N] [--name NAME]
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema, McpError, type Tool } from '@modelcontextprotocol/sdk/types.js';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const extra = Number(flag('--tools') ?? 0);
if (!Number.isInteger(extra) || extra < 0) {
  process.stderr.write('echo-backend: --tools wants a whole number\n');
  process.exit(2);
}
const serverName = flag('--name') ?? 'bench-echo';

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

const server = new Server({ name: serverName, version: '1.0.0' }, { capabilities: { tools: {} } });
server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools }));
server.setRequestHandler(CallToolRequestSchema, async (request) => {
  if (!names.has(request.params.name)) throw new McpError(-32602, `Unknown tool: ${request.params.name}`);
  const text = request.params.arguments?.text;
  return { content: [{ type: 'text', text: typeof text === 'string' ? text : '' }] };
});

const transport = new StdioServerTransport();
// Leave when the client goes away: a stdio server whose stdin closed has nobody left to serve.
process.stdin.on('end', () => process.exit(0));
server.connect(transport).catch((error) => {
  process.stderr.write(`echo-backend: ${String(error)}\n`);
  process.exit(1);
});
