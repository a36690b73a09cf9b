/** Names the router serves itself as management tools; they are reserved in the catalog. */
export const MANAGEMENT_TOOL_NAMES = [
  'list_backends',
  'get_backend_health',
  'explain_route',
  'reload_backends_config',
  'register_backend',
  'unregister_backend',
];
