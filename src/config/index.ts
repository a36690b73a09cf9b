export { loadConfig, parseBackend, formatPath } from './load-config';
export { resolveRouterSettings, routingOverrides, DEFAULT_ROUTING, BUNDLED_CONFIG, type CliFlags } from './settings';
export type * from './types';
