/**
 * The simulated project's people, derived from its event history so the two agree: one profile
 * per recipient (the user export, windowed on `profileUpdatedAt`) whose lists and unsubscribed
 * message types are what that user's subscribe and unsubscribe events left, and custom events
 * (some attributed to the campaign whose email the user clicked, the conversions of the funnel).
 */
import { formatExportTimestamp } from '../functions/src/iterable/timestamps.js';
import { DAY, HOUR } from '../functions/src/time.js';
import type { EventLines, TimedLine } from './events.js';
import type { Random } from './random.js';
import { createdAtText } from './timestamp-forms.js';

/** Custom event names the simulator tracks; `trialStarted` follows clicks and counts as a conversion when configured. */
export const CUSTOM_EVENT_NAMES = ['trialStarted', 'appInstalled', 'profileCompleted'] as const;

interface Person {
  readonly email: string;
  userId: string | undefined;
  firstAt: number;
  /** Latest subscribe or unsubscribe: the profile was updated then. */
  changedAt: number;
  readonly lists: Set<number>;
  readonly unsubscribedMessageTypes: Set<number>;
}

interface EventRecord {
  readonly email?: string;
  readonly userId?: string;
  readonly campaignId?: number;
  readonly templateId?: number;
  readonly emailListIds?: number[];
  readonly messageTypeIds?: number[];
}

export interface People {
  readonly users: TimedLine[];
  readonly customEvents: TimedLine[];
}

const at = (ms: number): string => `${formatExportTimestamp(ms)} +00:00`;

export function generatePeople(
  random: Random,
  range: { from: number; to: number },
  events: EventLines,
): People {
  const people = new Map<string, Person>();
  const customEvents: TimedLine[] = [];
  const emit = (time: number, record: Record<string, unknown>) => {
    if (time < range.from || time >= range.to) return;
    const { text, ms } = createdAtText(random, time);
    customEvents.push({ at: ms, line: JSON.stringify({ createdAt: text, ...record }) });
  };
  const timeline = [...events.entries()].flatMap(([stream, lines]) => lines.map((l) => ({ stream, ...l })));
  timeline.sort((a, b) => a.at - b.at);
  for (const { stream, at: time, line } of timeline) {
    const record = JSON.parse(line) as EventRecord;
    if (!record.email) continue;
    const person = people.get(record.email) ?? {
      email: record.email,
      userId: record.userId,
      firstAt: time,
      changedAt: time,
      lists: new Set<number>(),
      unsubscribedMessageTypes: new Set<number>(),
    };
    people.set(record.email, person);
    person.userId ??= record.userId;
    if (stream === 'email_subscribe') {
      for (const id of record.emailListIds ?? []) person.lists.add(id);
      person.changedAt = time;
    } else if (stream === 'email_unsubscribe') {
      for (const id of record.emailListIds ?? []) person.lists.delete(id);
      for (const id of record.messageTypeIds ?? []) person.unsubscribedMessageTypes.add(id);
      person.changedAt = time;
    } else if (stream === 'email_click' && random.chance(0.05)) {
      emit(time + random.exponential(HOUR), {
        ...identity(person),
        eventName: 'trialStarted',
        dataFields: { plan: random.pick(['basic', 'pro']), source: 'email' },
        campaignId: record.campaignId,
        templateId: record.templateId,
      });
    }
  }
  const users: TimedLine[] = [];
  for (const person of people.values()) {
    if (random.chance(0.3)) {
      emit(person.firstAt + random.exponential(2 * DAY), {
        ...identity(person),
        eventName: random.pick(CUSTOM_EVENT_NAMES.slice(1)),
        dataFields: { platform: random.pick(['ios', 'android', 'web']) },
      });
    }
    const signedUpAt = Math.floor((person.firstAt - random.exponential(60 * DAY)) / 1000) * 1000;
    const updatedAt = Math.min(
      range.to - 1000,
      Math.floor((Math.max(person.changedAt, range.from) + random.exponential(HOUR)) / 1000) * 1000,
    );
    users.push({
      at: updatedAt,
      line: JSON.stringify({
        email: person.email,
        ...(person.userId === undefined ? {} : { userId: person.userId }),
        signupDate: at(signedUpAt),
        profileUpdatedAt: at(updatedAt),
        emailListIds: [...person.lists].sort((a, b) => a - b),
        unsubscribedChannelIds: [],
        unsubscribedMessageTypeIds: [...person.unsubscribedMessageTypes].sort((a, b) => a - b),
        // Custom profile fields, which the raw table keeps in `payload`.
        firstName: random.pick(['Ada', 'Grace', 'Alan', 'Edsger']),
        plan: random.pick(['free', 'basic', 'pro']),
      }),
    });
  }
  users.sort((a, b) => a.at - b.at);
  customEvents.sort((a, b) => a.at - b.at);
  return { users, customEvents };
}

function identity(person: Person): Record<string, string> {
  return person.userId === undefined
    ? { email: person.email }
    : { email: person.email, userId: person.userId };
}
