/**
 * What the live panel's event stream carries, shared by the server (live-feed.ts) and the page
 * script (client/live-panel.js), which type-checks against the DOM alone: no Node types here.
 */
export interface LiveRow {
  readonly campaign_id: number;
  readonly event_hour: number;
  readonly count_sends: number;
  readonly count_opens: number;
  readonly count_clicks: number;
  readonly count_bounces: number;
  readonly count_unsubscribes: number;
  readonly count_purchases: number;
  readonly count_live_events: number;
  readonly last_event_ms: number;
}

/** What one event carries: today's rows, or why there are none to show. */
export type LiveSnapshot =
  | { readonly today: string; readonly rows: readonly LiveRow[] }
  | { readonly error: string };
