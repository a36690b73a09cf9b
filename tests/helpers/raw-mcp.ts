/** A client's first POST, for the tests that speak raw HTTP to the router's /mcp (no SDK client in between). */
export const INITIALIZE_REQUEST = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
};
export const INITIALIZE_BODY = JSON.stringify(INITIALIZE_REQUEST);
/** The headers a streamable HTTP client sends with every POST. */
export const MCP_POST_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
