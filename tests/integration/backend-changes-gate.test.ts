/**
 * register_backend / unregister_backend start and stop programs as the router's user: off unless the
 * operator turns them on (flag, variable or the routing: block), and then listed and callable.
 */
import { McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { DEFAULT_ROUTING, mergeRouting, parseBackend } from '../../src/config';
import { parseCliArgs } from '../../src/cli-args';
import { routingFromFile } from '../../src/config/normalize';
import { startRouterWithClient } from '../helpers/router-client';
import { flaky, loaded } from '../helpers/config';

async function toolNames(client: { listTools(): Promise<{ tools: { name: string }[] }> }) {
  return (await client.listTools()).tools.map((t) => t.name);
}

describe('the tools that change the backend set', () => {
  it('are off by default: not listed, and calling them is a JSON-RPC error that says how to turn them on', async () => {
    const r = await startRouterWithClient(loaded([flaky('base')]));
    try {
      r.router.managementHooks = {
        parseBackend: (raw) =>
          parseBackend(raw, { env: {}, routing: DEFAULT_ROUTING, others: r.router.backendNames(), baseDir: '/' }),
      };
      const names = await toolNames(r.client);
      expect(names).toContain('list_backends');
      expect(names).not.toContain('register_backend');
      expect(names).not.toContain('unregister_backend');
      const register = r.client.callTool({
        name: 'register_backend',
        arguments: { backend: { name: 'evil', command: 'sh', args: ['-c', 'touch /tmp/owned'] } },
      });
      await expect(register).rejects.toBeInstanceOf(McpError);
      await expect(register).rejects.toThrow(/turned off.*--allow-backend-changes.*MCP_ALLOW_BACKEND_CHANGES/);
      await expect(
        r.client.callTool({ name: 'unregister_backend', arguments: { backend_name: 'base' } }),
      ).rejects.toThrow(/turned off/);
      expect(r.router.backendNames()).toEqual(['base']);
    } finally {
      await r.close();
    }
  });

  it('are listed and run when the operator allows them', async () => {
    const r = await startRouterWithClient(loaded([flaky('base')], { allowBackendChanges: true }));
    try {
      const names = await toolNames(r.client);
      expect(names).toEqual(expect.arrayContaining(['register_backend', 'unregister_backend']));
      const removed = (await r.client.callTool({
        name: 'unregister_backend',
        arguments: { backend_name: 'base' },
      })) as CallToolResult;
      expect(removed.structuredContent).toMatchObject({ unregistered: 'base' });
    } finally {
      await r.close();
    }
  });

  it('are turned on by --allow-backend-changes, MCP_ALLOW_BACKEND_CHANGES or routing.allow_backend_changes', () => {
    expect(DEFAULT_ROUTING.allowBackendChanges).toBe(false);
    const flags = parseCliArgs(['--allow-backend-changes']).flags;
    expect(mergeRouting({ flags }).allowBackendChanges).toBe(true);
    expect(mergeRouting({ env: { MCP_ALLOW_BACKEND_CHANGES: 'true' } }).allowBackendChanges).toBe(true);
    expect(mergeRouting({ file: routingFromFile({ allow_backend_changes: true }) }).allowBackendChanges).toBe(true);
    expect(mergeRouting({ flags: parseCliArgs([]).flags }).allowBackendChanges).toBe(false);
  });
});
