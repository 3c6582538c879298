/**
 * Waits until Cloud Monitoring knows the descriptors of new log-based metrics. An alert policy
 * created on a log-based metric right after the metric is refused with `404 Cannot find metric(s)
 * that match type = "logging.googleapis.com/user/…". If a metric was created recently, it could
 * take up to 10 minutes to become available` (hashicorp/terraform-provider-google#11102, open),
 * and the stack is left half-applied. This polls `metricDescriptors.list` with the same filter the
 * alert's validation reports, until each metric is listed.
 * https://cloud.google.com/monitoring/api/ref_v3/rest/v3/projects.metricDescriptors/list
 */
import { googleJson, type Headers, type PollOptions, pollBound, pollUntil } from './poll.js';

export interface WaitMetricDescriptorsOptions {
  /** `https://monitoring.googleapis.com`, or a test server. */
  readonly endpoint: string;
  readonly project: string;
  /** Full metric types, e.g. `logging.googleapis.com/user/iterable_worker_failures`. */
  readonly metricTypes: readonly string[];
  readonly headers: Headers;
  readonly poll: PollOptions;
}

/** Google's figure above is "up to 10 minutes"; wait a little longer before giving up. */
export const METRIC_DESCRIPTOR_POLL: PollOptions = { attempts: 48, intervalMs: 15_000 };

export async function waitForMetricDescriptors(options: WaitMetricDescriptorsOptions): Promise<void> {
  for (const type of options.metricTypes) {
    const url = new URL(`/v3/projects/${options.project}/metricDescriptors`, options.endpoint);
    url.searchParams.set('filter', `metric.type = "${type}"`);
    let lastAnswer = 'not listed yet';
    const found = await pollUntil(async () => {
      const answer = await googleJson(url.href, options.headers);
      if (!answer.ok) {
        // 403/401 will not get better by waiting; anything else (404, 5xx) may.
        if (answer.status === 401 || answer.status === 403) {
          throw new Error(
            `Cloud Monitoring refused to list metric descriptors of ${options.project} (${answer.status}): ` +
              `${answer.text.slice(0, 300)}. The deploying identity needs monitoring.metricDescriptors.list ` +
              '(roles/monitoring.viewer or above).',
          );
        }
        lastAnswer = `HTTP ${answer.status}`;
        return undefined;
      }
      const listed = (answer.json.metricDescriptors as { type?: string }[] | undefined) ?? [];
      return listed.some((d) => d.type === type) ? true : undefined;
    }, options.poll);
    if (!found) {
      throw new Error(
        `Cloud Monitoring has no descriptor for ${type} after ${pollBound(options.poll)} (${lastAnswer}); ` +
          'new log-based metrics usually appear within 10 minutes. Check the metric exists in Logging → ' +
          'Log-based metrics, then run `pulumi up` again: the alerts waiting on it are created then.',
      );
    }
  }
}
