import { streamByName } from '../functions/src/catalog.js';
import type { IterableClient } from '../functions/src/iterable/client.js';

/**
 * One cheap dimension call before planning anything, so a wrong key, region or host ends the run
 * with one clear message instead of every window failing one by one.
 */
export async function checkAccess(iterable: IterableClient): Promise<void> {
  const channels = streamByName('channels').source;
  if (channels.kind !== 'dimension') throw new Error('the channels stream must be a dimension');
  for await (const _ of iterable.dimensionLines(channels)) {
    // Reading it whole is the check; channels are a handful of records.
  }
}
