#!/usr/bin/env node
/**
 * The mcp-router command. Exit status: 0 after a clean stop, 2 for a configuration the router refuses,
 * 1 for any other failure to start, 128 + the signal's number (130, 143) for a stop cut short by a signal.
 */
import { parseCliArgs, USAGE } from './cli-args';
import { dirname } from 'node:path';
import { loadConfig, loadConfigAsync, parseBackend, resolveRouterSettings, routingOverrides } from './config';
import { ConfigError } from './errors';
import { createLogger } from './logging/logger';
import { startRouter, STOP_GRACE_MS, type RunningRouter } from './main';
import { VERSION } from './version';
import { runCheck } from './check-command';

async function main(argv: string[]): Promise<number | undefined> {
  const check = argv[0] === 'check';
  if (check) argv = argv.slice(1);
  let parsed;
  try {
    parsed = parseCliArgs(argv);
  } catch (error) {
    process.stderr.write(`mcp-router: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  // Asked for, they are the command's output: stdout, so `mcp-router --help | less` works.
  if (parsed.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (parsed.version) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }

  let settings, config, overrides;
  try {
    settings = resolveRouterSettings(parsed.flags, process.env);
    overrides = routingOverrides(parsed.flags, process.env);
    config = loadConfig(settings.configPath, { env: process.env, overrides, maxBytes: settings.maxConfigBytes });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`mcp-router: invalid configuration\n${error.message}\n`);
      return 2;
    }
    throw error;
  }

  const logger = createLogger({ level: settings.logLevel, format: settings.logFormat });
  // A reader that goes away (`| head`) is not an error worth a stack trace.
  if (check) process.stdout.on('error', () => process.exit(0));
  if (check)
    return runCheck(config, createLogger({ level: 'error', format: settings.logFormat }), (line) =>
      process.stdout.write(`${line}\n`),
    );
  let running: RunningRouter | undefined;
  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`stopping (${why})`);
    const forced = setTimeout(() => {
      logger.warn('grace period over: exiting with requests still open');
      process.exit(0);
    }, STOP_GRACE_MS + 5_000);
    forced.unref();
    await running?.stop().catch((error) => logger.error('error while stopping', { error: String(error) }));
    process.exit(0);
  };
  // A signal while the stop waits for requests in flight (a second Ctrl-C; SIGTERM after a stdio client closed
  // stdin) means now: exit at once. The exit handler still ends every stdio backend's process group.
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
    if (!stopping) return void stop(signal);
    const open = running?.router.dispatcher.requestsInFlight ?? 0;
    logger.warn(`${signal} during the stop: exiting now, ${open} request(s) in flight unanswered`);
    process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  const configPath = settings.configPath;
  const maxBytes = settings.maxConfigBytes;
  const loaded = config;
  running = await startRouter(settings, config, logger, () => void stop('client closed stdin'), {
    // Reloads read the file off the event loop: requests keep being served meanwhile.
    load: () => loadConfigAsync(configPath, { env: process.env, overrides, maxBytes }),
    parseBackend: (raw, others) =>
      parseBackend(raw, { env: process.env, routing: loaded.routing, others, baseDir: dirname(loaded.path) }),
  });
  return undefined;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exit(code);
  },
  (error) => {
    process.stderr.write(`mcp-router: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
