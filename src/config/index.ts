/** The configuration module: the file, the environment and the flags, turned into the router's settings. */
export {
  loadConfig,
  loadConfigAsync,
  parseBackend,
  formatPath,
  type LoadOptions,
  type ParseBackendOptions,
} from './load-config';
export { expandEnv, expandString } from './expand-env';
export {
  resolveRouterSettings,
  routingOverrides,
  routingFromEnv,
  resolveRouting,
  mergeRouting,
  DEFAULT_ROUTING,
  DEFAULT_HOST,
  DEFAULT_PORT,
  BUNDLED_CONFIG,
  ROUTING_VARIABLES,
  type CliFlags,
  type Env,
} from './settings';
export { DEFAULT_PRIORITY, DEFAULT_CIRCUIT_BREAKER } from './normalize';
export { DEFAULT_MAX_CONFIG_BYTES } from './read-document';
export type * from './types';
export { STRATEGIES } from './types';
