/** The Cloud Tasks queues; imported on first use (`deferred.ts`), so loading Cloud Tasks waits until then. */
import { CloudTasksClient } from '@google-cloud/tasks';
import { ConfigError } from '../config.js';
import { CAMPAIGN_METRICS_PATH, type CampaignMetricsTask } from '../pipeline/campaign-metrics-task.js';
import type { TaskQueue } from '../ports.js';
import { CloudTasksQueue, ExportModeRoutedQueue } from './cloud-tasks-queue.js';
import type { GcpConfig } from './gcp-config.js';

/**
 * Where window tasks go: the window queue alone when every window streams, else split with the
 * export jobs queue by each window's mode (`gcp-config.ts` requires that queue of the fan-out
 * unless ITERABLE_EXPORT_MODE=stream).
 */
export function windowTaskQueue(
  client: CloudTasksClient,
  config: Pick<GcpConfig, 'tasks' | 'exportJobsQueuePath' | 'pipeline'>,
  now: () => number,
): TaskQueue {
  const stream = new CloudTasksQueue(client, config.tasks);
  const { exportMode } = config.pipeline.iterable;
  if (exportMode === 'stream') return stream;
  if (config.exportJobsQueuePath === null) {
    throw new ConfigError(
      'EXPORT_JOBS_QUEUE is not set, so windows read by export jobs have no queue; the Pulumi program ' +
        'sets it (infra/function-env.ts): run `pulumi up` again, or set ITERABLE_EXPORT_MODE=stream',
    );
  }
  const jobs = new CloudTasksQueue(client, { ...config.tasks, queuePath: config.exportJobsQueuePath });
  return new ExportModeRoutedQueue({ stream, jobs }, exportMode, now);
}

export const openTaskQueue = (config: GcpConfig, now: () => number): TaskQueue =>
  windowTaskQueue(new CloudTasksClient(), config, now);

/** The campaign metrics queue: same worker and invoker, its own queue and path. */
export function openCampaignMetricsQueue(
  config: GcpConfig,
  queuePath: string,
): TaskQueue<CampaignMetricsTask> {
  return new CloudTasksQueue<CampaignMetricsTask>(new CloudTasksClient(), {
    ...config.tasks,
    queuePath,
    path: CAMPAIGN_METRICS_PATH,
  });
}
