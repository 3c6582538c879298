/**
 * The simulated project from its seed: dimensions and event history, as a record store.
 * Campaign count grows with volume so a large data set looks like a busier project, not like a
 * few impossibly large campaigns.
 */
import type { StreamName } from '../functions/src/catalog.js';
import { generateProject } from './dimensions.js';
import { generateEvents } from './events.js';
import { Random } from './random.js';
import { RecordStore } from './store.js';

export interface DatasetOptions {
  readonly seed: number;
  /** Event history covers `[from, to)`, epoch milliseconds. */
  readonly from: number;
  readonly to: number;
  /** Roughly how many events to generate across all export streams. */
  readonly events: number;
}

export function generateDataset(options: DatasetOptions): RecordStore {
  if (!(options.to > options.from)) throw new Error('the simulated range must end after it starts');
  if (!(options.events > 0)) throw new Error(`events must be positive, got ${options.events}`);
  const random = new Random(options.seed);
  const campaignCount = Math.min(400, Math.max(4, Math.round(options.events / 3000)));
  const project = generateProject(random, options, campaignCount);
  const events = generateEvents(
    random,
    options,
    project.campaigns,
    project.lists.map((l) => l.id),
    options.events,
  );
  const dimensions = new Map<StreamName, readonly object[]>([
    ['campaigns', project.campaigns.map((c) => c.record)],
    ['templates', project.templates],
    ['message_types', project.messageTypes],
    ['channels', project.channels],
    ['lists', project.lists],
  ]);
  return new RecordStore(events, dimensions);
}
