/**
 * The collector's logic, whatever serves it (the Functions Framework on GCP, `npm run live` on a
 * laptop): check the header, bound and parse the body, hand the event to the sink, and say what
 * to answer. Iterable treats any non-2xx answer as a failed delivery, so 2xx means kept.
 */
import type { Logger } from '../log.js';
import { authorizationCheck } from './authorization.js';
import type { LiveSink } from './live-sink.js';
import { readWebhook } from './webhook.js';

/**
 * Iterable's webhook bodies are a few kilobytes (one event's fields); 64 KiB leaves room for
 * long URLs and custom fields while keeping a hostile body far below Pub/Sub's 10 MB message
 * limit (https://cloud.google.com/pubsub/quotas#resource_limits).
 */
export const MAX_WEBHOOK_BYTES = 64 * 1024;
/** How much of an oversized body a reject keeps, enough to see what sent it. */
const KEPT_OF_OVERSIZE = 1024;

export interface CollectDeps {
  readonly sink: LiveSink;
  readonly authorization: string;
  readonly now: () => number;
  readonly log: Logger;
}

export interface WebhookRequest {
  readonly authorization: string | undefined;
  /** The body as received, at most `MAX_WEBHOOK_BYTES` of it when `oversize`. */
  readonly body: Buffer;
  /** The body was longer than `MAX_WEBHOOK_BYTES` (the server may have stopped reading). */
  readonly oversize: boolean;
}

export interface CollectAnswer {
  readonly status: number;
  readonly body: Readonly<Record<string, unknown>>;
}

export type Collect = (request: WebhookRequest) => Promise<CollectAnswer>;

export function collector(deps: CollectDeps): Collect {
  const authorized = authorizationCheck(deps.authorization);
  const refuse = async (status: number, reason: string, body: string): Promise<CollectAnswer> => {
    const receivedAt = deps.now();
    deps.log({ severity: 'WARNING', message: `webhook rejected (${status}): ${reason}`, bytes: body.length });
    await deps.sink.reject({ received_at: receivedAt, reason, body });
    return { status, body: { error: reason } };
  };
  return async (request) => {
    if (!authorized(request.authorization)) {
      // Neither the body nor the header is logged: either may be someone's secret.
      deps.log({ severity: 'WARNING', message: 'webhook refused: missing or wrong Authorization header' });
      return {
        status: 401,
        body: { error: 'missing or wrong Authorization header; set it to the secret configured in Iterable' },
      };
    }
    if (request.oversize) {
      const kept = request.body.subarray(0, KEPT_OF_OVERSIZE).toString('utf8');
      return refuse(413, `the body is larger than ${MAX_WEBHOOK_BYTES} bytes`, kept);
    }
    const text = request.body.toString('utf8');
    const parsed = readWebhook(text, deps.now());
    if ('reason' in parsed) return refuse(400, parsed.reason, text);
    try {
      await deps.sink.publish(parsed.event);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      deps.log({ severity: 'ERROR', message: `webhook not stored, the sender should retry: ${message}` });
      return { status: 503, body: { error: 'the event could not be stored; retry later' } };
    }
    return { status: 200, body: { stream: parsed.event.stream, eventKey: parsed.event.event_key } };
  };
}
