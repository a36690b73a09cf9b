/**
 * The SDK v2 client package, loaded when first used rather than with the modules that use it. At start-up the
 * first use comes after the stdio backends' processes are spawned (open-link.ts spawns before it makes the
 * client): the package and its schemas are a fifth of the router's own start-up, and the backends boot
 * meanwhile. Its types are imported as types, which cost nothing at run time.
 */
import type * as SdkClientModule from '@modelcontextprotocol/client';
import type { jsonSchemaValidator } from '@modelcontextprotocol/client';
import type * as SdkClientShims from '@modelcontextprotocol/client/_shims';
import { deferAsResolvedFrom } from '../deferred-module';

const CLIENT_PACKAGE = '@modelcontextprotocol/client';
/*
 * The package's `_shims` module holds its default JSON Schema validator and requires a bundled ajv as it
 * loads: a third of the package's load. The router checks no tool's output against its schema (it relays
 * answers; the calling client checks them), so the validator the clients get (below) loads it only if asked.
 */
const SHIMS = `${CLIENT_PACKAGE}/_shims`;

let loaded: typeof SdkClientModule | undefined;

export function sdkClient(): typeof SdkClientModule {
  if (!loaded) {
    deferAsResolvedFrom(CLIENT_PACKAGE, SHIMS, false);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a deferred load, for the reason above
    loaded = require(CLIENT_PACKAGE) as typeof SdkClientModule;
  }
  return loaded;
}

let validator: jsonSchemaValidator | undefined;

/**
 * The JSON Schema validator every backend's `Client` is given: the SDK's default, made on the first schema
 * it is asked to compile (the `Client` would make its own at construction, and with it load ajv).
 */
export const backendSchemaValidator: jsonSchemaValidator = {
  getValidator: (schema) => {
    if (!validator) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the stand-in's real module, on first use
      const shims = require(SHIMS) as typeof SdkClientShims;
      validator = new shims.DefaultJsonSchemaValidator();
    }
    return validator.getValidator(schema);
  },
};
