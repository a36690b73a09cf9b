/**
 * The SDK v1 server without what the router never runs. Its modules require ajv (with ajv-formats),
 * zod-to-json-schema and zod's v3 build as they load: about 70 of the 600 ms of CPU the router spent starting
 * with 20 stdio backends (zod v3 about 6 more), taken from the backends booting beside it. The router runs
 * none of them: ajv only checks an answer to the Server's own `elicitInput` (the router relays a backend's
 * elicitation, and the backend judges the answer), zod-to-json-schema only serves `McpServer`'s tool schemas,
 * and zod v3 only `McpServer`'s tools declared with v3 schemas. Each is put in the module cache as a stand-in
 * (deferred-module.ts).
 *
 * Imported for its effect, before the first import of the SDK's server (client-session.ts): the stand-ins must
 * be in place before its modules load.
 */
import { deferAsResolvedFrom } from '../deferred-module';

/** The modules the SDK v1 server requires and the router does not run, as the SDK resolves them. */
const UNUSED_BY_THE_ROUTER: { request: string; esModule: boolean }[] = [
  { request: 'ajv', esModule: true },
  { request: 'ajv-formats', esModule: true },
  { request: 'zod-to-json-schema', esModule: true },
  { request: 'zod/v3', esModule: true },
];

for (const { request, esModule } of UNUSED_BY_THE_ROUTER)
  deferAsResolvedFrom('@modelcontextprotocol/sdk/server/index.js', request, esModule);
