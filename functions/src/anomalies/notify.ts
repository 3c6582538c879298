/**
 * The notifier's core: every anomaly the detector found recently is sent once, ever. A ledger
 * claims an anomaly's key before it is sent (Firestore `create`, which fails when the document
 * exists), so a repeated run, a duplicate Pub/Sub delivery or two instances at once never send it
 * twice; a post that fails gives the claim back, and the next run sends it again.
 * Each sent anomaly is one structured log line (`event: metric_anomaly`), which a log-based
 * metric counts and a Cloud Monitoring alert policy turns into an incident and an email; and,
 * where a Slack-compatible incoming webhook is configured, one message there.
 */
import type { Logger } from '../log.js';
import { type Anomaly, anomalyKey, anomalyMessage, anomalySince } from './anomaly.js';

export interface AnomalySource {
  /** Anomalies of the days from `fromDay` (`YYYY-MM-DD`) on, any order. */
  anomaliesFrom(fromDay: string): Promise<Anomaly[]>;
}

export interface SentLedger {
  /** True when this call claimed the key; false when it was claimed before. */
  claim(key: string): Promise<boolean>;
  /** Gives a claim back, so the next run sends the anomaly again. */
  release(key: string): Promise<void>;
}

export interface ChatPoster {
  post(text: string): Promise<void>;
}

export interface NotifyDeps {
  readonly source: AnomalySource;
  readonly ledger: SentLedger;
  /** null when no webhook is configured: the log line alone alerts. */
  readonly chat: ChatPoster | null;
  readonly log: Logger;
  readonly now: () => number;
}

export interface NotifySettings {
  /** The Looker Studio report the message links to; null when none is configured. */
  readonly reportUrl: string | null;
  /** Days back the notifier looks: the detector's lookback, so a late anomaly is still sent. */
  readonly lookbackDays: number;
}

export interface NotifyResult {
  readonly sent: number;
  readonly alreadySent: number;
  readonly failed: number;
}

/** Anomalies of a run's day that were never sent are sent, most severe first. */
export async function notifyNewAnomalies(deps: NotifyDeps, settings: NotifySettings): Promise<NotifyResult> {
  const fromDay = new Date(deps.now() - settings.lookbackDays * 86_400_000).toISOString().slice(0, 10);
  // "Since when" looks further back than what is sent: a run of anomalous days may be older.
  const sinceDay = new Date(deps.now() - (settings.lookbackDays + 28) * 86_400_000)
    .toISOString()
    .slice(0, 10);
  const all = await deps.source.anomaliesFrom(sinceDay);
  const candidates = all
    .filter((a) => a.anomalyOn >= fromDay)
    .sort((a, b) => severityRank(b) - severityRank(a) || Math.abs(b.score) - Math.abs(a.score));
  let sent = 0;
  let alreadySent = 0;
  let failed = 0;
  for (const anomaly of candidates) {
    const key = anomalyKey(anomaly);
    if (!(await deps.ledger.claim(key))) {
      alreadySent += 1;
      continue;
    }
    const text = anomalyMessage(anomaly, anomalySince(anomaly, all), settings.reportUrl);
    try {
      await deps.chat?.post(text);
    } catch (error) {
      failed += 1;
      await deps.ledger.release(key);
      deps.log({
        severity: 'ERROR',
        message: `could not post anomaly ${key} to the chat webhook; the next run sends it again: ${
          error instanceof Error ? error.message : String(error)
        }`,
      });
      continue;
    }
    sent += 1;
    deps.log({
      severity: anomaly.severity === 'critical' ? 'ERROR' : 'WARNING',
      message: text,
      event: 'metric_anomaly',
      anomaly,
    });
  }
  return { sent, alreadySent, failed };
}

const severityRank = (a: Anomaly) => (a.severity === 'critical' ? 1 : 0);
