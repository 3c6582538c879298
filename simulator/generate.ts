/**
 * The simulated project from its seed: dimensions and event history, as a record store.
 * Campaign count grows with volume so a large data set looks like a busier project, not like a
 * few impossibly large campaigns.
 */
import type { StreamName } from '../functions/src/catalog.js';
import { generateProject } from './dimensions.js';
import { generateEvents } from './events.js';
import { generatePeople } from './people.js';
import { Random, seedOf } from './random.js';
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
  // People come from their own generator so the events of a seed stay what they were.
  const peopleRandom = new Random(seedOf('people', options.seed));
  const people = generatePeople(peopleRandom, options, events);
  events.set('users', people.users);
  events.set('custom_event', people.customEvents);
  const dimensions = new Map<StreamName, readonly object[]>([
    ['campaigns', project.campaigns.map((c) => c.record)],
    ['templates', project.templates],
    ['message_types', project.messageTypes],
    ['channels', project.channels],
    ['lists', project.lists],
  ]);
  const store = new RecordStore(events, dimensions);
  // A few users asked to be forgotten: Iterable exports nothing of theirs and lists their hashes.
  const emails = people.users.map((u) => (JSON.parse(u.line) as { email: string }).email);
  store.forget(emails.filter(() => peopleRandom.chance(0.005)));
  return store;
}
