/** The Cloud Tasks queues; imported on first use (`deferred.ts`), so loading Cloud Tasks waits until then. */
import { CloudTasksClient } from '@google-cloud/tasks';
import { CAMPAIGN_METRICS_PATH, type CampaignMetricsTask } from '../pipeline/campaign-metrics-task.js';
import type { TaskQueue } from '../ports.js';
import { CloudTasksQueue, ExportModeRoutedQueue } from './cloud-tasks-queue.js';
import type { GcpConfig } from './gcp-config.js';

/**
 * Where window tasks go: the window queue, or the export jobs queue for windows read by export
 * jobs (`gcp-config.ts` requires that queue of the fan-out unless ITERABLE_EXPORT_MODE=stream).
 */
export function windowTaskQueue(
  client: CloudTasksClient,
  config: Pick<GcpConfig, 'tasks' | 'exportJobsQueuePath' | 'pipeline'>,
  now: () => number,
): ExportModeRoutedQueue {
  const { exportJobsQueuePath: jobsPath } = config;
  return new ExportModeRoutedQueue(
    {
      stream: new CloudTasksQueue(client, config.tasks),
      jobs: jobsPath === null ? null : new CloudTasksQueue(client, { ...config.tasks, queuePath: jobsPath }),
    },
    config.pipeline.iterable.exportMode,
    now,
  );
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
