/**
 * The `collector` HTTP function, called by Iterable's system webhooks. Thin: hand the header and
 * the raw body to the collector (`live/collect.ts`) and send its answer. The Functions Framework
 * has already read the body (`rawBody`); Cloud Run caps it at 32 MiB before that
 * (https://cloud.google.com/run/quotas#cloud_run_limits), and the collector refuses anything over
 * its own bound. A body sent as `application/json` that is not JSON is answered 400 by the
 * framework's parser before this code runs, so it leaves no live reject; any other content type
 * reaches the collector whole.
 */
import type { HttpFunction } from '@google-cloud/functions-framework';
import { type CollectDeps, collector, MAX_WEBHOOK_BYTES } from '../live/collect.js';

export function collectorHandler(deps: CollectDeps): HttpFunction {
  const collect = collector(deps);
  return async (req, res) => {
    if (req.method !== 'POST') {
      res.status(405).set('Allow', 'POST').json({ error: 'Iterable webhooks are POST requests' });
      return;
    }
    const body = req.rawBody ?? Buffer.alloc(0);
    const answer = await collect({
      authorization: req.get('authorization'),
      body,
      oversize: body.length > MAX_WEBHOOK_BYTES,
    });
    res.status(answer.status).json(answer.body);
  };
}
