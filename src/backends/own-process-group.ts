/**
 * Stdio backends in a process group of their own (POSIX). Ctrl-C in a terminal sends SIGINT to the whole
 * foreground group: backends in the router's group would die at once, under the calls the router is still
 * letting finish. The router ends its children itself when it stops (stdin closed, then SIGTERM, then
 * SIGKILL), and a child whose router was killed sees its stdin close.
 *
 * The SDK spawns through cross-spawn, which calls child_process.spawn synchronously inside start(); the
 * option is added for that one call. Should the SDK spawn some other way, nothing breaks: the child just
 * stays in the router's group.
 */
import childProcess = require('node:child_process');
import type { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

export function startInOwnProcessGroup(transport: StdioClientTransport): void {
  if (process.platform === 'win32') return;
  const start = transport.start.bind(transport);
  transport.start = () => {
    const spawn = childProcess.spawn;
    childProcess.spawn = ((command: string, args: readonly string[], options: childProcess.SpawnOptions) =>
      spawn(command, args, { ...options, detached: true })) as typeof childProcess.spawn;
    try {
      return start();
    } finally {
      childProcess.spawn = spawn;
    }
  };
}
