/**
 * The notifier's own settings, beside the shared GCP configuration: where the anomalies are, the
 * Firestore collection of anomalies already sent, the report its messages link to, and the chat
 * webhook, which reaches the function from Secret Manager only when one is configured
 * (`pulumi config set --secret anomalyWebhookUrl …`).
 */
import { z } from 'zod';
import { ConfigError } from '../config.js';
import { describeIssues } from '../schema-parts.js';

const NotifierEnvSchema = z.object({
  ANOMALY_WEBHOOK_URL: z.url('use the incoming webhook https URL').optional(),
  LOOKER_REPORT_URL: z.url('use the Looker Studio report URL').optional(),
  NOTIFIED_COLLECTION: z
    .string()
    .regex(/^[^/]+$/, 'use a collection id without slashes')
    .default('anomaly_notifications'),
  ANOMALY_LOOKBACK_DAYS: z.coerce.number().int().positive().max(60).default(7),
});

export interface NotifierConfig {
  readonly webhookUrl: string | null;
  readonly reportUrl: string | null;
  readonly notifiedCollection: string;
  readonly lookbackDays: number;
}

export function loadNotifierConfig(env: NodeJS.ProcessEnv = process.env): NotifierConfig {
  const parsed = NotifierEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      `invalid notifier configuration: ${describeIssues(parsed.error, '(environment)').join('; ')}`,
    );
  }
  const e = parsed.data;
  return {
    webhookUrl: e.ANOMALY_WEBHOOK_URL ?? null,
    reportUrl: e.LOOKER_REPORT_URL ?? null,
    notifiedCollection: e.NOTIFIED_COLLECTION,
    lookbackDays: e.ANOMALY_LOOKBACK_DAYS,
  };
}
