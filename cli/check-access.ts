import { streamByName } from '../functions/src/catalog.js';
import type { IterableClient } from '../functions/src/iterable/client.js';

/**
 * One cheap dimension call before planning anything, so a wrong key, region or host ends the run
 * with one clear message instead of every window failing one by one. Returns the project's
 * channel ids, which tell one project from another (local/warehouse-source.ts).
 */
export async function checkAccess(iterable: IterableClient): Promise<number[]> {
  const channels = streamByName('channels').source;
  if (channels.kind !== 'dimension') throw new Error('the channels stream must be a dimension');
  const ids: number[] = [];
  for await (const lines of iterable.dimensionLines(channels)) {
    for (const line of lines) {
      const { id } = JSON.parse(line) as { id?: unknown };
      if (typeof id === 'number') ids.push(id);
    }
  }
  return ids.sort((a, b) => a - b);
}
