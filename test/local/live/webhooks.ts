/** Iterable system webhook bodies for tests, in the documented shape, and a client that posts them. */
import { formatIterableTimestamp } from '../../../functions/src/iterable/timestamps.js';

export interface WebhookEvent {
  readonly eventName: string;
  readonly email: string;
  readonly createdAt: number;
  readonly fields?: Readonly<Record<string, unknown>>;
}

export const webhookBody = (e: WebhookEvent): string =>
  JSON.stringify({
    email: e.email,
    eventName: e.eventName,
    dataFields: { createdAt: formatIterableTimestamp(e.createdAt), email: e.email, ...e.fields },
  });

export interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

export async function post(
  url: string,
  body: string,
  headers: Readonly<Record<string, string>> = {},
): Promise<Answer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
