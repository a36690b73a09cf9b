/**
 * `mcp-router check --config FILE`: what a user runs before deploying a config. Validates the file,
 * connects to each backend once, prints the resulting name table (exposed name → backends, strategy) and
 * any clashes or unreachable backends. Exit 0 when the file is valid and every backend it starts connects,
 * 1 when a backend fails (each is named, with why), 2 when the file is refused.
 */
import { MANAGEMENT_TOOL_NAMES } from './management/tool-names';
import type { LoadedConfig } from './config/types';
import type { Logger } from './logging/logger';
import { statusOf } from './management/management-tools';
import { wireRouter } from './wiring';

export async function runCheck(config: LoadedConfig, logger: Logger, out: (line: string) => void): Promise<number> {
  const router = wireRouter({ config, logger, reservedToolNames: MANAGEMENT_TOOL_NAMES });
  router.start();
  try {
    await router.whenSettled();
    out(
      `config: ${config.path} is valid (${config.backends.length} backend(s), default strategy ${config.routing.defaultStrategy}, namespaces ${config.routing.enableNamespaces ? 'on' : 'off'})`,
    );
    out('');
    out('backends:');
    const failed: { name: string; why: string }[] = [];
    for (const name of router.backendNames()) {
      const s = statusOf(router, name)!;
      // auto_start: false is not started, so not a failure.
      const notStarted = s.connection_state === 'idle';
      const why =
        s.last_error ?? (notStarted ? 'not started (auto_start: false)' : `no answer yet (${s.connection_state})`);
      const state =
        s.connection_state === 'connected'
          ? `connected: ${s.tools} tools, ${s.resources} resources, ${s.resource_templates} templates, ${s.prompts} prompts`
          : `NOT CONNECTED: ${indented(why)}`;
      out(`  ${name} (namespace ${s.namespace}, priority ${s.priority}, ${s.transport}): ${state}`);
      if (s.connection_state !== 'connected' && !notStarted) failed.push({ name, why });
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
    if (failed.length === 0) return 0;
    out('');
    out(`FAILED: ${failed.length} backend(s) did not connect:`);
    for (const f of failed) out(`  ${f.name}: ${indented(f.why, '    ')}`);
    return 1;
  } finally {
    await router.stop();
  }
}

/** A multi-line reason (a backend's stderr) under its backend's line. */
function indented(text: string, by = '      '): string {
  return text.split('\n').join(`\n${by}`);
}
