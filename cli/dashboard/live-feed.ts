/**
 * The live panel's feed: today's figures per campaign and hour (`live_campaign_today`, loaded and
 * live events alike) pushed to the page as server-sent events
 * (https://html.spec.whatwg.org/multipage/server-sent-events.html). The view is read every
 * `intervalMs` while a page listens, and a snapshot goes out only when it differs from the last,
 * so an idle panel costs one small query per interval and no traffic.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LiveSnapshot } from './live-snapshot.js';

export const LIVE_TODAY_SQL = `
  SELECT campaign_id, event_hour, count_sends, count_opens, count_clicks, count_bounces,
         count_unsubscribes, count_purchases, count_live_events, epoch_ms(last_event_at) AS last_event_ms
  FROM iterable_analytics.live_campaign_today
  ORDER BY event_hour DESC, campaign_id`;

/** Reconnect delay the page's EventSource uses if the stream drops (the field `retry`). */
const RETRY_MS = 2000;

export class LiveFeed {
  private readonly listeners = new Set<ServerResponse>();
  private timer: NodeJS.Timeout | null = null;
  private reading = false;
  private last: string | null = null;

  constructor(
    private readonly read: () => Promise<LiveSnapshot>,
    private readonly intervalMs: number,
  ) {}

  /** Answers `GET /live`: an event stream that starts with the current snapshot. */
  listen(request: IncomingMessage, response: ServerResponse): void {
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
    });
    response.write(`retry: ${RETRY_MS}\n\n`);
    if (this.last !== null) response.write(event(this.last));
    this.listeners.add(response);
    request.once('close', () => {
      this.listeners.delete(response);
      if (this.listeners.size === 0) this.stopPolling();
    });
    this.timer ??= setInterval(() => void this.poll(), this.intervalMs);
    void this.poll();
  }

  /** Ends every stream (a page then reconnects to whatever serves next) and stops reading. */
  close(): void {
    for (const response of this.listeners) response.end();
    this.listeners.clear();
    this.stopPolling();
  }

  private stopPolling(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private async poll(): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    try {
      const text = JSON.stringify(await this.read().catch((error: unknown) => failure(error)));
      if (text === this.last) return;
      this.last = text;
      for (const response of this.listeners) response.write(event(text));
    } finally {
      this.reading = false;
    }
  }
}

/** One message event; JSON text has no line breaks, so a single `data:` line carries it. */
const event = (json: string): string => `data: ${json}\n\n`;

const failure = (error: unknown): LiveSnapshot => ({
  error: `cannot read iterable_analytics.live_campaign_today (${error instanceof Error ? error.message : String(error)}); run \`npm start\` once to create the views`,
});
