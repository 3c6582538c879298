/**
 * The `notifier` HTTP function. Called by a Pub/Sub push subscription on the topic the anomaly
 * query's transfer config notifies when a run completes (`notificationPubsubTopic`; the message
 * data is the TransferRun as JSON, https://cloud.google.com/bigquery/docs/reference/datatransfer/rest/v1/projects.locations.transferConfigs.runs),
 * or by Cloud Scheduler with no body. Thin: a run that did not succeed has nothing new to send
 * (answered 204 so Pub/Sub does not retry it); otherwise send what is new and report the counts.
 * A failure answers 500, so Pub/Sub redelivers and the ledger keeps what was sent from repeating.
 */
import type { HttpFunction } from '@google-cloud/functions-framework';
import { z } from 'zod';
import { type NotifyDeps, type NotifySettings, notifyNewAnomalies } from '../anomalies/notify.js';

const PushEnvelopeSchema = z.object({
  message: z.object({ data: z.string().optional(), attributes: z.record(z.string(), z.string()).optional() }),
  subscription: z.string().optional(),
});

const TransferRunSchema = z.object({ state: z.string().optional(), name: z.string().optional() }).loose();

export function notifierHandler(deps: NotifyDeps, settings: NotifySettings): HttpFunction {
  return async (req, res) => {
    const envelope = PushEnvelopeSchema.safeParse(req.body);
    if (envelope.success && envelope.data.message.data !== undefined) {
      const run = TransferRunSchema.safeParse(
        safeJson(Buffer.from(envelope.data.message.data, 'base64').toString('utf8')),
      );
      const state = run.success ? run.data.state : undefined;
      if (state !== undefined && state !== 'SUCCEEDED') {
        res.status(204).end();
        return;
      }
    }
    try {
      res.status(200).json(await notifyNewAnomalies(deps, settings));
    } catch (error) {
      res.status(500).json({ error: error instanceof Error ? error.message : String(error) });
    }
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
