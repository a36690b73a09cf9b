/**
 * `mcp-router check --config FILE`: what a user runs before deploying a config. Validates the file,
 * connects to each backend once, prints the resulting name table (exposed name → backends, strategy) and
 * any clashes or unreachable backends. Exit 0 when the file is valid, 2 when it is refused.
 */
import type { LoadedConfig } from './config/types';
import type { Logger } from './logging/logger';
import { statusOf } from './management/management-tools';
import { Router } from './router/router';

export async function runCheck(config: LoadedConfig, logger: Logger, out: (line: string) => void): Promise<number> {
  const router = new Router({ config, logger });
  router.start();
  try {
    await router.whenSettled();
    out(
      `config: ${config.path} is valid (${config.backends.length} backend(s), default strategy ${config.routing.defaultStrategy}, namespaces ${config.routing.enableNamespaces ? 'on' : 'off'})`,
    );
    out('');
    out('backends:');
    for (const name of router.backendNames()) {
      const s = statusOf(router, name)!;
      const state =
        s.connection_state === 'connected'
          ? `connected: ${s.tools} tools, ${s.resources} resources, ${s.resource_templates} templates, ${s.prompts} prompts`
          : `NOT CONNECTED: ${s.last_error ?? s.connection_state}`;
      out(`  ${name} (namespace ${s.namespace}, priority ${s.priority}, ${s.transport}): ${state}`);
    }
    out('');
    out('names:');
    const rows: [string, string, string][] = [];
    for (const entry of [...router.catalog.toolEntries(), ...router.catalog.promptEntries()]) {
      const e = router.explainRoute(entry.exposed);
      rows.push([entry.exposed, e.order.join(' → ') || entry.backends.join(', '), `${e.strategy} (${e.decided_by})`]);
    }
    const width = Math.max(4, ...rows.map((r) => r[0].length));
    for (const [name, backends, strategy] of rows.sort((a, b) => a[0].localeCompare(b[0])))
      out(`  ${name.padEnd(width)}  ${backends}  [${strategy}]`);
    const clashes = router.catalog.clashes;
    if (clashes.length) {
      out('');
      out('clashes:');
      for (const c of clashes) out(`  ${c}`);
    }
    return 0;
  } finally {
    await router.stop();
  }
}
