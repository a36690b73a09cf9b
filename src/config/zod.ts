/**
 * zod, as the config loads it: without its locales other than English. zod's core requires its locale index
 * as it loads, and with it 63 translations of its messages (about 18 of the 55 ms zod takes to load), before
 * the router may spawn its first backend. The router's messages are English, and English is what zod's
 * schemas use unless told otherwise (`z.config(z.locales.xx())`, which the router never calls): the index is
 * a stand-in (deferred-module.ts) that loads the translations if anything reads them.
 *
 * The config's modules take their zod from here (types may come from 'zod' itself: they cost nothing).
 */
import { deferAsResolvedFrom } from '../deferred-module';

deferAsResolvedFrom('zod', 'zod/v4/locales', true);

export { z } from 'zod';
