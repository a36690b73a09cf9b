/**
 * The SDK v2 client package, loaded when first used rather than with the modules that use it. At start-up the
 * first use comes after the stdio backends' processes are spawned (open-link.ts spawns before it makes the
 * client): the package and its schemas are a fifth of the router's own start-up, and the backends boot
 * meanwhile. Its types are imported as types, which cost nothing at run time.
 */
import type * as SdkClientModule from '@modelcontextprotocol/client';

let loaded: typeof SdkClientModule | undefined;

export function sdkClient(): typeof SdkClientModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a deferred load, for the reason above
  return (loaded ??= require('@modelcontextprotocol/client') as typeof SdkClientModule);
}
